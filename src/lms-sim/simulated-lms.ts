/**
 * A simulated LTI 1.3 platform speaking real HTTP: OIDC auth endpoint,
 * JWKS, OAuth2 token endpoint, NRPS, AGS, Deep Linking return and Dynamic Registration. Used by the
 * integration tests (via start()) and mounted into the demo app (via router).
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Router } from 'express';
import { registerAgs } from './ags.js';
import type { Browser } from './browser.js';
import { deepLinkReturn } from './deep-linking.js';
import { asyncHandler } from './http-util.js';
import { createSigningKey } from './keys.js';
import { driveLaunch } from './launch-driver.js';
import { registerNrps } from './nrps.js';
import { authorizationEndpoint } from './oidc.js';
import { RegistrationDesk } from './registration.js';
import { recordOf, restoreRecord, type CourseRecord } from './course-record.js';
import { buildRouter } from './routes.js';
import { LmsState } from './state.js';
import { tokenEndpoint } from './token-endpoint.js';
import type {
  CoursePageOptions,
  LaunchRequest,
  LaunchResult,
  ReceivedRegistration,
  RosterMember,
  SimulatedLmsOptions,
  StartOptions,
  ToolEndpoints,
} from './types.js';

export class SimulatedLms {
  readonly router: Router;
  readonly issuer: string;
  readonly baseUrl: string;
  readonly clientId: string;
  readonly deploymentId: string;
  readonly authUrl: string;
  readonly tokenUrl: string;
  readonly jwksUrl: string;
  /** LTI Dynamic Registration: where a tool reads this platform's OpenID configuration. */
  readonly openidConfigurationUrl: string;
  readonly privateKeyPem: string;
  readonly #state: LmsState;
  readonly #registration: RegistrationDesk;
  #server: Server | null = null;

  /** What a tool needs to register this platform by hand (examgate's CLI, admin API and service take these fields). */
  get registration() {
    return {
      issuer: this.issuer,
      clientId: this.clientId,
      deploymentIds: [this.deploymentId],
      authUrl: this.authUrl,
      tokenUrl: this.tokenUrl,
      jwksUrl: this.jwksUrl,
    };
  }

  /**
   * Listens on 127.0.0.1 with an ephemeral port; the issuer defaults to the
   * resulting base URL (https://<tls.hostname>:<port> with `tls`). Call close() when done.
   */
  static async start(options: StartOptions): Promise<SimulatedLms> {
    const { tls, ...lmsOptions } = options;
    const app = express();
    const server: Server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, app) : createHttpServer(app);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const baseUrl = tls ? `https://${tls.hostname}:${port}` : `http://127.0.0.1:${port}`;
    const lms = new SimulatedLms({ ...lmsOptions, baseUrl });
    app.use(lms.router);
    lms.#server = server;
    return lms;
  }

  /** For mounting `router` at `baseUrl` inside another express app (the demo). */
  constructor(options: SimulatedLmsOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.issuer = options.issuer ?? this.baseUrl;
    this.clientId = options.clientId;
    this.deploymentId = options.deploymentId;
    this.authUrl = `${this.baseUrl}/auth`;
    this.tokenUrl = `${this.baseUrl}/token`;
    this.jwksUrl = `${this.baseUrl}/jwks`;
    this.openidConfigurationUrl = `${this.baseUrl}/openid-configuration`;
    const key = createSigningKey(options.privateKeyPem);
    this.privateKeyPem = key.privateKeyPem;
    const config = {
      baseUrl: this.baseUrl,
      issuer: this.issuer,
      clientId: this.clientId,
      deploymentId: this.deploymentId,
      pageSize: options.pageSize ?? 50,
      messageHint: options.messageHint ?? 'single-use',
      platformStorage: options.platformStorage ?? null,
      fetch: options.fetch ?? fetch,
    };
    this.#state = new LmsState(config, key);
    this.#registration = new RegistrationDesk(this.#state);
    this.router = buildRouter(this.#state, {
      auth: authorizationEndpoint(this.#state),
      token: asyncHandler(tokenEndpoint(this.#state)),
      deepLinkReturn: asyncHandler(deepLinkReturn(this.#state)),
      openidConfiguration: this.#registration.openidConfiguration,
      register: this.#registration.register,
      services: (router) => {
        registerNrps(router, this.#state);
        registerAgs(router, this.#state);
      },
    });
  }

  get scores(): Array<{ lineItemUrl: string; score: Record<string, unknown> }> {
    return this.#state.scores;
  }

  get deepLinkResponses(): Array<{ claims: Record<string, unknown> }> {
    return this.#state.deepLinkResponses;
  }

  /** What a restart should not forget (placed activities, gradebook, contexts): JSON-safe. */
  courseRecord(): CourseRecord {
    return recordOf(this.#state);
  }

  /** Puts back a courseRecord() saved by an earlier process; entries of the wrong shape are skipped. */
  restoreCourseRecord(saved: unknown): void {
    restoreRecord(this.#state, saved);
  }

  get requestLog(): Array<{ method: string; path: string }> {
    return this.#state.requestLog;
  }

  /** Tool registrations accepted through LTI Dynamic Registration, oldest first. */
  get registrations(): ReceivedRegistration[] {
    return this.#registration.received;
  }

  /**
   * What the LMS does when an admin enters a tool's registration URL: that URL with
   * openid_configuration and a fresh single-use registration_token (or `token`) added.
   */
  registrationInitiationUrl(toolRegistrationUrl: string, token: string | null = this.issueRegistrationToken()): string {
    const url = new URL(toolRegistrationUrl);
    url.searchParams.set('openid_configuration', this.openidConfigurationUrl);
    if (token !== null) {
      url.searchParams.set('registration_token', token);
    }
    return url.toString();
  }

  /** A single-use bearer token for the registration endpoint. */
  issueRegistrationToken(): string {
    return this.#registration.issueToken();
  }

  /** Registers the tool the launches go to and whose JWKS the LMS trusts. */
  configureTool(tool: ToolEndpoints): void {
    this.#state.tool = { ...tool };
  }

  /** Drives a complete launch in `browser` and returns the tool's final response. */
  launch(browser: Browser, request: LaunchRequest): Promise<LaunchResult> {
    return driveLaunch(browser, this.loginInitiationUrl(request), request.tamper);
  }

  /** Registers a pending launch and returns the tool login initiation URL to send the user's browser to. */
  loginInitiationUrl(request: LaunchRequest): string {
    return this.#state.registerLaunch(request);
  }

  /**
   * Places the launch `request` on a course page of this LMS and returns the page's URL. Each view
   * of the page posts a fresh login initiation into an iframe (Moodle's "Embed" container).
   */
  coursePageUrl(request: LaunchRequest, options: CoursePageOptions = {}): string {
    return this.#state.url(`/course/${this.#state.place({ request, ...options })}`);
  }

  /** Replaces the NRPS members of a context (and makes the context known to the services). */
  setRoster(contextId: string, members: RosterMember[]): void {
    this.#state.rememberContext({ id: contextId });
    this.#state.rosters.set(
      contextId,
      members.map((m) => ({ ...m, roles: [...m.roles] })),
    );
  }

  /** Serves NRPS pages of at most `size` members whatever the tool asks for, as Canvas does (50); null lifts the cap. */
  capNrpsPageSize(size: number | null): void {
    this.#state.nrpsPageCap = size;
  }

  /** Makes every NRPS request take `ms` whatever its page size, as a Moodle course's does (about 250 ms for 1600 members); 0 for none. */
  chargeNrpsRequests(ms: number): void {
    this.#state.nrpsRequestCostMs = ms;
  }

  /** Revokes every access token issued so far: services answer 401 to them, as after an LMS restart or a key change. */
  revokeAccessTokens(): void {
    this.#state.tokens.revokeAll();
  }

  /** Makes NRPS stop answering after `afterPages` more pages, until called with null. */
  stallNrps(afterPages: number | null): void {
    this.#state.nrpsStallAfterPages = afterPages;
  }

  /** Makes NRPS answer `status` until called with null; with afterPages, only once that many pages were served. */
  failNrps(status: number | null, options: { afterPages?: number } = {}): void {
    this.#state.nrpsFailure = status;
    this.#state.nrpsPagesBeforeFailure = options.afterPages ?? 0;
  }

  /** Makes the OAuth2 token endpoint stop answering (true) or answer again (false). */
  stallTokenEndpoint(stalled: boolean): void {
    this.#state.tokenStalled = stalled;
  }

  /** Makes the next `times` score posts answer `status` (503: the gradebook is having a bad minute). */
  failScores(status: number, times: number): void {
    this.#state.scoreFailures = { status, remaining: times };
  }

  /** Stops the server that start() created; a no-op for a mounted router. */
  async close(): Promise<void> {
    const server = this.#server;
    if (!server) {
      return;
    }
    this.#server = null;
    await new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      // fetch keeps sockets alive; without this close() would wait for them to time out.
      server.closeAllConnections();
    });
  }
}
