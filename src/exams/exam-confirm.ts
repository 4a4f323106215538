import type { Exam } from './exam.js';

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export interface CandidateCounts {
  active: number;
  withdrawn: number;
}

/** What confirm.njk shows before a test is closed or deleted: what goes, in numbers, and what stays. */
export function examConfirmation(exam: Exam, step: 'close' | 'delete', counts: CandidateCounts) {
  const everyone = counts.active + counts.withdrawn;
  const crumbs = [
    { href: '/app/exams', text: 'Tests' },
    { href: `/app/exams/${exam.id}`, text: exam.title },
    { text: step === 'close' ? 'Close' : 'Delete' },
  ];
  const common = { crumbs, backHref: `/app/exams/${exam.id}`, backLabel: 'Keep the test', action: `/app/exams/${exam.id}/${step}` };
  if (step === 'close') {
    return {
      ...common,
      title: `Close ${exam.title}?`,
      question: 'Closing cannot be undone: a closed test cannot be activated or edited again.',
      losses: [
        `stop ${plural(counts.active, 'candidate', 'candidates')} from starting the test, including any who have not started yet`,
        'remove Edit from the test: its settings stay as they are now',
      ],
      keeps: ['the candidates, their attempts and scores', 'the test’s history'],
      buttonLabel: 'Close the test',
    };
  }
  return {
    ...common,
    title: `Delete ${exam.title}?`,
    question: 'Deleting cannot be undone.',
    losses: [
      'delete the test and its settings',
      `delete its ${plural(everyone, 'candidate', 'candidates')}, with their attempts and scores`,
      'leave any course link to this test leading to no test',
    ],
    keeps: ['the history entries, in the audit trail'],
    buttonLabel: 'Delete the test',
  };
}
