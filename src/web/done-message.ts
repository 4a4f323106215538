/**
 * The message a page shows after an action ("Test activated"), carried through the redirect as a
 * `done` query parameter that names one of the page's known messages. Only the key travels: the
 * text comes from this table, so nothing typed into a URL is ever echoed onto a page.
 */
export type DoneMessages = Readonly<Record<string, string>>;

export const EXAM_DONE: DoneMessages = {
  created: 'Test created. It is a draft: candidates cannot start it until you activate it.',
  saved: 'Changes saved.',
  activated: 'Test activated: candidates can start it within its window.',
  closed: 'Test closed: no candidate can start it any more. Results and history are kept.',
};

export const EXAMS_DONE: DoneMessages = {
  deleted: 'Test deleted, with its candidates and their attempts.',
};

export const CANDIDATES_DONE: DoneMessages = {
  added: 'Candidate added.',
  saved: 'Candidate saved.',
  withdrawn: 'Candidate withdrawn: they can no longer start the test.',
  restored: 'Candidate restored: they can start the test again.',
  'sync-queued': 'Roster sync started: new members appear here as candidates when it is done.',
  'permanent-added': 'Permanent users added: they sign in with their own username and password.',
  'list-added': 'The list’s members are added as candidates: they sign in with their own username and password.',
  'one-time-added': 'One-time user added. Their username and password show in the list once the test is active.',
  'one-time-generated':
    'One-time users generated. Edit a generated candidate ID with Edit; usernames and passwords show once the test is active.',
  'one-time-imported': 'One-time users imported from the file. Usernames and passwords show in the list once the test is active.',
  'username-saved': 'Username saved: the old one no longer signs in.',
  'password-regenerated': 'New password made: the old one no longer signs in. Give the candidate the new one from the list.',
};

export const WAYS_IN_DONE: DoneMessages = {
  revoked: 'Link and entry code withdrawn: they now say so when used.',
  reissued: 'New link and entry code issued: the old ones now say they were withdrawn.',
  'revoked-all': 'Every link and entry code of this test withdrawn.',
  'reissued-all': 'New links and entry codes issued to every active candidate: the old ones now say they were withdrawn.',
};

/** The known message the query names, or null (an unknown or repeated key shows nothing). */
export function doneMessage(messages: DoneMessages, query: unknown): string | null {
  const key = (query as Record<string, unknown> | undefined)?.done;
  return typeof key === 'string' && Object.hasOwn(messages, key) ? (messages[key] ?? null) : null;
}

/** `path` with the message key, for a 303 after the action. */
export function withDone(path: string, key: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}done=${encodeURIComponent(key)}`;
}
