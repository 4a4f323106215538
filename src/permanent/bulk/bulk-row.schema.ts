import { checkUsername, InvalidUsernameError, usernameKey } from '../../access/username-rules.js';
import type { ColumnSpec, ImportSchema, RowVerdict } from '../../imports/import-schema.js';
import { PASSWORD_MAX, weakness } from '../../security/password-rules.js';
import { DETAIL_FIELDS, DETAIL_MAX, type DetailField } from '../permanent-user.js';

/**
 * One row of a bulk upload (seed 004). Details hold only the cells the row fills: an empty cell
 * is "not given", so the upload's options decide what it means for an existing user.
 */
export interface BulkRow {
  username: string;
  details: Partial<Record<DetailField, string>>;
  eligible: boolean | null;
  deleted: boolean | null;
  /** The Password cell as read; the plan seals it (`sealedPassword`) before anything is stored. */
  password: string | null;
  sealedPassword: string | null;
  passwordWeak: boolean;
  /**
   * The staged photo (a ZIP upload's photos/<username>.jpg|png) the plan gave this row: null for
   * none or one already stored unchanged; absent until the plan has looked.
   */
  photo?: { entry: string; sha256: string } | null;
}

/** The seed 004 columns in its order, with the names other systems export them under. */
export const BULK_COLUMNS: readonly ColumnSpec[] = [
  { key: 'clientId', label: 'Client ID', aliases: ['client_id', 'ClientID', 'Client'], required: false },
  { key: 'username', label: 'Username', aliases: ['user_name', 'User name', 'Login', 'Brukernavn', 'Benutzername'], required: true },
  { key: 'title', label: 'Title', aliases: ['Salutation'], required: false },
  { key: 'firstName', label: 'First Name', aliases: ['first_name', 'Firstname', 'Given name', 'Fornavn', 'Vorname'], required: false },
  {
    key: 'lastName',
    label: 'Last Name',
    aliases: ['last_name', 'Lastname', 'Surname', 'Family name', 'Etternavn', 'Nachname'],
    required: false,
  },
  {
    key: 'email',
    label: 'Email',
    // "Email ID of the Candidate" is the name seed 004's own sample file gives the column.
    aliases: ['E-mail', 'Email address', 'E-mail address', 'Email ID', 'Email ID of the Candidate', 'Mail', 'E-post'],
    required: false,
  },
  { key: 'role', label: 'Role', aliases: ['Rolle'], required: false },
  {
    key: 'phone',
    label: 'Phone',
    aliases: ['Phone number', 'Phone Number of the Candidate', 'Telephone', 'Mobile', 'Telefon'],
    required: false,
  },
  { key: 'password', label: 'Password', aliases: ['Passord', 'Passwort'], required: false, secret: true },
  { key: 'deleted', label: 'Deleted', aliases: ['Is deleted', 'Slettet'], required: false },
  { key: 'eligible', label: 'Eligible', aliases: ['Is eligible'], required: false },
  { key: 'venue', label: 'Venue', aliases: ['Location', 'Sted'], required: false },
  { key: 'bookingStatus', label: 'Booking Status', aliases: ['booking_status', 'Booking'], required: false },
];

const LABEL: Record<string, string> = Object.fromEntries(BULK_COLUMNS.map((c) => [c.key, c.label]));

/** One e-mail address, loosely (as the admin form checks it): something@something.tld, no spaces. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;
const YES = new Set(['yes', 'true', '1', 'y']);
const NO = new Set(['no', 'false', '0', 'n']);

/** yes/no/true/false/1/0 in any case; empty is "not given". */
export function yesNoOf(text: string): boolean | null | undefined {
  const value = text.toLowerCase();
  if (value === '') {
    return null;
  }
  return YES.has(value) ? true : NO.has(value) ? false : undefined;
}

const refuse = (key: string, reason: string): RowVerdict<BulkRow> => ({ ok: false, column: LABEL[key] ?? '', reason });

export const bulkRowSchema: ImportSchema<BulkRow> = {
  columns: BULK_COLUMNS,
  parseRow(cells): RowVerdict<BulkRow> {
    let username: string;
    try {
      username = checkUsername(cells.username ?? '');
    } catch (err) {
      if (err instanceof InvalidUsernameError) {
        return refuse('username', err.message);
      }
      throw err;
    }
    const details: BulkRow['details'] = {};
    for (const field of DETAIL_FIELDS) {
      const text = cells[field] ?? '';
      if (Array.from(text).length > DETAIL_MAX[field]) {
        return refuse(field, `is ${Array.from(text).length} characters long; at most ${DETAIL_MAX[field]}.`);
      }
      if (text) {
        details[field] = text;
      }
    }
    if (details.email && !EMAIL.test(details.email)) {
      return refuse(
        'email',
        `"${details.email.slice(0, 80)}" is not an e-mail address: write it as name@example.org, or leave the cell empty.`,
      );
    }
    const flags: Record<'eligible' | 'deleted', boolean | null> = { eligible: null, deleted: null };
    for (const key of ['eligible', 'deleted'] as const) {
      const value = yesNoOf(cells[key] ?? '');
      if (value === undefined) {
        return refuse(
          key,
          `"${(cells[key] ?? '').slice(0, 40)}" is not yes or no: write yes, no, true, false, 1 or 0 (or leave it empty).`,
        );
      }
      flags[key] = value;
    }
    const password = cells.password ?? '';
    if (Array.from(password).length > PASSWORD_MAX) {
      return refuse('password', `A password is at most ${PASSWORD_MAX} characters.`);
    }
    return {
      ok: true,
      row: {
        username,
        details,
        ...flags,
        password: password || null,
        sealedPassword: null,
        passwordWeak: password ? weakness(password) !== null : false,
      },
    };
  },
  // A username twice in one file is one user meant twice: the second line is rejected, naming the first.
  uniqueKey: (row) => usernameKey(row.username),
  uniqueColumn: 'Username',
};

/** The sample file the upload page offers: the header and two rows that show the columns' forms. */
export function sampleCsv(): string {
  const rows = [
    BULK_COLUMNS.map((c) => c.label),
    [
      'C-100',
      'anna.berg',
      'Ms',
      'Anna',
      'Berg',
      'anna.berg@uni.example',
      'Candidate',
      '+47 22 00 00 01',
      'Exam-Term1',
      'no',
      'yes',
      'Hall A',
      'Booked',
    ],
    ['C-100', 'jonas.lie', 'Mr', 'Jonas', 'Lie', 'jonas.lie@uni.example', 'Candidate', '', '', 'no', 'yes', 'Hall B', 'Booked'],
  ];
  return `\ufeff${rows.map((r) => r.join(',')).join('\r\n')}\r\n`;
}
