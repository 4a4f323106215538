import type { Exam } from '../exams/exam.js';

const crumbsOf = (exam: Exam, last: string) => [
  { href: '/app/exams', text: 'Tests' },
  { href: `/app/exams/${exam.id}`, text: exam.title },
  { href: `/app/exams/${exam.id}/ways-in`, text: 'Links and codes' },
  { text: last },
];

/** What confirm.njk shows before one candidate's link and code are withdrawn, or replaced by new ones. */
export function candidateWayInConfirmation(exam: Exam, candidate: { id: string; candidateId: string }, action: 'revoke' | 'reissue') {
  const list = `/app/exams/${exam.id}/ways-in`;
  const revoke = action === 'revoke';
  return {
    title: revoke ? `Withdraw the link and code of ${candidate.candidateId}?` : `New link and code for ${candidate.candidateId}?`,
    crumbs: crumbsOf(exam, revoke ? `Withdraw ${candidate.candidateId}` : `Reissue ${candidate.candidateId}`),
    question: revoke
      ? `${candidate.candidateId}'s direct link and entry code will stop working.`
      : `${candidate.candidateId} gets a new direct link and entry code; the ones they have stop working.`,
    losses: [
      'make their current link and code say they were withdrawn, and end the sessions they opened',
      ...(revoke ? ['leave them without a link or code until you issue new ones'] : ['mean you must give them the new link or code']),
    ],
    keeps: ['their LMS launch and any username and password', 'their attempt, and the history'],
    action: `${list}/${candidate.id}/${action}`,
    buttonLabel: revoke ? 'Withdraw the link and code' : 'Issue a new link and code',
    backHref: list,
    backLabel: 'Keep them as they are',
  };
}

/** What confirm.njk shows before every link and code of the test is withdrawn, or replaced. */
export function wholeTestWayInConfirmation(exam: Exam, action: 'revoke-all' | 'reissue-all', live: number) {
  const list = `/app/exams/${exam.id}/ways-in`;
  const revoke = action === 'revoke-all';
  return {
    title: revoke ? `Withdraw every link and code of ${exam.title}?` : `New links and codes for all of ${exam.title}?`,
    crumbs: crumbsOf(exam, revoke ? 'Withdraw all' : 'Reissue all'),
    question: `${live} direct links and entry codes that candidates may hold will stop working.`,
    losses: [
      'make every current link and code say it was withdrawn, and end the sessions they opened',
      ...(revoke
        ? ['leave candidates without links or codes until you issue new ones, one by one or all at once']
        : ['mean every active candidate needs their new link or code: slips and messages sent before are useless']),
    ],
    keeps: ['LMS launches, usernames and passwords', 'attempts, and the history'],
    action: `${list}/${action}`,
    buttonLabel: revoke ? 'Withdraw every link and code' : 'Issue new links and codes to all',
    backHref: list,
    backLabel: 'Keep them as they are',
  };
}
