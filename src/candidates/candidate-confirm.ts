import type { Exam } from '../exams/exam.js';
import type { Candidate } from './candidate.js';

/** What confirm.njk shows before a candidate is withdrawn: what they lose, and that Restore brings it back. */
export function withdrawConfirmation(exam: Exam, candidate: Candidate) {
  const list = `/app/exams/${exam.id}/candidates`;
  const inProgress = candidate.attempt.state === 'handed_off' || candidate.attempt.state === 'started';
  return {
    title: `Withdraw ${candidate.candidateId}?`,
    crumbs: [
      { href: '/app/exams', text: 'Tests' },
      { href: `/app/exams/${exam.id}`, text: exam.title },
      { href: list, text: 'Candidates' },
      { text: `Withdraw ${candidate.candidateId}` },
    ],
    question: `${candidate.name ?? candidate.candidateId} will no longer be a candidate of ${exam.title}.`,
    losses: [
      'stop them from starting the test from the course or any link they were given',
      ...(inProgress
        ? ['leave their attempt as it is now: the engine may still end the attempt in progress, but they cannot start again']
        : []),
    ],
    keeps: ['their attempt and score so far, and the history', 'a Restore button in the list, which makes them a candidate again'],
    action: `${list}/${candidate.id}/withdraw`,
    buttonLabel: 'Withdraw the candidate',
    backHref: list,
    backLabel: 'Keep the candidate',
  };
}

/** What confirm.njk shows before a one-time user's password is replaced: the old one, and any slip printed with it, stop working. */
export function regenerateConfirmation(exam: Exam, candidate: Candidate) {
  const list = `/app/exams/${exam.id}/candidates`;
  return {
    title: `New password for ${candidate.candidateId}?`,
    crumbs: [
      { href: '/app/exams', text: 'Tests' },
      { href: `/app/exams/${exam.id}`, text: exam.title },
      { href: list, text: 'Candidates' },
      { text: `New password for ${candidate.candidateId}` },
    ],
    question: `examgate will make a new password for ${candidate.candidateId} on ${exam.title}.`,
    losses: [
      'make the current password stop working at once: a login slip printed with it no longer signs in',
      "end the candidate's sessions signed in with the current password",
    ],
    keeps: ['the username, the candidate and their attempt', 'the new password, shown in the list for you to hand out'],
    action: `${list}/one-time/${candidate.id}/password`,
    buttonLabel: 'Make a new password',
    backHref: `${list}/${candidate.id}/edit`,
    backLabel: 'Keep the current password',
  };
}
