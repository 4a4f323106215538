import { usernameKey, USERNAME_MAX } from '../../access/username-rules.js';
import type { ImportPlan, PlannedRow, RowRejection } from '../../imports/import-kind.js';
import { DETAIL_FIELDS, DETAIL_LABELS, type PermanentUserDetails } from '../permanent-user.js';
import type { BulkOptions } from './bulk-options.js';
import type { BulkRow } from './bulk-row.schema.js';

/** What the plan needs to know of a stored user. */
export interface StoredForPlan {
  id: string;
  username: string;
  details: PermanentUserDetails;
  deleted: boolean;
  hasPassword: boolean;
}

export interface BulkPlanInput {
  options: BulkOptions;
  /** The common password's weakness (null: none set). */
  common: { weak: boolean } | null;
  /** The platform's users by username key. */
  stored: ReadonlyMap<string, StoredForPlan>;
  rows: ReadonlyArray<{ line: number; row: BulkRow }>;
  /** Seals a password from the file, so a preview never stores it in clear. */
  seal(plain: string): string;
  /**
   * Every username key a numbered username (Add all) must avoid, added to as names are numbered:
   * for a file planned part by part, the platform's and the whole file's, kept from part to part.
   * Default: the platform's and these rows'.
   */
  taken?: Set<string>;
  /** A ZIP upload's photos by username key, and the sha256 of each stored user's photo by user id. */
  photos?: { staged: ReadonlyMap<string, { entry: string; sha256: string }>; stored: ReadonlyMap<string, string> };
}

/** What committing one row does to a stored user (recomputed under the commit's lock). */
export interface UserChange {
  details: PermanentUserDetails;
  deleted: boolean;
  /** A new password from the file (sealed), or none. */
  password: { sealed: string; weak: boolean } | null;
  changes: string[];
}

const short = (text: string | null) =>
  text === null ? '(none)' : Array.from(text).length > 40 ? `"${Array.from(text).slice(0, 40).join('')}…"` : `"${text}"`;

/** A new user's details: the row's cells, else the form's defaults. */
export function newDetails(row: BulkRow, options: BulkOptions): PermanentUserDetails {
  const details = { eligible: row.eligible ?? options.defaults.eligible ?? true } as PermanentUserDetails;
  for (const field of DETAIL_FIELDS) {
    details[field] = row.details[field] ?? (options.defaults as Record<string, string | undefined>)[field] ?? null;
  }
  return details;
}

/** Must the user change this password at the next sign-in (seed 004, Force Password Change)? */
export function mustChange(options: BulkOptions, weak: boolean): boolean {
  return options.forceChange === 'all' || (options.forceChange === 'weak' && weak);
}

/**
 * An existing user's details after the row, by "Existing user details": no changes; override
 * with the file (a filled cell replaces, an empty one keeps); override with the file and the
 * defaults (an empty cell takes the default where the form set one); fill in what is missing
 * (only empty stored details take the file's cell, else the default).
 */
export function changeOf(stored: StoredForPlan, row: BulkRow, options: BulkOptions): UserChange {
  const mode = options.existingDetails;
  const defaults = options.defaults as Record<string, string | boolean | undefined>;
  const details = { ...stored.details };
  const changes: string[] = [];
  if (mode !== 'none') {
    for (const field of DETAIL_FIELDS) {
      const fromFile = row.details[field] ?? null;
      const fallback = mode === 'override' ? null : ((defaults[field] as string | undefined) ?? null);
      const next = mode === 'fill' ? (stored.details[field] ?? fromFile ?? fallback) : (fromFile ?? fallback ?? stored.details[field]);
      if (next !== stored.details[field]) {
        changes.push(`${DETAIL_LABELS[field]} ${short(stored.details[field])} → ${short(next)}`);
        details[field] = next;
      }
    }
    // Eligible is never "missing" (a user is eligible or not): fill leaves it, the overrides take the file's, else the default.
    const eligible =
      mode === 'fill'
        ? stored.details.eligible
        : (row.eligible ?? (mode === 'override' ? null : (defaults.eligible as boolean | undefined)) ?? stored.details.eligible);
    if (eligible !== stored.details.eligible) {
      changes.push(`Eligible ${stored.details.eligible ? 'yes' : 'no'} → ${eligible ? 'yes' : 'no'}`);
      details.eligible = eligible;
    }
  }
  const takesPassword =
    row.sealedPassword !== null && (mode === 'override' || mode === 'override-defaults' || (mode === 'fill' && !stored.hasPassword));
  if (takesPassword) {
    changes.push(`new password from the file${row.passwordWeak ? ' (weak: kept, flagged)' : ''}`);
  }
  let deleted = stored.deleted;
  if (options.allowDeletes && row.deleted === false && stored.deleted) {
    deleted = false;
    changes.push('undeleted');
  }
  return { details, deleted, password: takesPassword ? { sealed: row.sealedPassword!, weak: row.passwordWeak } : null, changes };
}

