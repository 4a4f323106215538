/** A test (code name `exam`, so it never clashes with the test/ folder). */
export interface Exam {
  id: string;
  courseId: string;
  title: string;
  description: string;
  status: ExamStatus;
  window: { opensAt: Date | null; closesAt: Date | null; timeZone: string };
  durationMinutes: number | null;
  deliveryUrl: string | null;
  finishRedirectUrl: string | null;
  candidateIdPolicy: CandidateIdPolicy;
  rosterRoles: RosterRoles;
  /** A learner who launches and is not yet a candidate is added on the spot. */
  enrolOnLaunch: boolean;
  /** Where Start opens the delivery engine when examgate runs inside a frame (the LMS's iframe). */
  openIn: OpenIn;
  maxCandidates: number;
  isDemo: boolean;
  roster: { syncedAt: Date | null; summary: string | null };
  /** When direct links and entry codes stop working, if not at the window's end (access/way-in-expiry.ts). */
  accessExpiresAt: Date | null;
}

export type ExamStatus = 'draft' | 'active' | 'closed';
export const CANDIDATE_ID_POLICIES = ['lms_id', 'sis_id', 'email', 'full_name', 'anonymous'] as const;
export type CandidateIdPolicy = (typeof CANDIDATE_ID_POLICIES)[number];
export type RosterRoles = 'learners' | 'all';

/**
 * A delivery engine keeps its own session in a cookie, which browsers do not send inside the
 * LMS's cross-site iframe: Start opens it top-level, in a new tab or in the whole window.
 */
export const OPEN_IN = ['new_tab', 'whole_window'] as const;
export type OpenIn = (typeof OPEN_IN)[number];

export const OPEN_IN_LABELS: Record<OpenIn, string> = {
  new_tab: 'A new tab (the course page stays open)',
  whole_window: 'The whole window (replaces the course page)',
};

/** The seeds' hard limit: at most 1500 candidates on one test. */
export const CANDIDATE_CAP = 1500;

export const POLICY_LABELS: Record<CandidateIdPolicy, string> = {
  lms_id: 'LMS user id',
  sis_id: 'SIS id (lis_person_sourcedid)',
  email: 'E-mail address',
  full_name: 'Full name (graders will see names)',
  anonymous: 'Anonymous sequential numbers',
};

/** What an instructor can set; windows are wall times of `timeZone`. */
export interface ExamInput {
  title: string;
  description: string;
  opensAt: string;
  closesAt: string;
  timeZone: string;
  durationMinutes: string;
  deliveryUrl: string;
  finishRedirectUrl: string;
  candidateIdPolicy: string;
  rosterRoles: string;
  enrolOnLaunch: boolean;
  openIn: string;
  isDemo: boolean;
  /** A wall time of `timeZone`, or empty for the default (the window's end plus extra time). Optional: older forms lack it. */
  accessExpiresAt?: string;
}

/** Where a candidate is, seen from the lobby at a given moment. */
export type WindowState = 'not_open' | 'open' | 'closed';

/**
 * The window gates on server time. Extra time extends the end of the window as well as
 * the duration (DESIGN: lessons from the field).
 */
export function windowState(exam: Exam, extraTimeMinutes: number, now: Date): WindowState {
  if (exam.status === 'draft') {
    return 'not_open';
  }
  if (exam.status === 'closed') {
    return 'closed';
  }
  if (exam.window.opensAt && now < exam.window.opensAt) {
    return 'not_open';
  }
  const end = personalEnd(exam, extraTimeMinutes);
  return end && now >= end ? 'closed' : 'open';
}

export function personalEnd(exam: Exam, extraTimeMinutes: number): Date | null {
  return exam.window.closesAt ? new Date(exam.window.closesAt.getTime() + extraTimeMinutes * 60_000) : null;
}
