import { CANDIDATE_SOURCES, type CandidateStatus } from '../candidates/candidate.js';
import type { CandidateSelection } from '../candidates/candidate.repository.js';
import { InvalidExportChoiceError } from './export.errors.js';

const STATUSES: readonly CandidateStatus[] = ['active', 'withdrawn'];

/** One query parameter as text; '' when absent (a repeated one is refused: it has no one meaning). */
function text(query: Record<string, unknown>, name: string): string {
  const value = query[name];
  if (value === undefined) {
    return '';
  }
  if (typeof value !== 'string') {
    throw new InvalidExportChoiceError(`Give "${name}" once.`);
  }
  return value.trim().slice(0, 255);
}

function oneOf<T extends string>(query: Record<string, unknown>, name: string, allowed: readonly T[]): T | undefined {
  const value = text(query, name);
  if (value === '') {
    return undefined;
  }
  const found = allowed.find((a) => a === value);
  if (!found) {
    throw new InvalidExportChoiceError(
      `Unknown ${name} "${value.slice(0, 40)}": choose one of ${allowed.join(', ')}, or leave it empty for any.`,
    );
  }
  return found;
}

/**
 * The candidates page's filter as the export links carry it (q, source, status), and building
 * and room (exact; for one room's list). Values the page never offers are refused, not ignored:
 * an export of more than was asked for would hand out credentials nobody meant to.
 */
export function selectionOf(query: Record<string, unknown>): CandidateSelection {
  const selection: CandidateSelection = {
    search: text(query, 'q').slice(0, 200) || undefined,
    source: oneOf(query, 'source', CANDIDATE_SOURCES),
    status: oneOf(query, 'status', STATUSES),
    building: text(query, 'building') || undefined,
    room: text(query, 'room') || undefined,
  };
  return Object.fromEntries(Object.entries(selection).filter((entry) => entry[1] !== undefined));
}
