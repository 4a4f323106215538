import type { Logger } from '../logger.js';
import { SYSTEM } from '../audit/audit.js';
import type { Platform } from './platform.js';
import { InvalidPlatformError } from './platform.errors.js';
import type { PlatformService } from './platform.service.js';
import { postRegistration, readLmsConfiguration, toolRegistration, type ExchangeLimits, type ToolUrls } from './registration-exchange.js';
import { DynamicRegistrationOffError, RegistrationRequestError, RegistrationStepError } from './registration.errors.js';
import type { RegistrationTokenService } from './registration-token.service.js';

/** off: closed; token: only with a registration URL an admin created; open: anyone (development only). */
export type DynamicRegistrationMode = 'off' | 'token' | 'open';

/** What the LMS sends to the registration URL, plus examgate's own token from that URL. */
export interface DynamicRegistrationRequest {
  token?: string;
  openidConfiguration?: string;
  registrationToken?: string;
}

export interface DynamicRegistrationOptions {
  mode: DynamicRegistrationMode;
  /** Approve the new platform at once instead of leaving it pending (DYNAMIC_REGISTRATION_AUTO_ACTIVATE). */
  autoActivate: boolean;
  tool: ToolUrls;
  limits: ExchangeLimits;
}

/**
 * LTI Dynamic Registration (Moodle's "register tool from URL", Canvas's dynamic registration):
 * checks the registration URL's token, performs the exchange with the LMS, and registers the
 * LMS through PlatformService, which keeps ltijs's copy in step. The platform stays pending
 * (no launches, not in frame-ancestors) until an admin approves it, unless auto-activation is on.
 */
export class DynamicRegistrationService {
  constructor(
    private readonly platforms: PlatformService,
    private readonly tokens: RegistrationTokenService,
    private readonly options: DynamicRegistrationOptions,
    private readonly log: Logger,
  ) {}

  get mode(): DynamicRegistrationMode {
    return this.options.mode;
  }

  /**
   * Runs one registration; throws a domain error naming what failed. `knownLms` says that
   * examgate already had a platform of the same issuer: the LMS registered examgate again.
   */
  async register(request: DynamicRegistrationRequest): Promise<{ platform: Platform; pending: boolean; knownLms: boolean }> {
    if (this.options.mode === 'off') {
      throw new DynamicRegistrationOffError();
    }
    if (!request.openidConfiguration) {
      throw new RegistrationRequestError();
    }
    // Open mode takes anyone; a token given there is still honoured (and spent).
    const claim = this.options.mode === 'token' || request.token ? await this.tokens.claim(request.token) : null;
    try {
      const platform = await this.exchange(request.openidConfiguration, request.registrationToken);
      if (claim) {
        await this.tokens.complete(claim, platform);
      }
      const knownLms = (await this.platforms.list()).some((p) => p.issuer === platform.issuer && p.id !== platform.id);
      this.log.info(
        { platformId: platform.id, issuer: platform.issuer, pending: platform.status === 'pending', knownLms },
        knownLms ? 'platform registered dynamically, a second registration of a known LMS' : 'platform registered dynamically',
      );
      return { platform, pending: platform.status === 'pending', knownLms };
    } catch (err) {
      if (claim) {
        await this.tokens.release(claim);
      }
      const detail = err instanceof RegistrationStepError ? { step: err.step, detail: err.detail } : { err };
      this.log.warn(detail, 'dynamic registration failed');
      throw err;
    }
  }

  private async exchange(openidConfiguration: string, registrationToken: string | undefined): Promise<Platform> {
    const { tool, limits } = this.options;
    const lms = await readLmsConfiguration(openidConfiguration, limits);
    const granted = await postRegistration(
      lms.registrationEndpoint,
      toolRegistration(tool, lms.claimsSupported),
      registrationToken,
      limits,
    );
    try {
      return await this.platforms.register(
        {
          preset: 'dynamic',
          issuer: lms.issuer,
          clientId: granted.clientId,
          deploymentIds: granted.deploymentId ? [granted.deploymentId] : [],
          authUrl: lms.authorizationEndpoint,
          tokenUrl: lms.tokenEndpoint,
          jwksUrl: lms.jwksUri,
          // The key set is fetched on the first launch; here it would be one more request the LMS controls.
          skipJwksCheck: true,
          pending: !this.options.autoActivate,
        },
        { actor: SYSTEM, via: 'dynamic-registration' },
      );
    } catch (err) {
      if (err instanceof InvalidPlatformError) {
        throw new RegistrationStepError('openid_configuration', err.message);
      }
      throw err;
    }
  }
}
