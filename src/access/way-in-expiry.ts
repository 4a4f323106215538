import type { CandidatePrincipal, CandidateWayIn } from '../sessions/candidate-principal.js';
import type { ExamStatus } from '../exams/exam.js';
import type { WayInKind } from './way-in-secret.js';

/** What a test says about when its ways in stop working. */
export interface ExpiryFacts {
  closesAt: Date | null;
  /** The test's own override (edit form), for every candidate alike. */
  accessExpiresAt: Date | null;
}

/**
 * When a candidate's direct link and entry code stop working: the test's override when it has
 * one, else the earlier of the end of the window plus the candidate's extra time (the same end
 * as their lobby's, exams/exam.ts personalEnd) and the end of the lifetime the way in got when
 * it was issued (system settings: default link lifetime). Neither gives no date: its ways in
 * work until the test is closed, which refuses them anyway.
 */
export function wayInExpiry(exam: ExpiryFacts, extraTimeMinutes: number, lifetimeEndsAt: Date | null = null): Date | null {
  if (exam.accessExpiresAt) {
    return exam.accessExpiresAt;
  }
  const windowEnd = exam.closesAt ? new Date(exam.closesAt.getTime() + extraTimeMinutes * 60_000) : null;
  if (windowEnd && lifetimeEndsAt) {
    return windowEnd < lifetimeEndsAt ? windowEnd : lifetimeEndsAt;
  }
  return windowEnd ?? lifetimeEndsAt;
}

/** A way in as found by its lookup hash, with what deciding on it needs. */
export interface FoundWayIn {
  kind: WayInKind;
  revokedAt: Date | null;
  platformId: string;
  examId: string;
  candidateId: string;
  candidateStatus: string;
  extraTimeMinutes: number;
  /** The end of the lifetime it was issued with (null: none set when it was issued). */
  lifetimeEndsAt: Date | null;
  exam: ExpiryFacts & { title: string; status: ExamStatus; timeZone: string };
}

export const WAY_IN_REFUSALS = ['unknown', 'revoked', 'withdrawn', 'draft', 'closed', 'expired'] as const;
export type WayInRefusal = (typeof WAY_IN_REFUSALS)[number];

/** What a link or code leads to: a candidate to sign in, or why not (with what the page names). */
export type WayInResolution =
  | { ok: true; principal: CandidatePrincipal; examTitle: string }
  | {
      ok: false;
      reason: WayInRefusal;
      /** Absent for an unknown way in: nothing of any test is told to whoever brought it. */
      exam?: { id: string; title: string; timeZone: string; platformId: string };
      /** candidates.id of whom the way in was for (absent when unknown). */
      candidateId?: string;
      expiredAt?: Date;
    };

const WAY_OF: Record<WayInKind, CandidateWayIn> = { link: 'direct-link', code: 'entry-code' };

/**
 * Decides on a way in, most lasting reason first: withdrawn by staff, then the candidate,
 * then the test's state, then the clock. A draft never had ways in issued; it is refused all
 * the same should one exist.
 */
export function judgeWayIn(found: FoundWayIn | null, now: Date): WayInResolution {
  if (!found) {
    return { ok: false, reason: 'unknown' };
  }
  const known = {
    exam: { id: found.examId, title: found.exam.title, timeZone: found.exam.timeZone, platformId: found.platformId },
    candidateId: found.candidateId,
  };
  if (found.revokedAt) {
    return { ok: false, reason: 'revoked', ...known };
  }
  if (found.candidateStatus !== 'active') {
    return { ok: false, reason: 'withdrawn', ...known };
  }
  if (found.exam.status === 'draft' || found.exam.status === 'closed') {
    return { ok: false, reason: found.exam.status, ...known };
  }
  const expiry = wayInExpiry(found.exam, found.extraTimeMinutes, found.lifetimeEndsAt);
  if (expiry && now >= expiry) {
    return { ok: false, reason: 'expired', ...known, expiredAt: expiry };
  }
  return {
    ok: true,
    principal: { way: WAY_OF[found.kind], platformId: found.platformId, examId: found.examId, candidateId: found.candidateId },
    examTitle: found.exam.title,
  };
}
