/**
 * Everything the simulated LMS remembers, shared by its route modules.
 * Kept in one object so each route file stays a pure function of it.
 */
import { randomBytes } from 'node:crypto';
import type { SigningKey } from './keys.js';
import { AccessTokens } from './tokens.js';
import type {
  CoursePageOptions,
  LaunchRequest,
  LmsContext,
  MessageHintUse,
  PlatformStorageOptions,
  RosterMember,
  ToolEndpoints,
} from './types.js';

export interface LmsConfig {
  baseUrl: string;
  issuer: string;
  clientId: string;
  deploymentId: string;
  pageSize: number;
  messageHint: MessageHintUse;
  /** null: the LMS offers no platform storage and sends no lti_storage_target (Moodle 4.5). */
  platformStorage: PlatformStorageOptions | null;
  /** How the LMS reaches the tool (its JWKS, to verify deep-linking responses and client assertions). */
  fetch: typeof fetch;
}

/** The third-party initiated login (LTI 1.3 core §4.1) as a form: the tool's login URL and its parameters. */
export interface LoginInitiation {
  action: string;
  params: Record<string, string>;
}

/** An activity placed on a course page; every view of the page starts a fresh launch of it. */
export interface CoursePlacement extends CoursePageOptions {
  request: LaunchRequest;
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
  /** Milliseconds each NRPS request takes whatever its size, as Moodle's (it loads the whole course each time). */
  nrpsRequestCostMs = 0;
  /** When true, the OAuth2 token endpoint takes requests and never answers (a hung LMS). */
  tokenStalled = false;
  /** Score posts still to be refused with `status` before the gradebook accepts them again. */
  scoreFailures: { status: number; remaining: number } | null = null;
  readonly tokens = new AccessTokens();
  readonly pending = new Map<string, PendingLaunch>();
  readonly placements = new Map<string, CoursePlacement>();
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
    const { action, params } = this.startLogin(request, now);
    const login = new URL(action);
    for (const [name, value] of Object.entries(params)) {
      login.searchParams.set(name, value);
    }
    return login.toString();
  }

  /** Records a launch with a fresh lti_message_hint and returns its login initiation as form fields (what Moodle posts). */
  startLogin(request: LaunchRequest, now = Date.now()): LoginInitiation {
    const tool = this.requireTool();
    this.#forgetStale(now);
    const messageHint = randomBytes(16).toString('hex');
    const deepLinking = request.messageType === 'LtiDeepLinkingRequest';
    const target = request.targetLinkUri ?? (deepLinking ? (tool.deepLinkingUrl ?? tool.launchUrl) : tool.launchUrl);
    this.pending.set(messageHint, { request, loginHint: request.user.sub, targetLinkUri: target, createdAt: now });
    const params: Record<string, string> = {
      iss: this.config.issuer,
      login_hint: request.user.sub,
      target_link_uri: target,
      lti_message_hint: messageHint,
      client_id: this.config.clientId,
      lti_deployment_id: request.deploymentId ?? this.config.deploymentId,
    };
    if (this.config.platformStorage) {
      params.lti_storage_target = this.config.platformStorage.target;
    }
    return { action: tool.loginUrl, params };
  }

  /** Places an activity on a course page and returns the page's id. */
  place(placement: CoursePlacement): string {
    this.requireTool();
    const id = randomBytes(8).toString('hex');
    this.placements.set(id, placement);
    return id;
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
