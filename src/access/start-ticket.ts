import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { PURPOSE } from './tokens.js';

/** Long enough to read the lobby and wait for the invigilator; the lobby's script renews it while the page is open. */
export const START_TICKET_SECONDS = 10 * 60;

/** Who may be handed off with a ticket: one session's candidate on one test. */
export interface StartTicket {
  sessionIdHash: string;
  examId: string;
  candidateId: string;
}

/** Why a ticket opened nothing: each reason has its own status and message (web/error-table.ts). */
export type StartTicketRefusal = 'missing' | 'invalid' | 'expired' | 'session_ended' | 'mismatch' | 'cross_site';

const MESSAGES: Record<StartTicketRefusal, string> = {
  missing: 'This page opens your test only from the Start button in examgate. Go back to examgate in your course and press Start.',
  invalid:
    'This Start button is not valid: it was changed, or it did not come from examgate. Go back to examgate in your course, reload the page and press Start again.',
  expired: `This Start button has expired: it works for ${START_TICKET_SECONDS / 60} minutes after examgate's page was loaded. Go back to examgate in your course, reload the page and press Start again.`,
  session_ended: 'Your examgate session has ended. Open the test again from your course, then press Start.',
  mismatch:
    'This Start button belongs to another test or to another session than yours. Go back to examgate in your course, reload the page and press Start again.',
  cross_site: "This Start button was not pressed on examgate's own page. Open the test from your course and press Start there.",
};

/** A start ticket examgate will not hand off with; the message tells the candidate what to do. */
export class StartTicketError extends Error {
  constructor(readonly reason: StartTicketRefusal) {
    super(MESSAGES[reason]);
    this.name = 'StartTicketError';
  }
}

const MAX_TICKET_LENGTH = 2048;

/**
 * Start tickets: the lobby's Start form carries one so that the tab it opens (outside the LMS's
 * iframe, without the iframe's session cookie) can still prove whose Start it is. HS256 under a
 * key of its own, derived from the app secret, so a ticket never passes as a cookie signature or
 * a CSRF token; a `purpose` claim and a short expiry; the payload is narrowed field by field.
 * New tickets are signed under SECRET_KEY; during a rotation a lobby loaded before the switch
 * still starts (tickets signed under SECRET_KEY_PREVIOUS are read too).
 */
export class StartTickets {
  /**
   * As KeyObjects, made once: given a Buffer, jsonwebtoken first tries to parse it as a private
   * (or public) key, and the exception of that failed parse cost more CPU than the whole rest of
   * a lobby page (every lobby issues a ticket, and its script renews it).
   */
  private readonly keys: KeyObject[];

  constructor(
    secrets: string | readonly string[],
    private readonly lifetimeSeconds = START_TICKET_SECONDS,
  ) {
    this.keys = (typeof secrets === 'string' ? [secrets] : secrets).map((secret) =>
      createSecretKey(createHmac('sha256', secret).update('examgate start tickets').digest()),
    );
    if (this.keys.length === 0) {
      throw new Error('StartTickets needs a secret');
    }
  }

  private get key(): KeyObject {
    return this.keys[0]!;
  }

  issue(ticket: StartTicket, now = Date.now()): string {
    const claims = { purpose: PURPOSE.startTicket, sid: ticket.sessionIdHash, exam: ticket.examId, cand: ticket.candidateId };
    return jwt.sign({ ...claims, iat: Math.floor(now / 1000) }, this.key, { algorithm: 'HS256', expiresIn: this.lifetimeSeconds });
  }

  /** The ticket's contents, or a StartTicketError saying why it is no good. */
  read(token: unknown): StartTicket {
    if (typeof token !== 'string' || token === '') {
      throw new StartTicketError('missing');
    }
    if (token.length > MAX_TICKET_LENGTH) {
      throw new StartTicketError('invalid');
    }
    const claims = this.verified(token);
    const { purpose, sid, exam, cand } = claims as Record<string, unknown>;
    if (purpose !== PURPOSE.startTicket || !isText(sid) || !isText(exam) || !isText(cand) || typeof claims.exp !== 'number') {
      throw new StartTicketError('invalid');
    }
    return { sessionIdHash: sid, examId: exam, candidateId: cand };
  }

  private verified(token: string): jwt.JwtPayload {
    return verifiedUnder(this.keys, token);
  }
}

/** Throws StartTicketError: expired when any key's signature holds but the time is up, invalid when none holds. */
function verifiedUnder(keys: readonly KeyObject[], token: string): jwt.JwtPayload {
  let expired = false;
  for (const key of keys) {
    try {
      return jwt.verify(token, key, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    } catch (err) {
      expired ||= err instanceof jwt.TokenExpiredError;
    }
  }
  throw new StartTicketError(expired ? 'expired' : 'invalid');
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 255;
}
