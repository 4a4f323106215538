import type { NextFunction, Request, Response } from 'express';
import type { Config } from '../config.js';
import { toLaunchContext } from '../lti/launch-context.js';
import { launchRefusal, type LaunchRefusedError } from '../lti/launch-errors.js';
import type { VerifiedLaunch } from '../lti/lti-provider.js';
import { DeploymentNotAllowedError } from '../platforms/platform.errors.js';
import type { PlatformService } from '../platforms/platform.service.js';
import type { Platform } from '../platforms/platform.js';
import type { SideRead } from '../db/side-read.js';
import type { SessionService } from '../sessions/session.service.js';
import { allowFramingOfHeldPage } from '../web/frame-ancestors.js';
import { LaunchHeldError } from './held-launch.js';
import { SESSION_COOKIE } from './session-context.middleware.js';
import type { Logger } from '../logger.js';
import { renderError } from '../web/error-handler.js';
import { launchCookieOptions } from '../web/cookie-policy.js';
import { postedFromOwnOrigin } from '../web/same-origin.js';

/** Where the window that takes over a launch goes (the same pages a launch lands on). */
export const WINDOW_HANDOVER_PATH = '/lti/launch/window';

/** Turns a validated launch into an examgate session, or a clear refusal. */
export class LaunchController {
  constructor(
    private readonly config: Config,
    private readonly platforms: PlatformService,
    private readonly sessions: SessionService,
    private readonly log: Logger,
  ) {}

  /** The platform a launch names, read by the statement that ends its login (lti-provider.ts). */
  platformRead(issuer: string, clientId: string, deploymentId: string): SideRead<Platform | null> {
    return this.platforms.readForLaunch(issuer, clientId, deploymentId);
  }

  /** `platform` is what `platformRead` read for this launch's issuer, client and deployment: afresh, never cached. */
  async onLaunch(
    { claims, ltiToken, cookiesStick }: VerifiedLaunch,
    platform: Platform | null,
    req: Request,
    res: Response,
    _next: NextFunction,
  ): Promise<void> {
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
        const refusal = err.held
          ? new LaunchHeldError(platform, ltiToken.deploymentId, this.config.PUBLIC_URL)
          : launchRefusal('UNKNOWN_DEPLOYMENT');
        this.log.warn({ platformId: platform.id, deploymentId: ltiToken.deploymentId, held: err.held }, 'launch held for approval');
        renderError(this.log, refusal, req, res);
        return;
      }
      throw err;
    }
    const launch = toLaunchContext(platform, claims, ltiToken);
    const landing = launch.messageType === 'LtiDeepLinkingRequest' ? '/app/deep-link' : '/app';
    if (!cookiesStick) {
      // A session cookie would not be kept in this frame: a first-party window takes the launch over.
      const code = await this.sessions.handOver(launch, landing);
      res
        .set('cache-control', 'no-store')
        .render('launch-new-window.njk', { title: 'Continue in a new window', action: WINDOW_HANDOVER_PATH, code });
      return;
    }
    const { token } = await this.sessions.start(launch);
    res.cookie(SESSION_COOKIE, token, launchCookieOptions(this.config.secureCookies));
    res.redirect(303, landing);
  }

  /**
   * The first-party window a launch was handed over to: exchanges the one-time code for a
   * session of its own. The code must be posted from examgate's own page, so another site
   * cannot sign a browser in as someone else.
   */
  async onWindowHandover(req: Request, res: Response): Promise<void> {
    if (!postedFromOwnOrigin(req, new URL(this.config.PUBLIC_URL).origin)) {
      this.onFailure(launchRefusal('HANDOVER_FROM_ANOTHER_SITE'), req, res);
      return;
    }
    const claimed = await this.sessions.claimHandover((req.body as Record<string, unknown> | undefined)?.code);
    if (!claimed) {
      this.onFailure(launchRefusal('HANDOVER_NOT_PENDING'), req, res);
      return;
    }
    res.cookie(SESSION_COOKIE, claimed.token, launchCookieOptions(this.config.secureCookies));
    res.redirect(303, claimed.landing);
  }

  /** The refusal page, through the one error handler (the error table decides status and page). */
  onFailure(refusal: LaunchRefusedError, req: Request, res: Response): void {
    renderError(this.log, refusal, req, res);
  }

  /** Any other error met while answering an LTI message (a throttle refusal, an outage). */
  onError(err: unknown, req: Request, res: Response): void {
    renderError(this.log, err, req, res);
  }
}