/** The username with the lowest number from 2 on that neither the platform nor the file has yet: anna → anna2. */
function numbered(username: string, taken: Set<string>): string | null {
  for (let n = 2; ; n += 1) {
    const candidate = `${username}${n}`;
    if (Array.from(candidate).length > USERNAME_MAX) {
      return null;
    }
    if (!taken.has(usernameKey(candidate))) {
      return candidate;
    }
  }
}

/**
 * Classifies each accepted row of a bulk upload against the platform's users (pure: the caller
 * reads what is stored). Every row gets add, update or skip with a note that says why, or a
 * rejection naming its column; the options decide (seed 004). Passwords leave sealed.
 */
export function planBulkRows(input: BulkPlanInput): ImportPlan<BulkRow> {
  const { options, stored } = input;
  const planned: PlannedRow<BulkRow>[] = [];
  const rejected: RowRejection[] = [];
  // Every username the platform or the file has: a numbered one must be free of both. Made only when a row needs it.
  let taken = input.taken;
  const takenNow = () => (taken ??= new Set<string>([...stored.keys(), ...input.rows.map((r) => usernameKey(r.row.username))]));
  const updates = options.uploadType === 'add-update' || options.uploadType === 'update-only';

  for (const { line, row: read } of input.rows) {
    const row: BulkRow = {
      ...read,
      password: null,
      sealedPassword: read.sealedPassword ?? (read.password ? input.seal(read.password) : null),
      // A row planned before (the commit's second look) keeps what the preview gave it.
      photo: read.photo !== undefined ? read.photo : (input.photos?.staged.get(usernameKey(read.username)) ?? null),
    };
    const existing = stored.get(usernameKey(row.username));
    const skip = (note: string) => planned.push({ line, row, plan: 'skip', note });

    if (existing && row.deleted === true) {
      row.photo = null;
      if (!options.allowDeletes) {
        skip('Deleted = yes is not applied: Allow deletes is off. Nothing changed.');
      } else if (existing.deleted) {
        skip('already deleted');
      } else {
        planned.push({ line, row, plan: 'update', note: 'will be deleted (Allow deletes is on): the user can no longer sign in' });
      }
      continue;
    }
    if (existing && options.uploadType !== 'add-all') {
      if (!updates) {
        skip('exists already; skipped (Add new only)');
        continue;
      }
      const change = changeOf(existing, row, options);
      const storedPhoto = input.photos?.stored.get(existing.id);
      if (row.photo && row.photo.sha256 !== storedPhoto) {
        change.changes.push(storedPhoto ? 'photo replaced' : 'photo added');
      } else {
        row.photo = null;
      }
      if (change.changes.length === 0) {
        skip(options.existingDetails === 'none' ? 'exists already; Existing user details: No changes' : 'exists already, unchanged');
      } else {
        planned.push({ line, row, plan: 'update', note: change.changes.join(', ') });
      }
      continue;
    }
    if (!existing && options.uploadType === 'update-only') {
      skip('no such user on this platform; skipped (Update existing users only)');
      continue;
    }
    if (row.deleted === true) {
      skip('marked Deleted: not added');
      continue;
    }
    const notes: string[] = [];
    if (existing) {
      const free = numbered(row.username, takenNow());
      if (!free) {
        rejected.push({
          line,
          column: 'Username',
          reason: `"${row.username.slice(0, 60)}" is taken, and no number fits within ${USERNAME_MAX} characters.`,
        });
        continue;
      }
      takenNow().add(usernameKey(free));
      notes.push(`"${row.username.slice(0, 60)}" is taken: added as "${free}"`);
      row.username = free;
    }
    let weak: boolean;
    if (input.common) {
      weak = input.common.weak;
      notes.push(`common password${weak ? ' (weak: kept, flagged)' : ''}${row.sealedPassword ? '; the file’s password is not used' : ''}`);
      row.sealedPassword = null;
    } else if (row.sealedPassword) {
      weak = row.passwordWeak;
      notes.push(`password from the file${weak ? ' (weak: kept, flagged)' : ''}`);
    } else if (options.newPassword === 'file') {
      rejected.push({
        line,
        column: 'Password',
        reason:
          'is empty, and New user password says it is required in the file: give one, or choose "Create a password where the file has none" (or a common password).',
      });
      continue;
    } else {
      weak = false;
      notes.push('password generated');
    }
    if (mustChange(options, weak)) {
      notes.push('must change it at the first sign-in');
    }
    if (row.photo) {
      notes.push('with a photo');
    }
    planned.push({ line, row, plan: 'add', note: notes.join('; ') });
  }
  return { planned, rejected };
}
