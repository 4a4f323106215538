import type { CandidateWayIn } from './candidate-principal.js';

/** Each way in as people call it, for pages and the audit trail. */
export const WAY_IN_LABELS: Record<CandidateWayIn, string> = {
  'one-time': 'one-time username and password',
  'direct-link': 'direct link',
  'entry-code': 'entry code',
  permanent: 'username and password',
};
