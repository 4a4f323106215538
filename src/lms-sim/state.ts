/**
 * Everything the simulated LMS remembers, shared by its route modules.
 * Kept in one object so each route file stays a pure function of it.
 */
import { randomBytes } from 'node:crypto';
import type { SigningKey } from './keys.js';
import { AccessTokens } from './tokens.js';
import type { LaunchRequest, LmsContext, RosterMember, ToolEndpoints } from './types.js';

export interface LmsConfig {
  baseUrl: string;
  issuer: string;
  clientId: string;
  deploymentId: string;
  pageSize: number;
}

export interface PendingLaunch {
  request: LaunchRequest;
  loginHint: string;
  targetLinkUri: string;
  createdAt: number;
}

export interface LineItem extends Record<string, unknown> {
  id: string;
  label: string;
  scoreMaximum: number;
}

/** Launches nobody completes (closed demo tabs) are forgotten after this long. */
const PENDING_TTL_MS = 10 * 60 * 1000;

export class LmsState {
  tool: ToolEndpoints | null = null;
  nrpsFailure: number | null = null;
  /** Pages NRPS still serves normally before nrpsFailure applies. */
  nrpsPagesBeforeFailure = 0;
  /** When set, NRPS stops answering once this many more pages were served (a hung LMS). */
  nrpsStallAfterPages: number | null = null;
  /** Largest page NRPS serves whatever `limit` asks for (Canvas: 50); null = no cap. */
  nrpsPageCap: number | null = null;
  /** When true, the OAuth2 token endpoint takes requests and never answers (a hung LMS). */
  tokenStalled = false;
  /** Score posts still to be refused with `status` before the gradebook accepts them again. */
  scoreFailures: { status: number; remaining: number } | null = null;
  readonly tokens = new AccessTokens();
  readonly pending = new Map<string, PendingLaunch>();
  readonly rosters = new Map<string, RosterMember[]>();
  /** Contexts seen in launches or rosters; services answer 404 for others. */
  readonly contexts = new Map<string, LmsContext>();
  readonly lineItems = new Map<string, LineItem[]>();
  readonly deployments = new Set<string>();
  readonly deepLinkData = new Set<string>();
  readonly scores: Array<{ lineItemUrl: string; score: Record<string, unknown> }> = [];
  readonly deepLinkResponses: Array<{ claims: Record<string, unknown> }> = [];
  readonly requestLog: Array<{ method: string; path: string }> = [];

  constructor(
    readonly config: LmsConfig,
    readonly key: SigningKey,
  ) {
    this.deployments.add(config.deploymentId);
  }

  /** Absolute URL of an LMS route. */
  url(path: string): string {
    return `${this.config.baseUrl}${path}`;
  }

  /** The registered tool; launches and tool-signed messages need one. */
  requireTool(): ToolEndpoints {
    if (!this.tool) {
      throw new Error('SimulatedLms: call configureTool() before launching');
    }
    return this.tool;
  }

  /**
   * Records a launch the user is about to start and returns the tool's login
   * initiation URL (LTI 1.3 core §4.1 third-party initiated login).
   */
  registerLaunch(request: LaunchRequest, now = Date.now()): string {
    const tool = this.requireTool();
    this.#forgetStale(now);
    const messageHint = randomBytes(16).toString('hex');
    const deepLinking = request.messageType === 'LtiDeepLinkingRequest';
    const target = request.targetLinkUri ?? (deepLinking ? (tool.deepLinkingUrl ?? tool.launchUrl) : tool.launchUrl);
    this.pending.set(messageHint, { request, loginHint: request.user.sub, targetLinkUri: target, createdAt: now });
    const login = new URL(tool.loginUrl);
    login.searchParams.set('iss', this.config.issuer);
    login.searchParams.set('login_hint', request.user.sub);
    login.searchParams.set('target_link_uri', target);
    login.searchParams.set('lti_message_hint', messageHint);
    login.searchParams.set('client_id', this.config.clientId);
    login.searchParams.set('lti_deployment_id', request.deploymentId ?? this.config.deploymentId);
    return login.toString();
  }

  /** Remembers a context so the services can serve it. */
  rememberContext(context: LmsContext): void {
    const known = this.contexts.get(context.id);
    this.contexts.set(context.id, { ...known, ...context });
  }

  #forgetStale(now: number): void {
    for (const [hint, launch] of this.pending) {
      if (now - launch.createdAt > PENDING_TTL_MS) {
        this.pending.delete(hint);
      }
    }
  }
}
