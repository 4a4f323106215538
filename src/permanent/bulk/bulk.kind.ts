import { randomUUID } from 'node:crypto';
import { usernameKey } from '../../access/username-rules.js';
import type { AuditBy, AuditChange } from '../../audit/audit.js';
import type { AuditService } from '../../audit/audit.service.js';
import type { UnitOfWork } from '../../db/unit-of-work.js';
import { ImportConflictError, ImportFileError } from '../../imports/import.errors.js';
import type { ImportKind, PlannedRow } from '../../imports/import-kind.js';
import { neutralise } from '../../exports/neutralise.js';
import type { SealedText } from '../../secrets/sealed-text.js';
import { generatePassword } from '../../security/password-rules.js';
import { fullName } from '../permanent-user.js';
import { describeOptions, type BulkOptions } from './bulk-options.js';
import { bulkRowSchema, type BulkRow } from './bulk-row.schema.js';
import { changeOf, mustChange, newDetails, planBulkRows } from './bulk.plan.js';
import type { BulkRepository, NewBulkUser } from './bulk.repository.js';
import { openBulkZip, type BulkZipSettings } from '../photos/bulk-zip.js';
import { photoReport } from '../photos/photo-report.js';
import type { PhotoRepository } from '../photos/photo.repository.js';
import { registrationDetailsOf, type NewUserCredentials, type RegistrationOutbox } from './registration-details.js';

export const BULK_IMPORT_KIND = 'permanent-users';

/** One upload into one platform with the options its form chose (stored: see BulkUploads.storeOptions). */
export interface BulkTarget {
  platformId: string;
  institution: string;
  optionsId: string;
  options: BulkOptions;
  /** The common password, sealed (null: none), and whether it is weak. */
  common: { sealed: string; weak: boolean } | null;
}

/** Rows written per step of a commit, so a job's progress bar moves (all inside the one transaction). */
const STEP = 500;

export interface BulkKindDeps {
  repository: BulkRepository;
  audit: AuditService;
  /** Seals the passwords waiting for their hash (purpose PASSWORD_QUEUE_PURPOSE). */
  queueSeal: SealedText;
  /** Seals the one-time download of generated passwords. */
  handoutSeal: SealedText;
  loadTarget(targetId: string): Promise<BulkTarget | null>;
  /** The e-mail outbox, where registration details are queued inside the commit. */
  outbox: RegistrationOutbox;
  signInUrl: string;
  /** Queues the hashing job inside the commit (it commits with the users, or not at all). */
  enqueueHashing(platformId: string, unit: UnitOfWork): Promise<void>;
  /** Candidate photos from a ZIP upload: where they are staged and stored, and the ZIP's limits. */
  photos: { repository: PhotoRepository; zip: BulkZipSettings & { maxBytes: number } };
}

/** The options id names the upload (its row belongs to one platform; imports.target_id holds 64 characters). */
export const bulkTargetId = (target: Pick<BulkTarget, 'optionsId'>) => target.optionsId;

/** What the preview and report say about e-mail: requested or not, and what happens to the passwords. */
export function emailNote(options: BulkOptions): string {
  return options.emailRegistration
    ? 'E-mail registration details: requested. Each new user with an e-mail address is sent their username and password; generated passwords of users without one are offered to you once, as a download.'
    : 'E-mail registration details: not requested. No e-mail is sent; generated passwords are offered to you once, as a download, after the import.';
}

/**
 * The bulk upload of permanent users (seed 004) as a kind of the CSV engine. The commit never
 * hashes: new passwords go sealed into the queue, their users are `password_pending` (no sign-in)
 * until the hashing job has made each hash.
 */
