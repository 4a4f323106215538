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
