import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import type { AuditBy } from '../audit/audit.js';
import { bootstrap } from '../bootstrap.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { InvalidPlatformError, type PlatformField } from '../platforms/platform.errors.js';
import type { Platform, PresetName } from '../platforms/platform.js';
import { describeToolConfiguration, toolConfiguration } from '../platforms/tool-configuration.js';
import { registrationUrlCommand } from './registration-url.js';

const USAGE = `Usage:
  npm run platform -- add --issuer URL --client-id ID --deployment-id ID [--deployment-id ID ...]
                          [--preset moodle|canvas] [--auth-url URL --token-url URL --jwks-url URL]
                          [--name NAME] [--new-deployments accept|hold] [--skip-jwks-check]
  npm run platform -- list
  npm run platform -- remove --id PLATFORM_ID
  npm run platform -- approve --id PLATFORM_ID
  npm run platform -- approve-deployment --id PLATFORM_ID --deployment-id ID
  npm run platform -- registration-url [--hours N]
  npm run platform -- registration-urls
  npm run platform -- revoke-registration-url --id URL_ID`;

const COMMANDS = [
  'add',
  'list',
  'remove',
  'approve',
  'approve-deployment',
  'registration-url',
  'registration-urls',
  'revoke-registration-url',
];

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

function show(platform: Platform): string {
  const deployments = platform.deployments.map((d) => `${d.deploymentId} (${d.status})`).join(', ') || 'none yet';
  return [
    `${platform.id}  ${platform.name}  [${platform.preset}]${platform.status === 'pending' ? '  PENDING: approve it with `approve --id`' : ''}`,
    `  issuer ${platform.issuer}  client id ${platform.clientId}`,
    `  auth ${platform.authUrl}`,
    `  token ${platform.tokenUrl}`,
    `  jwks ${platform.jwksUrl}`,
    `  deployments: ${deployments}; new deployments: ${platform.newDeploymentPolicy ?? 'system default'}`,
  ].join('\n');
}

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

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      issuer: { type: 'string' },
      'client-id': { type: 'string' },
      'deployment-id': { type: 'string', multiple: true },
      preset: { type: 'string' },
      'auth-url': { type: 'string' },
      'token-url': { type: 'string' },
      'jwks-url': { type: 'string' },
      name: { type: 'string' },
      'new-deployments': { type: 'string' },
      'skip-jwks-check': { type: 'boolean' },
      id: { type: 'string' },
      hours: { type: 'string' },
    },
  });
  const command = positionals[0];
  if (!command || !COMMANDS.includes(command)) {
    console.error(USAGE);
    return 2;
  }
  const preset = values.preset;
  if (preset !== undefined && preset !== 'canvas' && preset !== 'moodle') {
    console.error(`--preset must be canvas or moodle, got "${preset}".`);
    return 2;
  }
  const policy = values['new-deployments'];
  if (policy !== undefined && policy !== 'accept' && policy !== 'hold') {
    console.error(`--new-deployments must be accept or hold, got "${policy}".`);
    return 2;
  }
  const hours = values.hours === undefined ? undefined : Number(values.hours);
  if (hours !== undefined && !(Number.isInteger(hours) && hours > 0)) {
    console.error(`--hours must be a whole number of hours, got "${values.hours}".`);
    return 2;
  }
  const config = { ...loadConfig(), DEMO_LMS_ENABLED: false };
  const examgate = await bootstrap(config, createLogger({ LOG_LEVEL: 'warn' }));
  try {
    const { platforms } = examgate;
    if (command === 'list') {
      const all = await platforms.list();
      console.log(all.length === 0 ? 'No platforms registered.' : all.map(show).join('\n\n'));
    } else if (command === 'add') {
      const platform = await platforms.register(
        {
          issuer: values.issuer,
          clientId: values['client-id'] ?? '',
          deploymentIds: values['deployment-id'] ?? [],
          preset: (preset as PresetName | undefined) ?? 'custom',
          authUrl: values['auth-url'],
          tokenUrl: values['token-url'],
          jwksUrl: values['jwks-url'],
          name: values.name,
          newDeploymentPolicy: policy ?? null,
          skipJwksCheck: values['skip-jwks-check'],
        },
        cliActor(),
      );
      console.log(`Registered:\n${show(platform)}\n\n${describeToolConfiguration(toolConfiguration(config.PUBLIC_URL))}`);
    } else if (command.includes('registration-url')) {
      await registrationUrlCommand(command, examgate.registrationUrls, config.DYNAMIC_REGISTRATION, { hours, id: values.id });
    } else if (command === 'approve') {
      await platforms.approvePlatform(values.id ?? '', cliActor());
      console.log(`Approved platform ${values.id}: it may launch examgate now.`);
    } else if (command === 'remove') {
      await platforms.remove(values.id ?? '', cliActor());
      console.log(`Removed platform ${values.id}.`);
    } else {
      await platforms.approveDeployment(values.id ?? '', values['deployment-id']?.[0] ?? '', cliActor());
      console.log(`Approved deployment ${values['deployment-id']?.[0]} on platform ${values.id}.`);
    }
    return 0;
  } finally {
    await examgate.close();
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
