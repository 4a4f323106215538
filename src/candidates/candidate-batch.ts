import { randomUUID } from 'node:crypto';
import type { CandidateSource } from './candidate.js';
import type { NewCandidate } from './candidate.repository.js';

/** One candidate of a batch: a candidate ID, or null for the next generated one; `line` names a file's line in messages. */
export interface BatchRow {
  candidateId: string | null;
  extraTimeMinutes: number;
  line?: number;
  /** The permanent user this candidate is (written with the row, so no candidate is ever left unlinked). */
  permanentUserId?: string;
}

/** Generated candidate IDs read "C-0001", "C-0002", …: short on a slip, and easy to edit afterwards. */
const SERIES = /^C-(\d+)$/;

/**
 * `count` IDs continuing the series after the highest one the test has (so a number is never
 * handed out twice, even after an edit or a withdrawal), skipping any taken.
 */
export function nextSeries(taken: ReadonlySet<string>, count: number): string[] {
  let n = 0;
  for (const id of taken) {
    const match = SERIES.exec(id);
    if (match) {
      n = Math.max(n, Number(match[1]));
    }
  }
  const ids: string[] = [];
  while (ids.length < count) {
    n += 1;
    const id = `C-${String(n).padStart(4, '0')}`;
    if (!taken.has(id)) {
      ids.push(id);
    }
  }
  return ids;
}

export function batchCandidate(
  examId: string,
  candidateId: string,
  extraTimeMinutes: number,
  source: CandidateSource,
  permanentUserId: string | null = null,
): NewCandidate {
  return {
    id: randomUUID(),
    examId,
    candidateId,
    source,
    lmsUserId: null,
    name: null,
    email: null,
    sisId: null,
    extraTimeMinutes,
    building: null,
    room: null,
    status: 'active',
    withdrawnReason: null,
    editedFields: [],
    resourceLinkId: null,
    permanentUserId,
  };
}
