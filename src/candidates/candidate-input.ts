import { CANDIDATE_ID_MAX, MAX_EXTRA_TIME_MINUTES } from './candidate.js';
import { cleanText } from './candidate-ids.js';
import { InvalidCandidateError } from './candidate.errors.js';

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** What an instructor types for a candidate, as the form sends it. */
export interface CandidateInput {
  candidateId?: string;
  extraTimeMinutes?: string;
  building?: string;
  room?: string;
}

export interface CandidateFields {
  candidateId?: string;
  extraTimeMinutes?: number;
  building?: string | null;
  room?: string | null;
}

/** Checks the fields present; absent ones stay absent so an edit changes only what was sent. */
export function parseCandidateInput(input: CandidateInput): CandidateFields {
  const fields: CandidateFields = {};
  if (input.candidateId !== undefined) {
    if (CONTROL.test(input.candidateId)) {
      throw new InvalidCandidateError('candidateId', 'A candidate ID cannot hold control characters (tabs, line breaks and the like).');
    }
    if (Array.from(input.candidateId.trim()).length > CANDIDATE_ID_MAX) {
      throw new InvalidCandidateError('candidateId', `A candidate ID is at most ${CANDIDATE_ID_MAX} characters.`);
    }
    const id = cleanText(input.candidateId, CANDIDATE_ID_MAX);
    if (!id) {
      throw new InvalidCandidateError('candidateId', 'Give the candidate an ID of 1 to 500 characters.');
    }
    fields.candidateId = id;
  }
  if (input.extraTimeMinutes !== undefined) {
    const text = input.extraTimeMinutes.trim();
    const minutes = text === '' ? 0 : Number(text);
    if (!Number.isInteger(minutes) || minutes < 0 || minutes > MAX_EXTRA_TIME_MINUTES) {
      throw new InvalidCandidateError(
        'extraTimeMinutes',
        `Extra time must be a whole number of minutes from 0 to ${MAX_EXTRA_TIME_MINUTES}.`,
      );
    }
    fields.extraTimeMinutes = minutes;
  }
  for (const key of ['building', 'room'] as const) {
    const value = input[key];
    if (value !== undefined) {
      if (value.trim().length > 255) {
        throw new InvalidCandidateError(key, `The ${key} name is at most 255 characters.`);
      }
      fields[key] = cleanText(value, 255);
    }
  }
  return fields;
}
