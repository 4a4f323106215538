import { readFileSync } from 'node:fs';
import type { StartDeliveryEngineOptions } from './server.js';

export type CliConfig = { ok: true; options: StartDeliveryEngineOptions } | { ok: false; problems: string[] };

/**
 * Reads the engine's settings from the environment, collecting every problem before giving up:
 * EXAMGATE_URL (required), PORT (4100), HOST (127.0.0.1), MOUNT_PATH (/), PUBLIC_URL,
 * ENGINE_PRIVATE_KEY_FILE (PEM; a key is generated when absent).
 */
export function readCliConfig(env: NodeJS.ProcessEnv): CliConfig {
  const problems: string[] = [];
  const examgateUrl = env.EXAMGATE_URL ?? '';
  if (!isHttpUrl(examgateUrl)) {
    problems.push(`EXAMGATE_URL must be examgate's public http(s) URL (got "${examgateUrl}")`);
  }
  const port = Number(env.PORT ?? '4100');
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    problems.push(`PORT must be a port number (got "${env.PORT ?? ''}")`);
  }
  const mountPath = env.MOUNT_PATH ?? '/';
  if (!mountPath.startsWith('/')) {
    problems.push(`MOUNT_PATH must start with "/" (got "${mountPath}")`);
  }
  if (env.PUBLIC_URL !== undefined && !isHttpUrl(env.PUBLIC_URL)) {
    problems.push(`PUBLIC_URL must be an http(s) URL (got "${env.PUBLIC_URL}")`);
  }
  let privateKeyPem: string | undefined;
  if (env.ENGINE_PRIVATE_KEY_FILE) {
    try {
      privateKeyPem = readFileSync(env.ENGINE_PRIVATE_KEY_FILE, 'utf8');
    } catch (err) {
      problems.push(`ENGINE_PRIVATE_KEY_FILE cannot be read (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  if (problems.length > 0) {
    return { ok: false, problems };
  }
  const options: StartDeliveryEngineOptions = { examgateUrl, port, host: env.HOST ?? '127.0.0.1', mountPath };
  return {
    ok: true,
    options: { ...options, ...(env.PUBLIC_URL ? { publicUrl: env.PUBLIC_URL } : {}), ...(privateKeyPem ? { privateKeyPem } : {}) },
  };
}

function isHttpUrl(value: string): boolean {
  return URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol);
}
