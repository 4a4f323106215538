import { CANDIDATE_ID_POLICIES, OPEN_IN, OPEN_IN_LABELS, POLICY_LABELS, type Exam, type ExamInput } from './exam.js';
import { formatInZone, utcToWallTime } from './time-zone.js';

/** What the pages show of a test; dates in the test's own time zone. */
export function presentExam(exam: Exam) {
  const zone = exam.window.timeZone;
  return {
    id: exam.id,
    title: exam.title,
    description: exam.description,
    status: exam.status,
    opensAt: exam.window.opensAt ? formatInZone(exam.window.opensAt, zone) : 'no opening time (opens on activation)',
    closesAt: exam.window.closesAt ? formatInZone(exam.window.closesAt, zone) : 'no closing time',
    timeZone: zone,
    duration: exam.durationMinutes === null ? 'no time limit' : `${exam.durationMinutes} minutes`,
    deliveryUrl: exam.deliveryUrl,
    finishRedirectUrl: exam.finishRedirectUrl,
    policy: POLICY_LABELS[exam.candidateIdPolicy],
    rosterRoles: exam.rosterRoles === 'learners' ? 'learners only' : 'every role',
    enrolOnLaunch: exam.enrolOnLaunch,
    openIn: exam.openIn === 'new_tab' ? 'a new tab' : 'the whole window, replacing the course page',
    isDemo: exam.isDemo,
    maxCandidates: exam.maxCandidates,
    accessExpiresAt: exam.accessExpiresAt
      ? formatInZone(exam.accessExpiresAt, zone)
      : exam.window.closesAt
        ? "when the window closes (plus each candidate's extra time)"
        : 'when the test is closed',
  };
}

/** The form's values for a test being edited (or the defaults of a new one, in the platform's default zone). */
export function examFormValues(exam: Exam | null, defaultTimeZone = 'UTC'): ExamInput {
  if (!exam) {
    return {
      title: '',
      description: '',
      opensAt: '',
      closesAt: '',
      timeZone: defaultTimeZone,
      durationMinutes: '60',
      deliveryUrl: '',
      finishRedirectUrl: '',
      candidateIdPolicy: 'lms_id',
      rosterRoles: 'learners',
      enrolOnLaunch: true,
      openIn: 'new_tab',
      isDemo: false,
      accessExpiresAt: '',
    };
  }
  const zone = exam.window.timeZone;
  return {
    title: exam.title,
    description: exam.description,
    opensAt: exam.window.opensAt ? utcToWallTime(exam.window.opensAt, zone) : '',
    closesAt: exam.window.closesAt ? utcToWallTime(exam.window.closesAt, zone) : '',
    timeZone: zone,
    durationMinutes: exam.durationMinutes === null ? '' : String(exam.durationMinutes),
    deliveryUrl: exam.deliveryUrl ?? '',
    finishRedirectUrl: exam.finishRedirectUrl ?? '',
    candidateIdPolicy: exam.candidateIdPolicy,
    rosterRoles: exam.rosterRoles,
    enrolOnLaunch: exam.enrolOnLaunch,
    openIn: exam.openIn,
    isDemo: exam.isDemo,
    accessExpiresAt: exam.accessExpiresAt ? utcToWallTime(exam.accessExpiresAt, zone) : '',
  };
}

export const policyOptions = CANDIDATE_ID_POLICIES.map((value) => ({ value, label: POLICY_LABELS[value] }));
export const openInOptions = OPEN_IN.map((value) => ({ value, label: OPEN_IN_LABELS[value] }));
