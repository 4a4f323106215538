import { formatInZone } from '../exams/time-zone.js';
import type { WayInRefusal, WayInResolution } from './way-in-expiry.js';
import type { WayInKind } from './way-in-secret.js';

/** What the refusal page of a link or code says, and with which status. */
export interface RefusalPage {
  status: number;
  title: string;
  message: string;
  code: string;
}

const STATUS: Record<WayInRefusal, number> = { unknown: 404, revoked: 410, expired: 410, closed: 410, withdrawn: 403, draft: 403 };

/**
 * One clear page per reason. An unknown link names nothing (whoever brought it learns nothing of
 * any test); the others name the test, which its candidate knows anyway.
 */
export function refusalPage(kind: WayInKind, refusal: Extract<WayInResolution, { ok: false }>): RefusalPage {
  const noun = kind === 'link' ? 'link' : 'entry code';
  const test = refusal.exam ? `“${refusal.exam.title}”` : 'the test';
  const ask = 'Ask the staff of your test for a new one, or sign in another way.';
  const texts: Record<WayInRefusal, { title: string; message: string }> = {
    unknown: {
      title: `This ${noun} is not known`,
      message:
        kind === 'link'
          ? 'examgate does not know this link. Check that you opened the whole link from your message; it may have been cut in two.'
          : 'examgate does not know this entry code. Check it against your slip and type it again.',
    },
    revoked: { title: `This ${noun} was withdrawn`, message: `This ${noun} was withdrawn by the staff of ${test}. ${ask}` },
    expired: {
      title: `This ${noun} has expired`,
      message: `This ${noun} expired on ${refusal.expiredAt && refusal.exam ? formatInZone(refusal.expiredAt, refusal.exam.timeZone) : 'its expiry date'}. ${ask}`,
    },
    withdrawn: {
      title: 'You are no longer a candidate',
      message: `You were withdrawn from ${test}, so this ${noun} no longer opens it. If you think this is a mistake, ask the staff of the test.`,
    },
    closed: { title: 'This test is closed', message: `${test} is closed: no one can start it any more.` },
    draft: {
      title: 'This test is not open yet',
      message: `${test} has not been opened to candidates yet. Try again when the staff say it is open.`,
    },
  };
  return { status: STATUS[refusal.reason], ...texts[refusal.reason], code: `${kind === 'link' ? 'link' : 'code'}_${refusal.reason}` };
}
