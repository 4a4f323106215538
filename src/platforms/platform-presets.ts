import type { PresetName } from './platform.js';
import { InvalidPlatformError } from './platform.errors.js';

export interface Endpoints {
  authUrl: string;
  tokenUrl: string;
  jwksUrl: string;
}

/**
 * Instructure's hosted Canvas issuers and the shared endpoints each answers on
 * (https://canvas.instructure.com/doc/api/file.lti_dev_key_config.html).
 */
const CANVAS_CLOUD: Record<string, string> = {
  'https://canvas.instructure.com': 'https://sso.canvaslms.com',
  'https://canvas.beta.instructure.com': 'https://sso.beta.canvaslms.com',
  'https://canvas.test.instructure.com': 'https://sso.test.canvaslms.com',
};

export const CANVAS_DEFAULT_ISSUER = 'https://canvas.instructure.com';

function canvasEndpoints(issuer: string): Endpoints {
  // A self-hosted Canvas answers on its own domain, which is then also its issuer.
  const base = CANVAS_CLOUD[issuer] ?? issuer;
  return {
    authUrl: `${base}/api/lti/authorize_redirect`,
    tokenUrl: `${base}/login/oauth2/token`,
    jwksUrl: `${base}/api/lti/security/jwks`,
  };
}

/** Moodle's issuer is its site URL; the LTI endpoints live under /mod/lti. */
function moodleEndpoints(issuer: string): Endpoints {
  return {
    authUrl: `${issuer}/mod/lti/auth.php`,
    tokenUrl: `${issuer}/mod/lti/token.php`,
    jwksUrl: `${issuer}/mod/lti/certs.php`,
  };
}

/** Fills endpoints a preset knows; explicit values always win. */
export function resolveEndpoints(preset: PresetName, issuer: string, given: Partial<Endpoints>): Endpoints {
  const known = preset === 'canvas' ? canvasEndpoints(issuer) : preset === 'moodle' ? moodleEndpoints(issuer) : {};
  const merged = { ...known, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v)) } as Partial<Endpoints>;
  const missing = (['authUrl', 'tokenUrl', 'jwksUrl'] as const).filter((k) => !merged[k]);
  if (missing.length > 0) {
    const labels = { authUrl: 'auth URL', tokenUrl: 'token URL', jwksUrl: 'JWKS URL' };
    throw new InvalidPlatformError(
      `Missing endpoint${missing.length > 1 ? 's' : ''}: ${missing.map((k) => labels[k]).join(', ')}. Give ${missing.length > 1 ? 'them' : 'it'}, or choose Moodle or Canvas.`,
      missing[0],
    );
  }
  return merged as Endpoints;
}
