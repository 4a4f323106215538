import type { Exam } from '../exams/exam.js';
import type { Regenerate } from './handout.service.js';

const WHAT: Record<Regenerate, { noun: string; keeps: string }> = {
  password: { noun: 'password', keeps: 'the username, the entry code and the direct link' },
  code: { noun: 'entry code', keeps: 'the username and password and the direct link' },
  link: { noun: 'direct link', keeps: 'the username and password and the entry code' },
};

/** The page a regeneration lands on, and the page its confirmation goes back to. */
export const detailsPath = (examId: string, id: string) => `/app/exams/${examId}/handout/${id}`;

/** What confirm.njk shows before one candidate's password, entry code or direct link is replaced. */
export function regenerateHandoutConfirmation(exam: Exam, candidate: { id: string; candidateId: string }, what: Regenerate) {
  const { noun, keeps } = WHAT[what];
  const back = detailsPath(exam.id, candidate.id);
  return {
    title: `New ${noun} for ${candidate.candidateId}?`,
    crumbs: [
      { href: '/app/exams', text: 'Tests' },
      { href: `/app/exams/${exam.id}`, text: exam.title },
      { href: `/app/exams/${exam.id}/candidates`, text: 'Candidates' },
      { href: back, text: `Login details of ${candidate.candidateId}` },
      { text: `New ${noun}` },
    ],
    question: `${candidate.candidateId} gets a new ${noun}; the current one stops working at once.`,
    losses: [
      `make the current ${noun} stop working: a login slip printed with it is of no use any more`,
      ...(what === 'password'
        ? ["end the candidate's sessions signed in with the current password"]
        : ['leave sessions already opened with it as they are']),
    ],
    keeps: [keeps, 'the candidate, their attempt and the history'],
    action: `${back}/new-${what}`,
    buttonLabel: `Make a new ${noun}`,
    backHref: back,
    backLabel: `Keep the current ${noun}`,
  };
}
