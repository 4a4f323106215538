import { field } from '../web/form.js';
import type { BatchRow } from './candidate-batch.js';
import { parseCandidateInput } from './candidate-input.js';
import { CandidateBatchError, InvalidCandidateError } from './candidate.errors.js';

/** The one-time user the "Add new" form describes: a candidate ID and extra time. */
export function oneTimeRows(body: unknown): BatchRow[] {
  const fields = parseCandidateInput({ candidateId: field(body, 'candidateId'), extraTimeMinutes: field(body, 'extraTimeMinutes') });
  return [{ candidateId: fields.candidateId!, extraTimeMinutes: fields.extraTimeMinutes ?? 0 }];
}

/**
 * The "Auto-generate" form: how many (1 up to the room left on the test) and one extra time
 * for all of them. Both fields are checked, and both problems shown at once.
 */
export function generatedRows(body: unknown, room: number): BatchRow[] {
  const problems: Array<{ field: string; message: string }> = [];
  const text = field(body, 'count').trim();
  const count = Number(text);
  if (room === 0) {
    problems.push({ field: 'count', message: 'The test is full: no more candidates fit.' });
  } else if (text === '' || !Number.isInteger(count) || count < 1 || count > room) {
    problems.push({ field: 'count', message: `Number of users must be a whole number from 1 to ${room} (the room left on this test).` });
  }
  let extraTimeMinutes = 0;
  try {
    extraTimeMinutes = parseCandidateInput({ extraTimeMinutes: field(body, 'extraTimeMinutes') }).extraTimeMinutes ?? 0;
  } catch (err) {
    if (!(err instanceof InvalidCandidateError)) {
      throw err;
    }
    problems.push({ field: err.field, message: err.message });
  }
  if (problems.length > 0) {
    throw new CandidateBatchError(problems);
  }
  return Array.from({ length: count }, () => ({ candidateId: null, extraTimeMinutes }));
}
