import { dateOf } from '../db/column-date.js';
import type { WayInKind } from './way-in-secret.js';

/* The staff list's reads (two indexed statements, way-in.repository.ts) and how their rows become one row per candidate. */

/** A candidate of a test with their live link and code (sealed), as the staff page lists them. */
export interface CandidateWaysInRow {
  id: string;
  candidateId: string;
  name: string | null;
  status: string;
  extraTimeMinutes: number;
  linkSealed: string | null;
  codeSealed: string | null;
  /** The earliest end of lifetime of the live link and code (null: none was issued with one). */
  lifetimeEndsAt: Date | null;
  /** Ways in of this candidate that were withdrawn (an old link or code says so when used). */
  revoked: number;
}

export interface CandidateListRow {
  id: string;
  candidate_id: string;
  name: string | null;
  status: string;
  extra_time_minutes: number;
}

export interface WayOfRow {
  candidate_id: string;
  kind: string;
  sealed_value: string;
  revoked_at: Date | string | null;
  expires_at: Date | string | null;
}

/** Candidates with their ways in, put together here: two indexed reads plan well whatever the tables' statistics say. */
export function listed(candidates: CandidateListRow[], ways: WayOfRow[]): CandidateWaysInRow[] {
  const byCandidate = new Map<string, WayOfRow[]>();
  for (const way of ways) {
    byCandidate.set(way.candidate_id, [...(byCandidate.get(way.candidate_id) ?? []), way]);
  }
  return candidates.map((c) => {
    const own = byCandidate.get(c.id) ?? [];
    const liveRows = own.filter((w) => w.revoked_at === null);
    const live = (kind: WayInKind) => liveRows.find((w) => w.kind === kind)?.sealed_value ?? null;
    const ends = liveRows.map((w) => dateOf(w.expires_at)).filter((end): end is Date => end !== null);
    return {
      id: c.id,
      candidateId: c.candidate_id,
      name: c.name,
      status: c.status,
      extraTimeMinutes: Number(c.extra_time_minutes),
      linkSealed: live('link'),
      codeSealed: live('code'),
      lifetimeEndsAt: ends.length === 0 ? null : new Date(Math.min(...ends.map((end) => end.getTime()))),
      revoked: own.filter((w) => w.revoked_at !== null).length,
    };
  });
}

export const CANDIDATE_COLUMNS = 'SELECT id, candidate_id, name, status, extra_time_minutes FROM candidates WHERE exam_id = ?';
export const WAY_COLUMNS = 'SELECT candidate_id, kind, sealed_value, revoked_at, expires_at FROM ways_in WHERE exam_id = ?';
