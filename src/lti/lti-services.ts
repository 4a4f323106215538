import { Provider } from 'ltijs';
import type { RequestHandler } from 'express';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { LtiPlatformRegistry, PlatformService } from '../platforms/platform.service.js';
import type { LaunchContext } from './launch-context.js';
import { LTI_PATHS } from './lti-provider.js';
import type { LtijsIdToken } from 'ltijs';

/** Keeps ltijs's copy of each platform in step with examgate's. */
export function createLtiPlatformRegistry(): LtiPlatformRegistry {
  return {
    async register(platform) {
      const registered = await Provider.registerPlatform({
        url: platform.issuer,
        name: platform.name,
        clientId: platform.clientId,
        authenticationEndpoint: platform.authUrl,
        accesstokenEndpoint: platform.tokenUrl,
        authConfig: { method: 'JWK_SET', key: platform.jwksUrl },
      });
      return registered.platformId();
    },
    async remove(issuer, clientId) {
      await Provider.deletePlatform(issuer, clientId);
    },
  };
}

/** One LTI resource link placed back in the course; `custom` comes back on every launch of it. */
export interface PlacedLink {
  title: string;
  text?: string;
  custom: Record<string, string>;
  /** Asks the LMS for a gradebook column for the link, so scores can be posted to it. */
  scoreMaximum?: number;
}

/** Signs an LtiDeepLinkingResponse that places each item as an LTI resource link back to examgate. */
export function createDeepLinkResponder(publicUrl: string) {
  return async (launch: LaunchContext, items: PlacedLink[]) => {
    const token = launch.ltiToken as LtijsIdToken;
    const returnUrl = token.platformContext.deepLinkingSettings?.deep_link_return_url;
    if (typeof returnUrl !== 'string') {
      throw new Error('The deep-linking launch carried no return URL.');
    }
    const contentItems = items.map((item) => ({
      type: 'ltiResourceLink',
      title: item.title,
      text: item.text,
      url: `${publicUrl}${LTI_PATHS.launch}`,
      custom: item.custom,
      ...(item.scoreMaximum ? { lineItem: { scoreMaximum: item.scoreMaximum, label: item.title } } : {}),
    }));
    const jwt = await Provider.DeepLinking.createDeepLinkingMessage(token, contentItems, { message: 'Placed by examgate' });
    return { returnUrl, jwt };
  };
}

interface OpenIdConfiguration {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  registration_endpoint: string;
}

/** Reads the LMS's OpenID configuration once more than ltijs does, so each problem gets a sentence. */
async function fetchOpenIdConfiguration(url: string, allowHttp: boolean): Promise<OpenIdConfiguration> {
  const protocol = URL.canParse(url) ? new URL(url).protocol : '';
  if (protocol !== 'https:' && !(allowHttp && protocol === 'http:')) {
    throw new Error(`openid_configuration must be an ${allowHttp ? 'http(s)' : 'https'} URL, got "${url}"`);
  }
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10_000), headers: { accept: 'application/json' } });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    throw new Error(`the LMS's openid_configuration ${url} could not be reached (${cause})`, { cause: err });
  }
  if (!response.ok) {
    throw new Error(`the LMS's openid_configuration ${url} answered HTTP ${response.status}`);
  }
  const body = (await response.json().catch(() => null)) as Partial<OpenIdConfiguration> | null;
  if (typeof body !== 'object' || body === null) {
    throw new Error(`the LMS's openid_configuration ${url} did not answer a JSON object`);
  }
  for (const field of ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri', 'registration_endpoint'] as const) {
    if (typeof body[field] !== 'string') {
      throw new Error(`the LMS's openid_configuration has no ${field}`);
    }
  }
  return body as OpenIdConfiguration;
}

