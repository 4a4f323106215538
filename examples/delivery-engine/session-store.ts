import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Handoff } from './handoff.js';

const SESSION_LIFETIME_MS = 12 * 60 * 60_000;

/** One candidate taking one test in one browser. */
export interface DeliverySession {
  id: string;
  /** Synchroniser token for the Finish form, bound to this session. */
  csrfToken: string;
  handoff: Handoff;
  expiresAt: number;
}

/**
 * Engine-side sessions in memory: enough for a sample with one process. A production engine
 * keeps them where every process can read them.
 */
export class SessionStore {
  readonly #sessions = new Map<string, DeliverySession>();

  create(handoff: Handoff, now = Date.now()): DeliverySession {
    this.#sweep(now);
    const session = { id: randomToken(), csrfToken: randomToken(), handoff, expiresAt: now + SESSION_LIFETIME_MS };
    this.#sessions.set(session.id, session);
    return session;
  }

  get(id: unknown, now = Date.now()): DeliverySession | undefined {
    const session = typeof id === 'string' ? this.#sessions.get(id) : undefined;
    if (session && session.expiresAt <= now) {
      this.#sessions.delete(session.id);
      return undefined;
    }
    return session;
  }

  delete(id: string): void {
    this.#sessions.delete(id);
  }

  clear(): void {
    this.#sessions.clear();
  }

  #sweep(now: number): void {
    for (const [id, session] of this.#sessions) {
      if (session.expiresAt <= now) {
        this.#sessions.delete(id);
      }
    }
  }
}

/** Constant-time comparison of the posted CSRF token with the session's. */
export function csrfMatches(session: DeliverySession, sent: unknown): boolean {
  if (typeof sent !== 'string') {
    return false;
  }
  const expected = Buffer.from(session.csrfToken);
  const actual = Buffer.from(sent);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function randomToken(): string {
  return randomBytes(32).toString('base64url');
}
