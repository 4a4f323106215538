import type { CandidateIdPolicy } from '../exams/exam.js';
import { CANDIDATE_ID_MAX, type LmsPerson } from './candidate.js';

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

/** Text from an LMS or a form made safe to store: NFC, no control characters, trimmed, at most `max` characters. */
export function cleanText(value: string | null | undefined, max: number): string | null {
  if (typeof value !== 'string') {
    return null;
  }
  const text = value.normalize('NFC').replace(CONTROL_CHARACTERS, ' ').trim();
  if (text === '') {
    return null;
  }
  const chars = Array.from(text);
  return chars.length > max ? chars.slice(0, max).join('') : text;
}

export function anonymousId(n: number): string {
  return String(n).padStart(4, '0');
}

/**
 * The candidate ID the test's policy makes for an LMS person. When the LMS did not send the
 * field the policy asks for, the LMS user id stands in, so nobody is left without an ID.
 */
export function candidateIdFor(policy: Exclude<CandidateIdPolicy, 'anonymous'>, person: LmsPerson): { id: string; fellBack: boolean } {
  const wanted = { lms_id: person.userId, sis_id: person.sisId, email: person.email, full_name: person.name }[policy];
  const id = cleanText(wanted, CANDIDATE_ID_MAX);
  return id ? { id, fellBack: false } : { id: cleanText(person.userId, CANDIDATE_ID_MAX) ?? 'unknown', fellBack: policy !== 'lms_id' };
}

/** Hands out candidate IDs unique within one test: a clash gets " (2)", " (3)", … appended. */
export class CandidateIdAllocator {
  private readonly taken: Set<string>;

  constructor(taken: Iterable<string>) {
    this.taken = new Set(taken);
  }

  claim(base: string): string {
    let id = base;
    for (let n = 2; this.taken.has(id); n += 1) {
      const suffix = ` (${n})`;
      id =
        Array.from(base)
          .slice(0, CANDIDATE_ID_MAX - suffix.length)
          .join('') + suffix;
    }
    this.taken.add(id);
    return id;
  }
}
