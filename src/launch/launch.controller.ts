import type { CookieOptions, NextFunction, Request, Response } from 'express';
import type { Config } from '../config.js';
import { toLaunchContext } from '../lti/launch-context.js';
import { launchRefusal, type LaunchRefusedError } from '../lti/launch-errors.js';
import type { VerifiedLaunch } from '../lti/lti-provider.js';
import { DeploymentNotAllowedError } from '../platforms/platform.errors.js';
import type { PlatformService } from '../platforms/platform.service.js';
import type { SessionService } from '../sessions/session.service.js';
import { allowFramingOfHeldPage } from '../web/frame-ancestors.js';
import { SESSION_COOKIE } from './session-context.middleware.js';
import type { Logger } from '../logger.js';
import { renderError } from '../web/error-handler.js';

/** Inside an LMS iframe over HTTPS only SameSite=None; Secure cookies survive; plain-http development uses Lax. */
export function sessionCookieOptions(config: Config): CookieOptions {
  return config.secureCookies
    ? { httpOnly: true, secure: true, sameSite: 'none', path: '/' }
    : { httpOnly: true, secure: false, sameSite: 'lax', path: '/' };
}

/** Turns a validated launch into an examgate session, or a clear refusal. */
export class LaunchController {
  constructor(
    private readonly config: Config,
    private readonly platforms: PlatformService,
    private readonly sessions: SessionService,
    private readonly log: Logger,
  ) {}

  async onLaunch({ claims, ltiToken }: VerifiedLaunch, req: Request, res: Response, _next: NextFunction): Promise<void> {
    const platform = await this.platforms.findByIssuerAndClientId(ltiToken.iss, ltiToken.clientId);
    if (!platform) {
      this.onFailure(launchRefusal('UNREGISTERED_PLATFORM'), req, res);
      return;
    }
    try {
      await this.platforms.admitDeployment(platform, ltiToken.deploymentId);
    } catch (err) {
      if (err instanceof DeploymentNotAllowedError) {
        if (platform.status === 'pending') {
          allowFramingOfHeldPage(res, platform);
        }
        this.onFailure(launchRefusal(err.held ? 'DEPLOYMENT_HELD' : 'UNKNOWN_DEPLOYMENT'), req, res);
        return;
      }
      throw err;
    }
    const launch = toLaunchContext(platform.id, claims, ltiToken);
    const { token } = await this.sessions.start(launch);
    res.cookie(SESSION_COOKIE, token, sessionCookieOptions(this.config));
    res.redirect(303, launch.messageType === 'LtiDeepLinkingRequest' ? '/app/deep-link' : '/app');
  }

  /** The refusal page, through the one error handler (the error table decides status and page). */
  onFailure(refusal: LaunchRefusedError, req: Request, res: Response): void {
    renderError(this.log, refusal, req, res);
  }
}