/** ltijs throws codes and HTTP client errors; an LMS admin needs a sentence and a status. */
function describeRegistrationFailure(err: unknown): { status: number; message: string } {
  if (err instanceof Error && err.message === 'PLATFORM_ALREADY_REGISTERED') {
    return {
      status: 409,
      message:
        'examgate is already registered with this LMS (same issuer and client id). Remove that platform in examgate first to register it again.',
    };
  }
  const response = (err as { response?: { statusCode?: unknown; body?: unknown } } | null)?.response;
  if (typeof response?.statusCode === 'number') {
    let reason = '';
    try {
      const body = JSON.parse(String(response.body)) as { error?: unknown; error_description?: unknown };
      reason = String(body.error_description ?? body.error ?? '');
    } catch {
      // not JSON: the status alone must do
    }
    return { status: 400, message: `The LMS refused the registration (HTTP ${response.statusCode}${reason ? `: ${reason}` : ''}).` };
  }
  return { status: 400, message: `examgate could not complete the registration: ${err instanceof Error ? err.message : 'unknown error'}.` };
}

/** Records in examgate the platforms ltijs registered for this issuer that examgate does not know yet. */
async function recordNewPlatforms(
  platforms: PlatformService,
  lms: OpenIdConfiguration,
  known: Set<string>,
  autoActivate: boolean,
  log: Logger,
) {
  for (const platform of (await Provider.getPlatform(lms.issuer)) || []) {
    const clientId = await platform.platformClientId();
    if (known.has(clientId)) {
      continue;
    }
    const record = {
      issuer: lms.issuer,
      clientId,
      authUrl: lms.authorization_endpoint,
      tokenUrl: lms.token_endpoint,
      jwksUrl: lms.jwks_uri,
      ltijsPlatformId: await platform.platformId(),
      newDeploymentPolicy: autoActivate ? ('accept' as const) : ('hold' as const),
    };
    // ltijs already stored it: never leave it there without examgate's record, or every
    // retry would be refused as "already registered" with nothing an admin could remove.
    await platforms.recordDynamicRegistration(record).catch(async (err: unknown) => {
      await Provider.deletePlatform(lms.issuer, clientId).catch(() => undefined);
      throw err;
    });
    log.info({ issuer: lms.issuer, clientId, autoActivate }, 'platform registered dynamically');
  }
}

/** ltijs's script tells the LMS to close its registration dialog; under examgate's CSP it runs only with the response's nonce. */
function registeredPage(closeScript: string, cspNonce: string, autoActivate: boolean): string {
  const script = closeScript.replace('<script>', `<script nonce="${cspNonce}">`);
  const held = autoActivate ? '' : ' Its first launch waits until an examgate administrator approves the deployment.';
  const text = `examgate is registered with your LMS.${held} You can close this window.`;
  return `<!doctype html><html lang="en"><title>examgate registered</title><p>${text}</p>${script}</html>`;
}

/**
 * LTI Dynamic Registration (Moodle 4.x "register from URL"): ltijs performs the exchange;
 * examgate then records the new platform. Its first deployment is held for an admin's
 * approval unless DYNAMIC_REGISTRATION_AUTO_ACTIVATE is on, since anyone can reach this URL.
 */
export function handleDynamicRegistration(platforms: PlatformService, config: Config, log: Logger): RequestHandler {
  const autoActivate = config.DYNAMIC_REGISTRATION_AUTO_ACTIVATE;
  return (req, res) => {
    const openidConfiguration = typeof req.query.openid_configuration === 'string' ? req.query.openid_configuration : '';
    const registrationToken = typeof req.query.registration_token === 'string' ? req.query.registration_token : undefined;
    const dynamicRegistration = Provider.DynamicRegistration;
    if (!openidConfiguration || !dynamicRegistration) {
      res.status(400).render('error.njk', {
        title: 'Registration failed',
        message: 'Open this address from your LMS\'s "register tool from URL" page: it needs the openid_configuration parameter.',
      });
      return;
    }
    const register = async () => {
      const lms = await fetchOpenIdConfiguration(openidConfiguration, config.NODE_ENV !== 'production');
      const known = new Set((await platforms.list()).filter((p) => p.issuer === lms.issuer).map((p) => p.clientId));
      const closeScript = await dynamicRegistration.register(openidConfiguration, registrationToken);
      await recordNewPlatforms(platforms, lms, known, autoActivate, log);
      res
        .status(200)
        .type('html')
        .send(registeredPage(closeScript, String(res.locals.cspNonce), autoActivate));
    };
    register().catch((err: unknown) => {
      const failure = describeRegistrationFailure(err);
      log.warn({ err, status: failure.status }, 'dynamic registration failed');
      res.status(failure.status).render('error.njk', { title: 'Registration failed', message: failure.message });
    });
  };
}
