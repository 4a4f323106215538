/**
 * Who a candidate session is for, when it did not come from an LMS launch: one candidate of
 * one test, and the way they came in. Everything a candidate page shows is looked up from
 * `candidateId` (candidates.id) and `examId`; nothing else of any test is reachable with it.
 */
export const CANDIDATE_WAYS_IN = ['one-time', 'direct-link', 'entry-code', 'permanent'] as const;
export type CandidateWayIn = (typeof CANDIDATE_WAYS_IN)[number];

export interface CandidatePrincipal {
  way: CandidateWayIn;
  /** The tenant: the platform of the test's course (sessions are ended per platform on a move). */
  platformId: string;
  examId: string;
  /** candidates.id, not the candidate ID label. */
  candidateId: string;
  /**
   * A permanent user (way 'permanent'): the session covers every test they are an active
   * candidate of on this platform; `examId`/`candidateId` name the first of them.
   */
  permanentUserId?: string;
  /** Set while a permanent user must choose a new password before anything else. */
  mustChangePassword?: boolean;
}

/** The principal as the audit trail names them: the candidate, and the way they came in. */
export function candidateActor(principal: CandidatePrincipal) {
  return { kind: 'candidate' as const, platformId: principal.platformId, candidateId: principal.candidateId, way: principal.way };
}
