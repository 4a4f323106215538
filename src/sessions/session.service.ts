import { createHash, randomBytes } from 'node:crypto';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { WriteBatch } from '../db/write-batch.js';
import type { LaunchContext } from '../lti/launch-context.js';
import type { CandidatePrincipal, CandidateWayIn } from './candidate-principal.js';
import type { SessionHandoverRepository } from './session-handover.repository.js';
import type { SessionRecord, SessionRepository } from './session.repository.js';

/** Long enough to press a button, short enough that a code left on a screen is soon worthless. */
const HANDOVER_TTL_MS = 2 * 60_000;

/** How long a session just started waits in this process for the landing page that follows its launch. */
const FRESH_SESSION_MS = 10_000;
const FRESH_SESSIONS_KEPT = 10_000;

/** A session an LMS launch started: staff pages, and the lobby of a learner's resource link. */
export interface Session {
  kind: 'launch';
  /** Hash of the cookie value: safe to log, and what CSRF tokens are bound to. */
  idHash: string;
  launch: LaunchContext;
}

/** A session a candidate started outside the LMS (one-time credentials, a direct link, an entry code). */
export interface CandidateSession {
  kind: 'candidate';
  idHash: string;
  principal: CandidatePrincipal;
}

export type AnySession = Session | CandidateSession;

/**
 * What a page reads beside its candidate session (SessionService#resumeCandidateWith): `joined`
 * reads the live session row of `idHash` and `T` in one statement; `alone` reads `T` for a
 * session this process already holds.
 */
export interface ReadBesideSession<T> {
  joined(idHash: string): Promise<{ record: SessionRecord; beside: T } | null>;
  alone(session: CandidateSession): Promise<T>;
}

function hash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * A session is created by a validated launch and carries that launch, or by a candidate's
 * sign-in outside the LMS and carries its principal. The two live in different cookies and
 * never stand in for each other (`resume` finds only launch sessions, `resumeCandidate` only
 * candidate ones). The browser holds a random token; the database holds only its hash, so a
 * leaked table opens no session.
 */
export class SessionService {
  /**
   * Sessions this process started in the last seconds, each until its first resume: a launch
   * or a candidate's sign-in answers 303 and the browser comes straight back for the landing
   * page, which then needs no database read to know the session it was just given. Nothing
   * else is served from here, and another process reads the database as always. Ending a
   * session here forgets it here too; one ended by another process within those seconds may
   * serve that single next page before every later request finds it gone.
   */
  readonly #fresh = new Map<string, { session: AnySession; until: number }>();

  constructor(
    private readonly repository: SessionRepository,
    private readonly handovers: SessionHandoverRepository,
    private readonly ttlMs: number,
  ) {}

  /** Returns the token to put in the cookie. */
  async start(launch: LaunchContext): Promise<{ token: string; session: Session }> {
    const token = randomBytes(32).toString('base64url');
    const idHash = hash(token);
    await this.repository.insert(idHash, {
      platformId: launch.platformId,
      userSub: launch.user.sub,
      kind: 'launch',
      candidateId: null,
      way: null,
      payload: JSON.stringify(launch),
      expiresAt: new Date(Date.now() + this.ttlMs),
    });
    const session: Session = { kind: 'launch', idHash, launch };
    this.#keepFresh(session);
    return { token, session };
  }

  /**
   * A candidate's session outside the LMS; returns the token for its (first-party) cookie. With
   * `batch`, its row is written when the batch is sent (the caller sends it before answering).
   */
  async startCandidate(principal: CandidatePrincipal, batch?: WriteBatch): Promise<{ token: string; session: CandidateSession }> {
    const token = randomBytes(32).toString('base64url');
    const idHash = hash(token);
    await this.repository.insert(
      idHash,
      {
        platformId: principal.platformId,
        userSub: `candidate:${principal.candidateId}`,
        kind: 'candidate',
        candidateId: principal.candidateId,
        way: principal.way,
        payload: JSON.stringify(principal),
        expiresAt: new Date(Date.now() + this.ttlMs),
      },
      batch,
    );
    const session: CandidateSession = { kind: 'candidate', idHash, principal };
    // A sign-in answers 303 and the browser comes straight back for the dashboard (as after a launch).
    this.#keepFresh(session);
    return { token, session };
  }

