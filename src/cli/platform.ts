import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import type { AuditBy } from '../audit/audit.js';
import { bootstrap, type Examgate } from '../bootstrap.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { InvalidPlatformError, type PlatformField } from '../platforms/platform.errors.js';
import type { PresetName } from '../platforms/platform.js';
import { holdsText } from '../platforms/platform.presenter.js';
import { describeToolConfiguration, toolConfiguration } from '../platforms/tool-configuration.js';
import { publicUrlWarning, sameLmsHint, showPlatform } from './platform-output.js';
import { registrationUrlCommand } from './registration-url.js';

const USAGE = `Usage:
  npm run platform -- add --issuer URL --client-id ID --deployment-id ID [--deployment-id ID ...]
                          [--preset moodle|canvas] [--auth-url URL --token-url URL --jwks-url URL]
                          [--name NAME] [--new-deployments accept|hold] [--time-zone ZONE] [--skip-jwks-check]
  npm run platform -- list
  npm run platform -- remove --id PLATFORM_ID
  npm run platform -- approve --id PLATFORM_ID
  npm run platform -- approve-deployment --id PLATFORM_ID --deployment-id ID
  npm run platform -- set-time-zone --id PLATFORM_ID --time-zone ZONE
  npm run platform -- move --id PLATFORM_ID --to NEW_REGISTRATION_PLATFORM_ID
  npm run platform -- registration-url [--hours N]
  npm run platform -- registration-urls
  npm run platform -- revoke-registration-url --id URL_ID`;

const COMMANDS = [
  'add',
  'list',
  'remove',
  'approve',
  'approve-deployment',
  'set-time-zone',
  'move',
  'registration-url',
  'registration-urls',
  'revoke-registration-url',
];

/** Commands whose output carries examgate's public URL (which an LMS must reach). */
const PRINTS_PUBLIC_URL = new Set(['add', 'registration-url']);

/** The option that sets each registration field, named after a refusal so the operator knows what to fix. */
const FLAG_OF: Record<PlatformField, string> = {
  preset: '--preset canvas|moodle',
  issuer: '--issuer',
  clientId: '--client-id',
  deploymentIds: '--deployment-id',
  authUrl: '--auth-url',
  tokenUrl: '--token-url',
  jwksUrl: '--jwks-url',
  defaultTimeZone: '--time-zone',
};

