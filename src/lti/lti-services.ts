import { Provider } from 'ltijs';
import type { LtiPlatformRegistry } from '../platforms/platform.service.js';
import type { LaunchContext } from './launch-context.js';
import { LTI_PATHS } from './lti-provider.js';
import { storeNewLtijsPlatform, type ToolKeyBits } from './tool-key-pair.js';
import type { LtijsIdToken } from 'ltijs';

/**
 * Keeps ltijs's copy of each platform in step with examgate's. `encryptionKey` is the one ltijs
 * was set up with (SECRET_KEY): the tool's key pairs are sealed with it; `keyBits` is their size
 * (TOOL_KEY_BITS).
 */
export function createLtiPlatformRegistry(encryptionKey: string, keyBits: ToolKeyBits): LtiPlatformRegistry {
  return {
    async register(platform) {
      const registration = {
        url: platform.issuer,
        name: platform.name,
        clientId: platform.clientId,
        authenticationEndpoint: platform.authUrl,
        accesstokenEndpoint: platform.tokenUrl,
        authConfig: { method: 'JWK_SET', key: platform.jwksUrl },
      } as const;
      if (!(await Provider.getPlatform(platform.issuer, platform.clientId))) {
        // New: stored with a key pair made off the event loop (ltijs would block it for seconds).
        return storeNewLtijsPlatform(Provider.Database, encryptionKey, registration, keyBits);
      }
      // Known to ltijs: it updates the row and keeps the platform's key pair.
      const registered = await Provider.registerPlatform(registration);
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
