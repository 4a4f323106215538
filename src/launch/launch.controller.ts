import type { CookieOptions, NextFunction, Request, Response } from 'express';
import type { Config } from '../config.js';
import { toLaunchContext } from '../lti/launch-context.js';
import { describeLaunchFailure, type LaunchFailure } from '../lti/launch-errors.js';
import type { VerifiedLaunch } from '../lti/lti-provider.js';
import { LTI_PATHS } from '../lti/lti-provider.js';
import { DeploymentNotAllowedError } from '../platforms/platform.errors.js';
import type { PlatformService } from '../platforms/platform.service.js';
import type { SessionService } from '../sessions/session.service.js';
import { SESSION_COOKIE } from './session-context.js';

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
  ) {}

  async onLaunch({ claims, ltiToken }: VerifiedLaunch, req: Request, res: Response, _next: NextFunction): Promise<void> {
    const platform = await this.platforms.findByIssuerAndClientId(ltiToken.iss, ltiToken.clientId);
    if (!platform) {
      this.onFailure(describeLaunchFailure('UNREGISTERED_PLATFORM'), req, res, null);
      return;
    }
    try {
      await this.platforms.admitDeployment(platform, ltiToken.deploymentId);
    } catch (err) {
      if (err instanceof DeploymentNotAllowedError) {
        this.onFailure(describeLaunchFailure(err.held ? 'DEPLOYMENT_HELD' : 'UNKNOWN_DEPLOYMENT'), req, res, null);
        return;
      }
      throw err;
    }
    const launch = toLaunchContext(platform.id, claims, ltiToken);
    const { token } = await this.sessions.start(launch);
    res.cookie(SESSION_COOKIE, token, sessionCookieOptions(this.config));
    res.redirect(303, launch.messageType === 'LtiDeepLinkingRequest' ? '/app/deep-link' : '/app');
  }

  /** The refusal page; when the browser dropped the state cookie it offers a first-party window. */
  onFailure(failure: LaunchFailure, _req: Request, res: Response, loginParams: Record<string, string> | null): void {
    if (failure.code === 'MISSING_VALIDATION_COOKIE') {
      res.status(401).render('cookie-blocked.njk', { loginUrl: LTI_PATHS.login, loginParams, title: 'Open examgate in a new window' });
      return;
    }
    if (failure.status === 503) {
      res.set('Retry-After', '30');
    }
    res.status(failure.status).render('error.njk', { ...failure });
  }
}