const OPTIONS = {
  issuer: { type: 'string' },
  'client-id': { type: 'string' },
  'deployment-id': { type: 'string', multiple: true },
  preset: { type: 'string' },
  'auth-url': { type: 'string' },
  'token-url': { type: 'string' },
  'jwks-url': { type: 'string' },
  name: { type: 'string' },
  'new-deployments': { type: 'string' },
  'time-zone': { type: 'string' },
  'skip-jwks-check': { type: 'boolean' },
  id: { type: 'string' },
  to: { type: 'string' },
  hours: { type: 'string' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** The CLI's changes are an administrator's, named by the account that ran it. */
function cliActor(): AuditBy {
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (some containers): keep $USER
  }
  return { actor: { kind: 'admin', ref: `OS user ${user}` }, via: 'cli' };
}

/** Flags whose values are checked before anything starts; a message, or null. */
function badFlag(values: Values): string | null {
  if (values.preset !== undefined && values.preset !== 'canvas' && values.preset !== 'moodle') {
    return `--preset must be canvas or moodle, got "${values.preset}".`;
  }
  const policy = values['new-deployments'];
  if (policy !== undefined && policy !== 'accept' && policy !== 'hold') {
    return `--new-deployments must be accept or hold, got "${policy}".`;
  }
  if (values.hours !== undefined && !(Number.isInteger(Number(values.hours)) && Number(values.hours) > 0)) {
    return `--hours must be a whole number of hours, got "${values.hours}".`;
  }
  return null;
}

async function add(examgate: Examgate, values: Values, publicUrl: string): Promise<void> {
  const platform = await examgate.platforms.register(
    {
      issuer: values.issuer,
      clientId: values['client-id'] ?? '',
      deploymentIds: values['deployment-id'] ?? [],
      preset: (values.preset as PresetName | undefined) ?? 'custom',
      authUrl: values['auth-url'],
      tokenUrl: values['token-url'],
      jwksUrl: values['jwks-url'],
      name: values.name,
      newDeploymentPolicy: (values['new-deployments'] as 'accept' | 'hold' | undefined) ?? null,
      defaultTimeZone: values['time-zone'],
      skipJwksCheck: values['skip-jwks-check'],
    },
    cliActor(),
  );
  const hint = sameLmsHint(
    platform,
    await examgate.platformMoves.countsOf(platform.id),
    await examgate.platformMoves.sameIssuerAs(platform),
  );
  console.log(
    `Registered:\n${showPlatform(platform)}\n${hint ? `\n${hint}\n` : ''}\n${describeToolConfiguration(toolConfiguration(publicUrl))}`,
  );
}

async function list(examgate: Examgate): Promise<void> {
  const all = await examgate.platforms.list();
  const shown = await Promise.all(
    all.map(async (platform) => {
      const counts = await examgate.platformMoves.countsOf(platform.id);
      const hint = sameLmsHint(platform, counts, await examgate.platformMoves.sameIssuerAs(platform));
      return `${showPlatform(platform, counts)}${hint ? `\n${hint.replace(/^/gm, '  ')}` : ''}`;
    }),
  );
  console.log(all.length === 0 ? 'No platforms registered.' : shown.join('\n\n'));
}

async function move(examgate: Examgate, values: Values): Promise<void> {
  const plan = await examgate.platformMoves.plan(values.id ?? '', values.to ?? '');
  const moved = await examgate.platformMoves.move(plan.from.platform.id, plan.to.platform.id, cliActor());
  const { counts } = plan.from;
  console.log(
    [
      `Moved ${moved.name} to the registration with client id ${moved.clientId} (was ${plan.from.platform.clientId}).`,
      `It keeps what it holds (${holdsText(counts)}); ${plan.to.platform.name} (${plan.to.platform.id}) is no longer a platform of its own.`,
      `Launches with client id ${plan.from.platform.clientId} are refused from now on.`,
      '',
      showPlatform(moved, counts),
    ].join('\n'),
  );
}

async function run(command: string, examgate: Examgate, values: Values, publicUrl: string, mode: 'off' | 'token' | 'open'): Promise<void> {
  const { platforms } = examgate;
  if (command === 'list') {
    await list(examgate);
  } else if (command === 'add') {
    await add(examgate, values, publicUrl);
  } else if (command.includes('registration-url')) {
    await registrationUrlCommand(command, examgate.registrationUrls, mode, {
      hours: values.hours === undefined ? undefined : Number(values.hours),
      id: values.id,
    });
  } else if (command === 'approve') {
    await platforms.approvePlatform(values.id ?? '', cliActor());
    console.log(`Approved platform ${values.id}: it may launch examgate now.`);
  } else if (command === 'remove') {
    await platforms.remove(values.id ?? '', cliActor());
    console.log(`Removed platform ${values.id}.`);
  } else if (command === 'set-time-zone') {
    const platform = await platforms.setDefaultTimeZone(values.id ?? '', values['time-zone'] ?? '', cliActor());
    console.log(`New tests of ${platform.name} start in ${platform.defaultTimeZone} (tests that exist keep theirs).`);
  } else if (command === 'move') {
    await move(examgate, values);
  } else {
    await platforms.approveDeployment(values.id ?? '', values['deployment-id']?.[0] ?? '', cliActor());
    console.log(`Approved deployment ${values['deployment-id']?.[0]} on platform ${values.id}.`);
  }
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: OPTIONS });
  const command = positionals[0];
  if (!command || !COMMANDS.includes(command)) {
    console.error(USAGE);
    return 2;
  }
  const refusal = badFlag(values);
  if (refusal) {
    console.error(refusal);
    return 2;
  }
  const config = { ...loadConfig(), DEMO_LMS_ENABLED: false };
  const warning = PRINTS_PUBLIC_URL.has(command) ? publicUrlWarning(config.PUBLIC_URL) : null;
  const warningAfter = PRINTS_PUBLIC_URL.has(command) ? publicUrlWarning(config.PUBLIC_URL, 'above') : null;
  if (warning) {
    console.error(warning);
  }
  const examgate = await bootstrap(config, createLogger({ LOG_LEVEL: 'warn' }));
  try {
    await run(command, examgate, values, config.PUBLIC_URL, config.DYNAMIC_REGISTRATION);
    return 0;
  } finally {
    await examgate.close();
    if (warningAfter) {
      // Again after the output, where the eye lands last.
      console.error(warningAfter);
    }
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const flag = err instanceof InvalidPlatformError ? FLAG_OF[err.field] : null;
    console.error(err instanceof Error ? `${err.message}${flag ? ` (${flag})` : ''}` : String(err));
    process.exit(1);
  },
);
