import { readFileSync, existsSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { CONFIG_DIR } from './paths.js';
import { PRODUCTION_TOOL_KEY_BITS } from './lti/tool-key-pair.js';
import { PRODUCTION_MIN_LOG2N } from './security/password-hash.js';

/**
 * Every setting examgate reads. Defaults come from config/default.json, then
 * config/<NODE_ENV>.json, then the environment (which always wins). Names are the
 * environment variable names so there is exactly one word for each setting.
 */
const booleanText = z.union([z.boolean(), z.enum(['true', 'false', '1', '0'])]).transform((v) => v === true || v === 'true' || v === '1');

const httpUrl = z
  .string()
  .url('must be an absolute URL')
  .refine((v) => /^https?:\/\//.test(v), 'must start with http:// or https://')
  .transform((v) => v.replace(/\/+$/, ''));

const limit = z.coerce.number().int().min(0).max(10_000_000);

/** express's names for address ranges (proxy-addr); anything else must be an address or a CIDR range. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isProxyAddress(entry: string): boolean {
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) {
    return false;
  }
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

/**
 * Which proxies may tell examgate a client's address (X-Forwarded-For): `false` (none), a number
 * of hops, or a comma-separated list of addresses, CIDR ranges and express's range names. `true`
 * (trust anyone) is refused: any client could then pick the address the throttles count it under.
 */
const trustProxy = z
  .string()
  .transform((v) => v.trim())
  .refine((v) => v !== 'true', 'true would trust every client to name its own address: list the proxy addresses (or ranges) instead')
  .refine(
    (v) =>
      v === 'false' ||
      /^\d{1,2}$/.test(v) ||
      v.split(',').every((entry) => PROXY_RANGE_NAMES.has(entry.trim()) || isProxyAddress(entry.trim())),
    'must be false, a number of proxy hops, or a comma-separated list of addresses, CIDR ranges, loopback, linklocal or uniquelocal',
  )
  .transform((v): false | number | string[] =>
    v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v.split(',').map((entry) => entry.trim()),
  );

const secret = z.string().min(32, 'must be at least 32 characters');

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']),
  PORT: z.coerce.number().int().min(0).max(65535),
  HOST: z.string().min(1),
  PUBLIC_URL: httpUrl,
  DATABASE_URL: z.string().refine((v) => /^(sqlite:|postgres(ql)?:\/\/)/.test(v), 'must start with sqlite: or postgres://'),
  SECRET_KEY: secret,
  /** During a rotation: the secret SECRET_KEY replaces, still accepted (and opened) but never used to sign or seal. */
  SECRET_KEY_PREVIOUS: secret.optional(),
  TRUST_PROXY: trustProxy,
  ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  LTI_TOKEN_MAX_AGE_SECONDS: z.coerce.number().int().min(5).max(3600),
  LTI_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300),
  NEW_DEPLOYMENT_POLICY: z.enum(['accept', 'hold']),
  /** off: /lti/register is closed; token: only through a registration URL an admin created; open: anyone (development only). */
  DYNAMIC_REGISTRATION: z.enum(['off', 'token', 'open']),
  /** true: a dynamically registered platform is approved at once instead of waiting for an admin. */
  DYNAMIC_REGISTRATION_AUTO_ACTIVATE: booleanText,
  /** How long a registration URL stays usable unless a registration uses it first. */
  REGISTRATION_URL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(30 * 24),
  /** How long each step of a dynamic registration (reading the LMS's configuration, posting to it) may take. */
  DYNAMIC_REGISTRATION_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(60),
  SESSION_TTL_MINUTES: z.coerce
    .number()
    .int()
    .min(5)
    .max(7 * 24 * 60),
  DEMO_LMS_ENABLED: booleanText,
  /** Where Start sends candidates of a test with no delivery URL of its own (development: the sample engine). */
  DEFAULT_DELIVERY_URL: httpUrl.optional(),
  /**
   * Development: the public address of the sample delivery engine (which listens on PORT + 1),
   * when PUBLIC_URL is https and a proxy serves the engine's port over https too.
   */
  SAMPLE_ENGINE_URL: httpUrl.optional(),
  /** Where a finished candidate goes when their test names no finish redirect URL. */
  FINISH_REDIRECT_URL: httpUrl.optional(),
  HANDOFF_TOKEN_SECONDS: z.coerce.number().int().min(10).max(600),
  /** How long a process keeps the system settings (admin page) before reading them again: another process's change shows within it. */
  SETTINGS_CACHE_SECONDS: z.coerce.number().int().min(0).max(300),
  ROSTER_SYNC_INTERVAL_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60),
  ROSTER_SYNC_ON_OPEN_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * 60),
  JOB_POLL_INTERVAL_MS: z.coerce.number().int().min(0).max(600_000),
  /** Jobs one process runs at once (a hung LMS then holds up one slot, not every course). */
  JOB_CONCURRENCY: z.coerce.number().int().min(1).max(64),
  /** How long a job's claim holds without a heartbeat; a job whose process died is taken over after it. */
  JOB_LEASE_SECONDS: z.coerce.number().int().min(2).max(3600),
  /** Runs a grade passback gets before it fails for good. */
  JOB_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20),
  /** The first wait before a failed job is tried again; it doubles with each failure (with jitter, at most an hour). */
  JOB_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000),
  /** How long the LMS's OAuth2 token endpoint may take to hand examgate a service token. */
  LMS_TOKEN_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(120),
  /** CSV imports (src/imports): limits stated on the upload form; 1500 candidates fit with room to spare. */
  IMPORT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024 * 1024),
  IMPORT_MAX_ROWS: z.coerce.number().int().min(1).max(10_000_000),
  IMPORT_MAX_FIELD_CHARS: z.coerce.number().int().min(500).max(1_000_000),
  /** A bulk user upload may be a ZIP (the CSV plus photos/<username>.jpg|png): its size, unpacked size and entries. */
  IMPORT_ZIP_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024 * 1024),
  IMPORT_ZIP_MAX_UNPACKED_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(4 * 1024 * 1024 * 1024),
  IMPORT_ZIP_MAX_ENTRIES: z.coerce.number().int().min(2).max(1_000_000),
  /** The largest candidate photo in such a ZIP; a larger one is refused (the rest of the upload goes on). */
  PHOTO_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024),
  /** More rows to write than this and a commit runs as a job with a progress bar. */
  IMPORT_JOB_ROWS: z.coerce.number().int().min(0).max(10_000_000),
  IMPORT_PREVIEW_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  /** How long one NRPS page may take before the sync gives up (and changes nothing). */
  NRPS_PAGE_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(300),
  /**
   * Members examgate asks the LMS for per NRPS page. Moodle charges about the same per request whatever its size,
   * so large pages are fast; an LMS with a lower maximum (Canvas: 50) answers with less and pages on.
   */
  NRPS_PAGE_SIZE: z.coerce.number().int().min(10).max(10_000),
  /**
   * scrypt's cost for new password hashes, as log2 N (r = 8, p = 1): 15 is 32 MiB and 50–400 ms
   * per hash. Production refuses less than 15; the tests use 10 so that a sign-in costs them
   * milliseconds (stored hashes carry their cost, so they verify whatever it is set to now).
   */
  PASSWORD_HASH_COST: z.coerce.number().int().min(10).max(20),
  /**
   * Bits of the RSA key pair the tool makes for each platform it registers (its id_token and
   * service-token signatures): 4096, as ltijs makes them. Production refuses less; the tests use
   * 2048 (still what LTI's RS256 requires at least) because every registration in the suite
   * would otherwise spend seconds of CPU finding 4096-bit primes.
   */
  TOOL_KEY_BITS: z.coerce
    .number()
    .pipe(z.union([z.literal(2048), z.literal(3072), z.literal(4096)], { error: 'must be 2048, 3072 or 4096' })),
  /** Throttles, counted in the database so every process shares them; a limit of 0 turns one off. */
  ADMIN_SIGN_IN_FAILURES_PER_ADDRESS: limit,
  ADMIN_SIGN_IN_ATTEMPTS_PER_ADDRESS: limit,
  /** Wrong passwords or codes for one institution admin account per window (address limits as above). */
  ADMIN_SIGN_IN_FAILURES_PER_ACCOUNT: limit,
  ADMIN_SIGN_IN_WINDOW_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  /**
   * The candidate login page (/login). Per account counts wrong passwords only; per address
   * must let a whole exam room behind one NAT address in (1500 candidates, a few typos each).
   */
  CANDIDATE_LOGIN_FAILURES_PER_ACCOUNT: limit,
  CANDIDATE_LOGIN_FAILURES_PER_ADDRESS: limit,
  CANDIDATE_LOGIN_ATTEMPTS_PER_ADDRESS: limit,
  CANDIDATE_LOGIN_WINDOW_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  LTI_LOGIN_PER_ADDRESS_PER_MINUTE: limit,
  LTI_LOGIN_PER_PLATFORM_PER_MINUTE: limit,
  LTI_REGISTER_PER_ADDRESS_PER_HOUR: limit,
  /** Wrong entry codes one address may type per window: a full room behind one NAT address makes typos too. */
  ENTRY_CODE_FAILURES_PER_ADDRESS: limit,
  ENTRY_CODE_ATTEMPTS_PER_ADDRESS: limit,
  /** Unknown direct links one address may post per window (links are clicked, not typed: few honest failures). */
  DIRECT_LINK_FAILURES_PER_ADDRESS: limit,
  WAY_IN_WINDOW_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  /**
   * E-mail: the SMTP relay until an admin saves one on /admin/mail (smtp://user:password@host:587
   * for STARTTLS, smtps://…:465 for implicit TLS, smtp://host:25?security=none for a plain local relay).
   */
  SMTP_URL: z
    .string()
    .refine((v) => /^smtps?:\/\/[^/]/.test(v), 'must start with smtp:// or smtps://')
    .optional(),
  /** The sender until an admin saves one: "Exam Office <exams@uni.example>" or a bare address. */
  MAIL_FROM: z.string().max(600).optional(),
  /** Tries a message gets (the job backoff of JOB_RETRY_BASE_MS between them) before it shows as failed. */
  MAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20),
  /** How long a "Forgot your password?" link works. */
  PASSWORD_RESET_MINUTES: z.coerce
    .number()
    .int()
    .min(5)
    .max(24 * 60),
  /** Reset requests (and reset links tried) per address per hour; over it, a "try later" page. */
  PASSWORD_RESET_PER_ADDRESS_PER_HOUR: limit,
  /** Reset links sent to one user per hour; more requests get the same answer but send nothing. */
  PASSWORD_RESET_PER_ACCOUNT_PER_HOUR: limit,
});