export function bulkImportKind(deps: BulkKindDeps): ImportKind<BulkRow, BulkTarget> {
  const photos = deps.photos.repository;
  const plan = async (target: BulkTarget, rows: ReadonlyArray<{ line: number; row: BulkRow }>, unit?: UnitOfWork) => {
    const staged = await photos.stagedOf(target.optionsId, unit);
    const taken = staged.filter((s) => s.sha256 !== null && s.usernameKey !== null && s.refused === null);
    const result = planBulkRows({
      options: target.options,
      common: target.common ? { weak: target.common.weak } : null,
      stored: await deps.repository.storedOf(target.platformId, unit),
      rows,
      seal: (plain) => deps.queueSeal.seal(plain),
      photos: {
        staged: new Map(taken.map((s) => [s.usernameKey!, { entry: s.entry, sha256: s.sha256! }])),
        stored: await photos.shasOf(target.platformId, unit),
      },
    });
    result.notes = [...describeOptions(target.options, target.common !== null), emailNote(target.options)];
    if (staged.length > 0) {
      result.attachments = photoReport(staged, rows, result);
    }
    return result;
  };

  const passwordOf = (target: BulkTarget, row: BulkRow): { sealed: string; weak: boolean; generated: string | null } => {
    if (target.common) {
      return { sealed: target.common.sealed, weak: target.common.weak, generated: null };
    }
    if (row.sealedPassword) {
      return { sealed: row.sealedPassword, weak: row.passwordWeak, generated: null };
    }
    const generated = generatePassword();
    return { sealed: deps.queueSeal.seal(generated), weak: false, generated };
  };

  async function commit(
    target: BulkTarget,
    planned: readonly PlannedRow<BulkRow>[],
    unit: UnitOfWork,
    by: AuditBy,
    progress: (done: number) => void,
  ) {
    await deps.repository.lockPlatform(target.platformId, unit);
    // Under the lock, what is stored now: the preview's plan must still hold, or nothing is written.
    const again = await plan(target, planned, unit);
    if (again.rejected.length > 0 || again.planned.some((p, i) => p.plan !== planned[i]?.plan)) {
      throw new ImportConflictError(
        "This platform's permanent users changed since this preview was made. Nothing was imported: upload the file again to see the new preview.",
      );
    }
    const stored = await deps.repository.storedOf(target.platformId, unit);
    const storedPhotos = await photos.shasOf(target.platformId, unit);
    const photoTargets: Array<{ userId: string; entry: string }> = [];
    const wantsMail = target.options.emailRegistration;
    const queue: Array<{ userId: string; sealed: string }> = [];
    const credentials: NewUserCredentials[] = [];
    const generated: NewUserCredentials[] = [];
    let done = 0;

    const adds = planned.filter((p) => p.plan === 'add');
    for (let i = 0; i < adds.length; i += STEP) {
      const users: NewBulkUser[] = adds.slice(i, i + STEP).map(({ row }) => {
        const password = passwordOf(target, row);
        const user: NewBulkUser = {
          id: randomUUID(),
          platformId: target.platformId,
          username: row.username,
          usernameKey: usernameKey(row.username),
          details: newDetails(row, target.options),
          weak: password.weak,
          mustChange: mustChange(target.options, password.weak),
        };
        if (row.photo) {
          photoTargets.push({ userId: user.id, entry: row.photo.entry });
        }
        queue.push({ userId: user.id, sealed: password.sealed });
        if (wantsMail || password.generated) {
          const plain = password.generated ?? deps.queueSeal.open(password.sealed)?.plain ?? '';
          const entry = {
            username: user.username,
            email: user.details.email,
            name: fullName({ ...user.details, username: user.username }),
            password: plain,
            mustChange: user.mustChange,
          };
          credentials.push(entry);
          if (password.generated) {
            generated.push(entry);
          }
        }
        return user;
      });
      await deps.repository.insertUsers(users, unit);
      done += users.length;
      progress(done);
    }

    const trail: AuditChange[] = [];
    for (const p of planned.filter((q) => q.plan === 'update')) {
      const existing = stored.get(usernameKey(p.row.username))!;
      const subject = {
        entityType: 'permanent-user' as const,
        entityId: existing.id,
        label: existing.username,
        platformId: target.platformId,
      };
      if (p.row.deleted === true) {
        await deps.repository.updateDetails(existing.id, existing.details, new Date(), unit);
        trail.push({ ...subject, action: 'delete', changes: { deleted: { from: false, to: true } } });
      } else {
        const change = changeOf(existing, p.row, target.options);
        const deleted = change.deleted === existing.deleted ? undefined : change.deleted ? new Date() : null;
        await deps.repository.updateDetails(existing.id, change.details, deleted, unit);
        const changes: AuditChange['changes'] = {};
        for (const key of Object.keys(change.details) as Array<keyof typeof change.details>) {
          if (change.details[key] !== existing.details[key]) {
            changes[key] = { from: existing.details[key], to: change.details[key] };
          }
        }
        if (deleted !== undefined) {
          changes.deleted = { from: existing.deleted, to: change.deleted };
        }
        if (p.row.photo) {
          photoTargets.push({ userId: existing.id, entry: p.row.photo.entry });
          changes.photo = { from: storedPhotos.get(existing.id) ?? null, to: p.row.photo.sha256 };
        }
        if (change.password) {
          const must = mustChange(target.options, change.password.weak);
          await deps.repository.markPending(existing.id, { weak: change.password.weak, mustChange: must }, unit);
          queue.push({ userId: existing.id, sealed: change.password.sealed });
          changes.passwordWeak = { from: null, to: change.password.weak };
          changes.mustChangePassword = { from: null, to: must };
        }
        trail.push({ ...subject, action: 'update', changes });
      }
      done += 1;
      progress(done);
    }
    await deps.repository.queue(target.platformId, queue, unit);
    // The photos go with their users in this transaction; the upload's stage goes with them.
    await photos.storeFromStage(target.optionsId, target.platformId, photoTargets, unit);
    // The import's own audit entry (the engine's) covers the users it adds with its report; changes to existing accounts get one each.
    if (photoTargets.length > 0) {
      trail.push({
        entityType: 'platform',
        entityId: target.platformId,
        label: 'Bulk upload of permanent users',
        platformId: target.platformId,
        action: 'store-photos',
        changes: { photos: { from: null, to: photoTargets.length }, upload: { from: null, to: target.optionsId } },
      });
    }
    if (trail.length > 0) {
      await deps.audit.record(by, trail, unit);
    }

    let unsent = generated;
    if (wantsMail) {
      const details = registrationDetailsOf(credentials, { institution: target.institution, signInUrl: deps.signInUrl });
      await deps.outbox(target.platformId, details.messages, unit, by);
      // A set: with 100 000 new users an array's includes() per user would be quadratic.
      const isGenerated = new Set(generated);
      unsent = details.unsent.filter((u) => isGenerated.has(u));
    }
    if (unsent.length > 0) {
      const csv = [
        'Username,Password,E-mail',
        ...unsent.map((u) => [u.username, u.password, neutralise(u.email ?? '')].map(csvCell).join(',')),
      ].join('\r\n');
      await deps.repository.insertHandout(target.optionsId, target.platformId, deps.handoutSeal.seal(`${csv}\r\n`), unsent.length, unit);
    }
    if (queue.length > 0) {
      await deps.enqueueHashing(target.platformId, unit);
    }
  }

  return {
    name: BULK_IMPORT_KIND,
    schema: bulkRowSchema,
    targetId: bulkTargetId,
    loadTarget: (targetId) => deps.loadTarget(targetId),
    plan,
    commit,
    auditSubject: (target) => ({
      entityType: 'platform',
      entityId: target.platformId,
      label: `Bulk upload of permanent users`,
      platformId: target.platformId,
    }),
    archive: {
      maxBytes: deps.photos.zip.maxBytes,
      open: async (target, file) => {
        const zip = await openBulkZip(file.bytes, deps.photos.zip);
        return {
          csv: zip.csv,
          keep: async () => {
            // Photos are staged per upload form sent (its options row): a second ZIP on the same options would mix two stages.
            if ((await photos.stagedOf(target.optionsId)).length > 0) {
              throw new ImportFileError('This upload has its ZIP already: send the upload form again to preview another ZIP.');
            }
            await photos.stage(target.optionsId, zip.photos);
          },
        };
      },
    },
    reportCells: (row) => [
      row.details.clientId ?? '',
      row.username,
      row.details.title ?? '',
      row.details.firstName ?? '',
      row.details.lastName ?? '',
      row.details.email ?? '',
      row.details.role ?? '',
      row.details.phone ?? '',
      // Never the password itself: whether the file gave one, and whether it is weak.
      row.sealedPassword ? (row.passwordWeak ? 'given (weak)' : 'given') : '',
      row.deleted === null ? '' : row.deleted ? 'yes' : 'no',
      row.eligible === null ? '' : row.eligible ? 'yes' : 'no',
      row.details.venue ?? '',
      row.details.bookingStatus ?? '',
    ],
  };
}

/** A CSV cell, quoted when it holds a delimiter, quote or line break (usernames and generated passwords cannot start a formula). */
function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
