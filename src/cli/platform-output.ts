import type { Platform } from '../platforms/platform.js';
import type { PlatformWithCounts, TenantCounts } from '../platforms/platform-move.service.js';
import { holdsText as holds } from '../platforms/platform.presenter.js';

const DEVELOPMENT_PUBLIC_URL = 'http://localhost:3000';

/** Hosts only the machine itself reaches: an LMS elsewhere cannot use an address on one. */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || host === '0.0.0.0' || /^127\./.test(host);
}

/**
 * The CLI reads its settings as the server does (config files, then the environment), but from
 * the shell it runs in: without the server's PUBLIC_URL it prints addresses no LMS can reach.
 * Null when PUBLIC_URL looks like a real address.
 */
export function publicUrlWarning(publicUrl: string, where: 'below' | 'above' = 'below'): string | null {
  if (!isLoopbackHost(new URL(publicUrl).hostname)) {
    return null;
  }
  const what = publicUrl === DEVELOPMENT_PUBLIC_URL ? "examgate's development default" : 'an address only this machine reaches';
  const rule = '!'.repeat(78);
  return [
    rule,
    `WARNING: PUBLIC_URL is ${publicUrl}, ${what}.`,
    `An LMS cannot reach examgate there: the URLs ${where} will not work in Canvas or Moodle.`,
    "Run this command with the PUBLIC_URL (and DATABASE_URL, SECRET_KEY) examgate's server runs with, e.g.",
    '  PUBLIC_URL=https://examgate.example.edu npm run platform -- …',
    "or copy the values from the admin page (PUBLIC_URL/admin), which shows the server's own.",
    rule,
  ].join('\n');
}

/** One platform, as `list` and `add` print it. */
export function showPlatform(platform: Platform, counts?: TenantCounts): string {
  const deployments = platform.deployments.map((d) => `${d.deploymentId} (${d.status})`).join(', ') || 'none yet';
  return [
    `${platform.id}  ${platform.name}  [${platform.preset}]${platform.status === 'pending' ? '  PENDING: approve it with `approve --id`' : ''}`,
    `  issuer ${platform.issuer}  client id ${platform.clientId}`,
    `  auth ${platform.authUrl}`,
    `  token ${platform.tokenUrl}`,
    `  jwks ${platform.jwksUrl}`,
    `  deployments: ${deployments}; new deployments: ${platform.newDeploymentPolicy ?? 'system default'}`,
    `  default time zone for new tests: ${platform.defaultTimeZone}`,
    ...(counts ? [`  holds ${holds(counts)}`] : []),
  ].join('\n');
}

/**
 * When the LMS is registered more than once: what that means and the command that moves an
 * earlier registration (its courses, tests, candidates) to this one, which holds no test.
 */
export function sameLmsHint(platform: Platform, counts: TenantCounts, others: PlatformWithCounts[]): string | null {
  if (others.length === 0) {
    return null;
  }
  const lines = [
    `NOTE: ${platform.issuer} is also registered as:`,
    ...others.map((o) => `  ${o.platform.id}  ${o.platform.name}  client id ${o.platform.clientId}  (${holds(o.counts)})`),
  ];
  if (counts.tests > 0) {
    return [...lines, 'Each registration is a separate platform with its own courses and tests.'].join('\n');
  }
  return [
    ...lines,
    `This registration (client id ${platform.clientId}) is a separate, empty platform: the LMS's courses show no tests through it.`,
    'If the LMS registered examgate again, move the earlier registration here (it keeps its courses, tests and candidates):',
    ...others.map((o) => `  npm run platform -- move --id ${o.platform.id} --to ${platform.id}`),
  ].join('\n');
}
