/**
 * The baseline: a minimal ltijs 5.9.9 tool as its documentation sets one up — ltijs-sequelize
 * storage, default (non-ltiaas) launch flow with an ltik redirect, the platform registered
 * with its key set URL (authConfig JWK_SET), and onConnect rendering a small page.
 *
 * Environment (set by the bench): PORT, DATABASE_URL (sqlite:FILE or postgres://…),
 * TOKEN_MAX_AGE_SECONDS, and LMS_ISSUER, LMS_CLIENT_ID, LMS_AUTH_URL, LMS_TOKEN_URL, LMS_JWKS_URL.
 */
import { createServer } from 'node:http';
import { Provider } from 'ltijs';
import Database from 'ltijs-sequelize';
import type { Options } from 'sequelize';
import { installProbe, signalReady } from './child-probe.js';

function env(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`bare-ltijs-tool: ${name} is required`);
  }
  return value;
}

/** Same connection settings examgate gets, minus its SQLite pragmas (a stock tool has none). */
function storage(url: string): Database {
  if (url.startsWith('sqlite:')) {
    return new Database('ltijs', null, null, { dialect: 'sqlite', storage: url.slice('sqlite:'.length), logging: false });
  }
  const parsed = new URL(url);
  const options: Options = {
    dialect: 'postgres',
    host: parsed.hostname,
    port: Number(parsed.port || 5432),
    logging: false,
    // examgate's pool size, so the baseline is not held back by Sequelize's default of 5.
    pool: { max: 20, min: 0, idle: 10_000, acquire: 15_000 },
  };
  return new Database(parsed.pathname.slice(1), decodeURIComponent(parsed.username) || 'postgres', parsed.password || null, options);
}

installProbe();
Provider.setup(
  'bench-bare-ltijs-encryption-key-0123456789',
  { plugin: storage(env('DATABASE_URL')) },
  {
    appRoute: '/',
    loginRoute: '/login',
    keysetRoute: '/keys',
    cookies: { secure: false, sameSite: 'Lax' },
    devMode: false,
    tokenMaxAge: Number(env('TOKEN_MAX_AGE_SECONDS')),
  },
);
Provider.onConnect((token, _req, res) => {
  const name = token.userInfo.name ?? 'candidate';
  res.send(
    `<!doctype html><html><head><title>bare ltijs</title></head><body><h1>Welcome, ${name.replace(/[<&>"]/g, '')}</h1></body></html>`,
  );
});
await Provider.deploy({ serverless: true, silent: true });
await Provider.registerPlatform({
  url: env('LMS_ISSUER'),
  name: 'bench LMS',
  clientId: env('LMS_CLIENT_ID'),
  authenticationEndpoint: env('LMS_AUTH_URL'),
  accesstokenEndpoint: env('LMS_TOKEN_URL'),
  authConfig: { method: 'JWK_SET', key: env('LMS_JWKS_URL') },
});
const server = createServer(Provider.app);
// As examgate's server (src/main.ts): idle keep-alive connections outlive the gaps between
// runs, so neither tool's first requests of a run race a closing connection.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
await new Promise<void>((resolve) => server.listen(Number(env('PORT')), '127.0.0.1', resolve));
signalReady();

process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  Provider.close({ silent: true }).then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
