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

/** Signs an LtiDeepLinkingResponse that places each item as an LTI resource link back to examgate. */
export function createDeepLinkResponder(publicUrl: string) {
  return async (launch: LaunchContext, items: Array<{ title: string; text?: string }>) => {
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

async function fetchOpenIdConfiguration(url: string): Promise<OpenIdConfiguration> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) {
    throw new Error(`the LMS's openid_configuration answered HTTP ${response.status}`);
  }
  const body = (await response.json()) as Partial<OpenIdConfiguration>;
  for (const field of ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri', 'registration_endpoint'] as const) {
    if (typeof body[field] !== 'string') {
      throw new Error(`the LMS's openid_configuration has no ${field}`);
    }
  }
  return body as OpenIdConfiguration;
}

/**
 * LTI Dynamic Registration (Moodle 4.x "register from URL"): ltijs performs the exchange;
 * examgate then records the new platform. Its first deployment is held for an admin's
 * approval unless DYNAMIC_REGISTRATION_AUTO_ACTIVATE is on, since anyone can reach this URL.
 */
export function handleDynamicRegistration(platforms: PlatformService, config: Config, log: Logger): RequestHandler {
  return (req, res) => {
    const openidConfiguration = typeof req.query.openid_configuration === 'string' ? req.query.openid_configuration : '';
    const registrationToken = typeof req.query.registration_token === 'string' ? req.query.registration_token : undefined;
    if (!openidConfiguration || !Provider.DynamicRegistration) {
      res.status(400).render('error.njk', {
        title: 'Registration failed',
        message: 'Open this address from your LMS\'s "register tool from URL" page: it needs the openid_configuration parameter.',
      });
      return;
    }
    const register = async () => {
      const lms = await fetchOpenIdConfiguration(openidConfiguration);
      const before = new Set((await platforms.list()).map((p) => p.clientId));
      const closeScript = await Provider.DynamicRegistration!.register(openidConfiguration, registrationToken);
      const registered = await Provider.getPlatform(lms.issuer);
      for (const platform of registered || []) {
        const clientId = await platform.platformClientId();
        if (!before.has(clientId)) {
          await platforms.recordDynamicRegistration({
            issuer: lms.issuer,
            clientId,
            authUrl: lms.authorization_endpoint,
            tokenUrl: lms.token_endpoint,
            jwksUrl: lms.jwks_uri,
            ltijsPlatformId: await platform.platformId(),
            newDeploymentPolicy: config.DYNAMIC_REGISTRATION_AUTO_ACTIVATE ? 'accept' : 'hold',
          });
          log.info({ issuer: lms.issuer, clientId }, 'platform registered dynamically');
        }
      }
      res.status(200).type('html').send(closeScript);
    };
    register().catch((err: unknown) => {
      log.warn({ err }, 'dynamic registration failed');
      const reason =
        err instanceof Error && err.message === 'PLATFORM_ALREADY_REGISTERED'
          ? 'examgate is already registered with this LMS.'
          : `examgate could not complete the registration: ${err instanceof Error ? err.message : 'unknown error'}.`;
      res.status(400).render('error.njk', { title: 'Registration failed', message: reason });
    });
  };
}