  /** The live candidate session of this cookie value; null for anything else (a launch session's token included). */
  async resumeCandidate(token: string | undefined): Promise<CandidateSession | null> {
    const session =
      token && token.length <= 100 ? ((await this.#takeFresh(hash(token))) ?? (await this.resumeByIdHash(hash(token)))) : null;
    return session?.kind === 'candidate' ? session : null;
  }

  /**
   * `resumeCandidate`, and what `read` reads beside the session: when the session must come from
   * the database, in the same statement (every candidate page needs their test and candidate).
   */
  async resumeCandidateWith<T>(
    token: string | undefined,
    read: ReadBesideSession<T>,
  ): Promise<{ session: CandidateSession; beside: T } | null> {
    if (!token || token.length > 100) {
      return null;
    }
    const idHash = hash(token);
    const fresh = this.#takeFresh(idHash);
    if (fresh) {
      return fresh.kind === 'candidate' ? { session: fresh, beside: await read.alone(fresh) } : null;
    }
    const found = await read.joined(idHash);
    const session = found ? sessionOf(idHash, found.record) : null;
    return found && session?.kind === 'candidate' ? { session, beside: found.beside } : null;
  }

  /** Sign out: the session of this cookie value is gone, on every process (with `batch`, once it is sent). */
  async end(token: string | undefined, batch?: WriteBatch): Promise<void> {
    if (token && token.length <= 100) {
      this.#fresh.delete(hash(token));
      await this.repository.delete(hash(token), batch);
    }
  }

  /**
   * The sessions a candidate opened by these ways in end: their one-time password changed, or
   * their link and code were revoked. A session opened another way is left alone.
   */
  async endCandidate(candidateId: string, ways: readonly CandidateWayIn[], unit?: UnitOfWork): Promise<void> {
    await this.repository.deleteForCandidate(candidateId, ways, unit);
    this.#forgetFresh((s) => s.kind === 'candidate' && s.principal.candidateId === candidateId && ways.includes(s.principal.way));
  }

  /** Every session a permanent user signed in with: their password was reset, or they were deleted. */
  async endPermanentUser(permanentUserId: string, unit?: UnitOfWork): Promise<void> {
    await this.repository.deleteForPermanentUser(permanentUserId, unit);
    this.#forgetFresh((s) => s.kind === 'candidate' && s.principal.permanentUserId === permanentUserId);
  }

  /** The same for every candidate of a test (all its links and codes revoked). */
  async endCandidatesOf(examId: string, ways: readonly CandidateWayIn[], unit?: UnitOfWork): Promise<void> {
    await this.repository.deleteForExam(examId, ways, unit);
    this.#forgetFresh((s) => s.kind === 'candidate' && s.principal.examId === examId && ways.includes(s.principal.way));
  }

  #forgetFresh(matches: (session: AnySession) => boolean): void {
    for (const [idHash, fresh] of this.#fresh) {
      if (matches(fresh.session)) {
        this.#fresh.delete(idHash);
      }
    }
  }

  /** The session this process started moments ago under `idHash`, once; null when there is none (or it waited too long). */
  #takeFresh(idHash: string): AnySession | null {
    const fresh = this.#fresh.get(idHash);
    if (!fresh) {
      return null;
    }
    this.#fresh.delete(idHash);
    return fresh.until > Date.now() ? fresh.session : null;
  }

  #keepFresh(session: AnySession): void {
    const now = Date.now();
    // Oldest first: drop what waited too long, and keep the map bounded under a burst.
    for (const [idHash, fresh] of this.#fresh) {
      if (fresh.until > now && this.#fresh.size < FRESH_SESSIONS_KEPT) {
        break;
      }
      this.#fresh.delete(idHash);
    }
    this.#fresh.set(session.idHash, { session, until: now + FRESH_SESSION_MS });
  }

  /**
   * For a launch validated in a frame where the browser keeps no examgate cookie: a one-time
   * code that a first-party window of examgate exchanges for a session of this launch
   * (`claimHandover`). Only the code's hash is stored; the code travels in a form post body.
   */
  async handOver(launch: LaunchContext, landing: string): Promise<string> {
    const code = randomBytes(32).toString('base64url');
    await this.handovers.insert(hash(code), { launch: JSON.stringify(launch), landing }, new Date(Date.now() + HANDOVER_TTL_MS));
    return code;
  }

  /** Starts the session a hand-over code stands for, once; null when the code is unknown, used or expired. */
  async claimHandover(code: unknown): Promise<{ token: string; landing: string } | null> {
    if (typeof code !== 'string' || code.length > 100) {
      return null;
    }
    const handover = await this.handovers.take(hash(code));
    if (!handover) {
      return null;
    }
    const { token } = await this.start(JSON.parse(handover.launch) as LaunchContext);
    return { token, landing: handover.landing };
  }

  /** Ends every session of a platform examgate no longer keeps apart (it was moved into another). */
  async endAllOf(platformId: string, unit: UnitOfWork): Promise<void> {
    await this.repository.deleteForPlatform(platformId, unit);
    // A session this process just started must not outlive its row through the landing's memory.
    this.#forgetFresh((session) => (session.kind === 'launch' ? session.launch.platformId : session.principal.platformId) === platformId);
  }

  async resume(token: string | undefined): Promise<Session | null> {
    if (!token || token.length > 100) {
      return null;
    }
    const idHash = hash(token);
    const session = this.#takeFresh(idHash) ?? (await this.resumeByIdHash(idHash));
    return session?.kind === 'launch' ? session : null;
  }

  /**
   * The live session whose token hashes to `idHash`, for a request that proves it acts for that
   * session in another way than the cookie (a signed start ticket, which names the hash): a new
   * top-level tab opened from the LMS's iframe does not carry the iframe's cookie.
   */
  async resumeByIdHash(idHash: string): Promise<AnySession | null> {
    if (!/^[0-9a-f]{64}$/.test(idHash)) {
      return null;
    }
    const record = await this.repository.findLive(idHash);
    return record ? sessionOf(idHash, record) : null;
  }
}

function sessionOf(idHash: string, record: SessionRecord): AnySession {
  return record.kind === 'candidate'
    ? { kind: 'candidate', idHash, principal: JSON.parse(record.payload) as CandidatePrincipal }
    : { kind: 'launch', idHash, launch: JSON.parse(record.payload) as LaunchContext };
}
