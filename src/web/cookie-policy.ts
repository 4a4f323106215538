import type { CookieOptions } from 'express';

/**
 * The attributes of every cookie a launch depends on (ltijs's state cookie, the probe that
 * tells whether cookies stick, the session), decided in one place.
 *
 * Over https examgate runs on its own site inside the LMS's iframe, where today's browsers
 * treat its cookies as third-party: Safari and Chrome's incognito windows (and headless
 * Chromium) drop `SameSite=None` cookies there. `Partitioned` (CHIPS) cookies survive: the
 * browser keeps them in a jar of their own for examgate-inside-this-LMS, which is exactly the
 * scope a launch needs. A top-level window of examgate has its own partition, so nothing
 * carries over between a frame and a window (that is why the hand-over to a new window and
 * the start of a test never rely on the cookie).
 *
 * Plain-http development cannot use Secure cookies; there the LMS is the same site (the
 * demo LMS runs on localhost) and `SameSite=Lax` is enough.
 */
export function launchCookieOptions(secure: boolean): CookieOptions {
  return secure
    ? { httpOnly: true, secure: true, sameSite: 'none', partitioned: true, path: '/' }
    : { httpOnly: true, secure: false, sameSite: 'lax', path: '/' };
}

/**
 * A candidate's session outside the LMS (signed in at /login, by a direct link or an entry
 * code) lives in examgate's own top-level window: a first-party cookie. `Lax` keeps it off
 * cross-site posts (CSRF) yet sends it when the delivery engine sends the candidate back.
 */
export function candidateCookieOptions(secure: boolean, maxAgeMs: number): CookieOptions {
  return { httpOnly: true, secure, sameSite: 'lax', path: '/', maxAge: maxAgeMs };
}