export type Config = Readonly<z.infer<typeof schema>> & {
  /** Derived: cookies must be SameSite=None; Secure to survive inside an LMS iframe over HTTPS. */
  readonly secureCookies: boolean;
  /**
   * Derived: SECRET_KEY first (everything new is signed and sealed with it), then
   * SECRET_KEY_PREVIOUS when set (still accepted: cookies, CSRF tokens, stored keys).
   */
  readonly secretKeys: SecretKeys;
};

/** The secrets examgate signs and seals with: the first for everything new, each of them accepted. */
export type SecretKeys = readonly [string, ...string[]];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

function readJson(file: string): Record<string, unknown> {
  if (!existsSync(file)) {
    return {};
  }
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError([`${file} must hold a JSON object`]);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Development: the PUBLIC_URL of the config file names the default port, so `PORT=3500 npm start`
 * alone would print and redirect to 3000. Unless PUBLIC_URL is set too, it follows PORT.
 */
function followPortInDevelopment(merged: Record<string, unknown>, fromEnv: Record<string, unknown>): Record<string, unknown> {
  if (merged.NODE_ENV !== 'development' || fromEnv.PUBLIC_URL !== undefined || fromEnv.PORT === undefined) {
    return merged;
  }
  const port = Number(merged.PORT);
  if (!Number.isInteger(port) || port <= 0 || port > 65535 || typeof merged.PUBLIC_URL !== 'string') {
    return merged;
  }
  try {
    const url = new URL(merged.PUBLIC_URL);
    url.port = String(port);
    return { ...merged, PUBLIC_URL: url.href };
  } catch {
    return merged;
  }
}

/**
 * Said at start in development when PUBLIC_URL names another port than examgate listens on: right
 * behind a proxy that forwards, but usually a PORT changed without PUBLIC_URL.
 */
export function portMismatchWarning(config: Config): string | null {
  if (config.NODE_ENV !== 'development' || config.PORT === 0) {
    return null;
  }
  const url = new URL(config.PUBLIC_URL);
  const publicPort = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (publicPort === config.PORT) {
    return null;
  }
  return (
    `PUBLIC_URL ${config.PUBLIC_URL} names port ${publicPort}, but examgate listens on PORT ${config.PORT}: ` +
    `browsers and the LMS are sent to port ${publicPort}. Leave PUBLIC_URL unset to follow PORT, or make the two agree ` +
    `(unless a proxy forwards ${publicPort} to ${config.PORT}).`
  );
}

/**
 * Builds the configuration once. Throws ConfigError naming every bad setting;
 * callers print its message and stop.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, configDir = CONFIG_DIR): Config {
  const nodeEnv = env.NODE_ENV ?? 'development';
  if (!existsSync(path.join(configDir, 'default.json'))) {
    throw new ConfigError([
      `${path.join(configDir, 'default.json')} is missing: examgate runs from its own folder (package.json, config/, views/)`,
    ]);
  }
  const fromEnv = Object.fromEntries(
    Object.keys(schema.shape)
      .filter((key) => env[key] !== undefined && env[key] !== '')
      .map((key) => [key, env[key]]),
  );
  const merged = {
    ...readJson(path.join(configDir, 'default.json')),
    ...readJson(path.join(configDir, `${nodeEnv}.json`)),
    ...fromEnv,
    NODE_ENV: nodeEnv,
  };
  const result = schema.safeParse(followPortInDevelopment(merged, fromEnv));
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const setting = issue.path.join('.') || '(root)';
        const message =
          issue.code === 'invalid_type' && merged[setting as keyof typeof merged] === undefined ? 'is required' : issue.message;
        return `${setting} ${message}`;
      }),
    );
  }
  const problems = productionProblems(result.data);
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  if (result.data.SAMPLE_ENGINE_URL && new URL(result.data.SAMPLE_ENGINE_URL).origin === new URL(result.data.PUBLIC_URL).origin) {
    throw new ConfigError([
      "SAMPLE_ENGINE_URL must be on another origin than PUBLIC_URL: the engine's keys and examgate's are both published at /.well-known/jwks.json of their origin",
    ]);
  }
  const { SECRET_KEY, SECRET_KEY_PREVIOUS } = result.data;
  if (SECRET_KEY_PREVIOUS === SECRET_KEY) {
    throw new ConfigError(['SECRET_KEY_PREVIOUS is the same as SECRET_KEY: set it to the secret being replaced, or leave it unset']);
  }
  return Object.freeze({
    ...result.data,
    secureCookies: result.data.PUBLIC_URL.startsWith('https://'),
    secretKeys: Object.freeze(SECRET_KEY_PREVIOUS ? [SECRET_KEY, SECRET_KEY_PREVIOUS] : [SECRET_KEY]) as SecretKeys,
  });
}

/** Loopback hosts: a production build tried out on one machine (and the bench) may use plain http there. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function productionProblems(settings: z.infer<typeof schema>): string[] {
  if (settings.NODE_ENV !== 'production') {
    return [];
  }
  const problems: string[] = [];
  if (settings.DYNAMIC_REGISTRATION === 'open') {
    problems.push('DYNAMIC_REGISTRATION open lets anyone register an LMS and is for development only: use token (or off) in production');
  }
  if (settings.PASSWORD_HASH_COST < PRODUCTION_MIN_LOG2N) {
    problems.push(
      `PASSWORD_HASH_COST ${settings.PASSWORD_HASH_COST} is below ${PRODUCTION_MIN_LOG2N}, too cheap to guess against in production: lower costs are for tests only`,
    );
  }
  if (settings.TOOL_KEY_BITS < PRODUCTION_TOOL_KEY_BITS) {
    problems.push(
      `TOOL_KEY_BITS ${settings.TOOL_KEY_BITS} is below ${PRODUCTION_TOOL_KEY_BITS}, the size ltijs gives a platform's key pair: smaller keys are for tests only`,
    );
  }
  const publicUrl = new URL(settings.PUBLIC_URL);
  if (publicUrl.protocol !== 'https:' && !LOOPBACK_HOSTS.has(publicUrl.hostname)) {
    problems.push(
      "PUBLIC_URL must start with https:// in production: LMS pages are https, and examgate's cookies must be Secure to work inside them (terminate TLS at a proxy in front of examgate)",
    );
  }
  return problems;
}
