import type { OneTimeCredentials } from '../access/one-time-user.service.js';
import type { Candidate } from '../candidates/candidate.js';

/** One candidate as an export lists them; empty text where the candidate has no such thing. */
export interface ExportRow {
  candidateId: string;
  source: string;
  name: string;
  username: string;
  password: string;
  entryCode: string;
  link: string;
  extraTimeMinutes: number;
  building: string;
  room: string;
  status: string;
}

export type ExportKey = keyof ExportRow;

/** The columns of both formats, in order; `max` bounds a spreadsheet column's width (in characters). */
export const EXPORT_COLUMNS: ReadonlyArray<{ key: ExportKey; header: string; max: number }> = [
  { key: 'candidateId', header: 'Candidate ID', max: 40 },
  { key: 'source', header: 'Source', max: 12 },
  { key: 'name', header: 'Name', max: 40 },
  { key: 'username', header: 'Username', max: 30 },
  { key: 'password', header: 'Password', max: 24 },
  { key: 'entryCode', header: 'Entry code', max: 24 },
  { key: 'link', header: 'Direct link', max: 90 },
  { key: 'extraTimeMinutes', header: 'Extra time (min)', max: 18 },
  { key: 'building', header: 'Building', max: 30 },
  { key: 'room', header: 'Room', max: 30 },
  { key: 'status', header: 'Status', max: 12 },
];

export const EXPORT_HEADERS = EXPORT_COLUMNS.map((column) => column.header);

export function exportRow(
  candidate: Candidate,
  credentials: OneTimeCredentials | undefined,
  ways: { link: string | null; code: string | null } | undefined,
): ExportRow {
  return {
    candidateId: candidate.candidateId,
    source: candidate.source,
    name: candidate.name ?? '',
    username: credentials?.username ?? '',
    password: credentials?.password ?? '',
    entryCode: ways?.code ?? '',
    link: ways?.link ?? '',
    extraTimeMinutes: candidate.extraTimeMinutes,
    building: candidate.building ?? '',
    room: candidate.room ?? '',
    status: candidate.status,
  };
}
