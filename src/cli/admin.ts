import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import type { AuditBy } from '../audit/audit.js';
import { bootstrap, type Examgate } from '../bootstrap.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';

const USAGE = `Usage:
  npm run admin -- add --platform PLATFORM_ID --username NAME [--password-stdin]
  npm run admin -- list --platform PLATFORM_ID
  npm run admin -- two-step-off --platform PLATFORM_ID --username NAME

add prints a generated password once, unless --password-stdin reads a chosen one (at least 8
characters with an upper-case letter and a digit) from standard input. two-step-off is for an
admin who lost their authenticator app. Platform ids: npm run platform -- list`;

const OPTIONS = {
  platform: { type: 'string' },
  username: { type: 'string' },
  'password-stdin': { type: 'boolean' },
} as const;

function cliActor(): AuditBy {
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (a container): the environment's name is the best there is.
  }
  return { actor: { kind: 'admin', ref: `OS user ${user}` }, via: 'cli' };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
  }
  // One trailing newline (echo, a here-string) is not part of the password.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function run(command: string, examgate: Examgate, platformId: string, username: string, fromStdin: boolean): Promise<void> {
  const platform = await examgate.platforms.get(platformId);
  const accounts = examgate.adminAccounts;
  if (command === 'list') {
    const all = await accounts.list(platform.id);
    console.log(
      all.length === 0
        ? `No admin accounts on ${platform.name} yet.`
        : all.map((a) => `${a.username}\ttwo-step ${a.totpEnabled ? 'on' : 'off'}\tcreated ${a.createdAt.toISOString()}`).join('\n'),
    );
    return;
  }
  if (command === 'add') {
    const password = fromStdin ? await readStdin() : null;
    const { account, generated } = await accounts.create(platform.id, username, password, cliActor());
    console.log(`Added admin account ${account.username} on ${platform.name}. They sign in at /institution.`);
    if (generated) {
      console.log(`Password (shown only now): ${generated}`);
    }
    return;
  }
  const found = (await accounts.list(platform.id)).find((a) => a.username.toLowerCase() === username.normalize('NFC').trim().toLowerCase());
  if (!found) {
    throw new Error(`${platform.name} has no admin account "${username}".`);
  }
  await accounts.disableTotp(platform.id, found.id, cliActor());
  console.log(`Two-step sign-in of ${found.username} is off; they can set it up again after signing in.`);
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: OPTIONS });
  const command = positionals[0];
  if (!command || !['add', 'list', 'two-step-off'].includes(command) || !values.platform || (command !== 'list' && !values.username)) {
    console.error(USAGE);
    return 2;
  }
  const config = { ...loadConfig(), DEMO_LMS_ENABLED: false };
  const examgate = await bootstrap(config, createLogger({ LOG_LEVEL: 'warn' }));
  try {
    await run(command, examgate, values.platform, values.username ?? '', values['password-stdin'] === true);
    return 0;
  } finally {
    await examgate.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
