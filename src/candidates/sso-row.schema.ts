import type { ImportSchema, RowVerdict } from '../imports/import-schema.js';
import { parseCandidateInput } from './candidate-input.js';
import { InvalidCandidateError } from './candidate.errors.js';

/** One line of an SSO candidate file (seed 001): `Candidate ID, SSO user ID, extra time[, Building name, Room name]`. */
export interface SsoRow {
  candidateId: string;
  ssoUserId: string;
  extraTimeMinutes: number;
  building: string | null;
  room: string | null;
}

/** The SSO user ID column's limit: the longest IdP subject or e-mail address fits with room to spare. */
export const SSO_USER_ID_MAX = 500;

const LABELS = {
  candidateId: 'Candidate ID',
  ssoUserId: 'SSO user ID',
  extraTimeMinutes: 'Extra time',
  building: 'Building name',
  room: 'Room name',
} as const;

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function ssoUserIdVerdict(typed: string): { ok: true; id: string } | { ok: false; reason: string } {
  if (typed === '') {
    return { ok: false, reason: 'The SSO user ID is empty: give the ID the person signs in with (their LMS user id, SIS id or e-mail).' };
  }
  if (CONTROL.test(typed)) {
    return { ok: false, reason: 'An SSO user ID cannot hold control characters (tabs, line breaks and the like).' };
  }
  if (Array.from(typed).length > SSO_USER_ID_MAX) {
    return { ok: false, reason: `An SSO user ID is at most ${SSO_USER_ID_MAX} characters.` };
  }
  return { ok: true, id: typed };
}

/**
 * The SSO candidate file's meaning. Building and room are optional columns; a room without a
 * building is allowed (seed 001: "the column for building must still be there, but leave it
 * empty"), and a building column absent from the header reads as empty too.
 */
export const ssoRowSchema: ImportSchema<SsoRow> = {
  columns: [
    {
      key: 'candidateId',
      label: LABELS.candidateId,
      aliases: ['candidate_id', 'CandidateID', 'Kandidatnummer', 'Candidate'],
      required: true,
    },
    { key: 'ssoUserId', label: LABELS.ssoUserId, aliases: ['sso_user_id', 'SSO ID', 'SSO user', 'User ID', 'Username'], required: true },
    {
      key: 'extraTimeMinutes',
      label: LABELS.extraTimeMinutes,
      aliases: ['extra_time', 'extra time (min)', 'Extra time minutes', 'Ekstra tid'],
      required: true,
    },
    { key: 'building', label: LABELS.building, aliases: ['Building', 'Bygning'], required: false },
    { key: 'room', label: LABELS.room, aliases: ['Room', 'Rom'], required: false },
  ],
  parseRow(cells): RowVerdict<SsoRow> {
    const sso = ssoUserIdVerdict(cells.ssoUserId ?? '');
    let fields;
    try {
      fields = parseCandidateInput({
        candidateId: cells.candidateId ?? '',
        extraTimeMinutes: cells.extraTimeMinutes ?? '',
        building: cells.building ?? '',
        room: cells.room ?? '',
      });
    } catch (err) {
      if (err instanceof InvalidCandidateError) {
        return { ok: false, column: LABELS[err.field as keyof typeof LABELS] ?? LABELS.candidateId, reason: err.message };
      }
      throw err;
    }
    if (!sso.ok) {
      return { ok: false, column: LABELS.ssoUserId, reason: sso.reason };
    }
    return {
      ok: true,
      row: {
        candidateId: fields.candidateId!,
        ssoUserId: sso.id,
        extraTimeMinutes: fields.extraTimeMinutes ?? 0,
        building: fields.building ?? null,
        room: fields.room ?? null,
      },
    };
  },
  uniqueKey: (row) => row.candidateId,
  uniqueColumn: LABELS.candidateId,
};
