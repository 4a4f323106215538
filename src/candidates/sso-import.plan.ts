import type { ImportPlan, PlannedRow, RowRejection } from '../imports/import-kind.js';
import type { Candidate } from './candidate.js';
import { ssoUserKey } from './candidate.repository.js';
import type { SsoRow } from './sso-row.schema.js';

/** What a plan weighs an SSO file against: the test's candidates (withdrawn ones too) and its cap. */
export interface SsoPlanInput {
  authType: string;
  stored: readonly Candidate[];
  maxCandidates: number;
  rows: ReadonlyArray<{ line: number; row: SsoRow }>;
}

const short = (text: string) => (Array.from(text).length > 80 ? `${Array.from(text).slice(0, 80).join('')}…` : text);

/** "extra time 0 → 15 min, room (none) → B2": what an update changes, for the preview and the report. */
function changesOf(stored: Candidate, row: SsoRow): string[] {
  const changes: string[] = [];
  if (stored.extraTimeMinutes !== row.extraTimeMinutes) {
    changes.push(`extra time ${stored.extraTimeMinutes} → ${row.extraTimeMinutes} min`);
  }
  for (const key of ['building', 'room'] as const) {
    if ((stored[key] ?? null) !== row[key]) {
      changes.push(`${key} ${stored[key] ?? '(none)'} → ${row[key] ?? '(none)'}`);
    }
  }
  return changes;
}

/**
 * Classifies each accepted row of an SSO file (pure: the caller reads what is stored). The SSO
 * user ID is the person: one already on the test with this auth type is updated (extra time,
 * building, room) or skipped when nothing changed; a new one is added. A candidate ID or SSO
 * user ID used twice in the file, a candidate ID another candidate has, and a new candidate
 * beyond the cap are rejected, each naming what it clashes with.
 */
export function planSsoRows(input: SsoPlanInput): ImportPlan<SsoRow> {
  const bySso = new Map<string, Candidate>();
  const byCandidateId = new Map<string, Candidate>();
  for (const candidate of input.stored) {
    byCandidateId.set(candidate.candidateId, candidate);
    if (candidate.ssoAuthType === input.authType && candidate.ssoUserId) {
      bySso.set(ssoUserKey(candidate.ssoUserId), candidate);
    }
  }
  let active = input.stored.filter((c) => c.status === 'active').length;
  const planned: PlannedRow<SsoRow>[] = [];
  const rejected: RowRejection[] = [];
  const ssoLines = new Map<string, number>();
  const idLines = new Map<string, number>();
  const reject = (line: number, column: string, reason: string) => rejected.push({ line, column, reason });

  for (const { line, row } of input.rows) {
    const key = ssoUserKey(row.ssoUserId);
    const firstSso = ssoLines.get(key);
    const firstId = idLines.get(row.candidateId);
    if (firstId !== undefined) {
      reject(line, 'Candidate ID', `Candidate ID "${short(row.candidateId)}" is also on line ${firstId} of this file.`);
      continue;
    }
    if (firstSso !== undefined) {
      reject(
        line,
        'SSO user ID',
        `SSO user ID "${short(row.ssoUserId)}" is also on line ${firstSso} of this file (letter case does not count).`,
      );
      continue;
    }
    ssoLines.set(key, line);
    idLines.set(row.candidateId, line);
    const existing = bySso.get(key);
    if (existing) {
      if (existing.candidateId !== row.candidateId) {
        reject(
          line,
          'Candidate ID',
          `SSO user ID "${short(row.ssoUserId)}" is already candidate "${short(existing.candidateId)}" on this test; change a candidate ID on the candidate's Edit page, not by import.`,
        );
        continue;
      }
      const changes = changesOf(existing, row);
      planned.push(
        changes.length
          ? { line, row, plan: 'update', note: changes.join(', ') }
          : { line, row, plan: 'skip', note: 'already on this test, unchanged' },
      );
      continue;
    }
    const holder = byCandidateId.get(row.candidateId);
    if (holder) {
      reject(
        line,
        'Candidate ID',
        `Candidate ID "${short(row.candidateId)}" is already used on this test${holder.ssoUserId ? ` (by SSO user ID "${short(holder.ssoUserId)}")` : ''}.`,
      );
      continue;
    }
    if (active + 1 > input.maxCandidates) {
      reject(line, '', `The test is full: at most ${input.maxCandidates} candidates, and the lines above take every place left.`);
      continue;
    }
    active += 1;
    planned.push({ line, row, plan: 'add' });
  }
  return { planned, rejected, cap: { limit: input.maxCandidates, after: active } };
}
