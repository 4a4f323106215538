import type { CandidateWayIn } from '../sessions/candidate-principal.js';

/** One person on one test. */
export interface Candidate {
  id: string;
  examId: string;
  /** The label graders and monitors see: 1..500 characters, unique within the test. */
  candidateId: string;
  source: CandidateSource;
  /** NRPS user_id = the launch's `sub`, scoped by the test's platform. */
  lmsUserId: string | null;
  name: string | null;
  email: string | null;
  sisId: string | null;
  extraTimeMinutes: number;
  building: string | null;
  room: string | null;
  /**
   * The SSO identity of an SSO-imported candidate (unique on the test): `lms` (matched on the
   * platform's launches, sso-launch.ts) or an SSO setup's id, and the SSO user ID as imported.
   */
  ssoAuthType?: string | null;
  ssoUserId?: string | null;
  status: CandidateStatus;
  withdrawnReason: WithdrawnReason | null;
  /** Fields an instructor changed by hand: a roster sync never overwrites them. */
  editedFields: EditableField[];
  attempt: {
    state: AttemptState;
    ref: string | null;
    /** Where this attempt was handed off: its reports must be signed by that engine, even if the test's URL changes later. */
    deliveryUrl: string | null;
    /** The course page the LMS named (launch_presentation.return_url) at the latest hand-off; the finish page links to it. */
    returnUrl: string | null;
    /** The way in of the latest hand-off: from an LMS launch, or from a session outside the LMS. Decides the way back after a finish. */
    way: AttemptWay | null;
    /** The latest hand-off to the engine (each Start, Continue or Reopen signs a fresh one). */
    handedOffAt: Date | null;
    /** When the engine reported the attempt started; null until then, even after a hand-off. */
    startedAt: Date | null;
    finishedAt: Date | null;
    score: { given: number; maximum: number } | null;
  };
  gradeStatus: GradeStatus | null;
  /** The resource link this candidate last launched from: where a score goes back to. */
  resourceLinkId: string | null;
}

/** Every way a candidate can come to a test, in the order the candidates page lists them. */
export const CANDIDATE_SOURCES = ['roster', 'one-time', 'sso', 'permanent', 'manual'] as const;
export type CandidateSource = (typeof CANDIDATE_SOURCES)[number];
export type CandidateStatus = 'active' | 'withdrawn';
export type WithdrawnReason = 'manual' | 'left_course' | 'inactive';
/**
 * not_started → handed_off (examgate signed a hand-off) → started (the engine reported it) →
 * finished (the engine reported that, possibly without reporting started first).
 */
export type AttemptState = 'not_started' | 'handed_off' | 'started' | 'finished';
export type AttemptWay = 'lms' | CandidateWayIn;
export type GradeStatus = 'pending' | 'sent' | 'failed' | 'no_service';
export type EditableField = 'candidateId' | 'extraTimeMinutes' | 'building' | 'room' | 'status';

export const CANDIDATE_ID_MAX = 500;
export const MAX_EXTRA_TIME_MINUTES = 24 * 60;

/** The LMS facts examgate keeps about a roster member or launching learner. */
export interface LmsPerson {
  userId: string;
  name: string | null;
  email: string | null;
  sisId: string | null;
}
