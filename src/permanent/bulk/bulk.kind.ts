import { randomUUID } from 'node:crypto';
import { usernameKey } from '../../access/username-rules.js';
import type { AuditBy, AuditChange } from '../../audit/audit.js';
import type { AuditService } from '../../audit/audit.service.js';
import type { UnitOfWork } from '../../db/unit-of-work.js';
import { ImportConflictError, ImportFileError } from '../../imports/import.errors.js';
import type { ImportKind, PartPlanner, PlannedRow, PlannedRows } from '../../imports/import-kind.js';
import { neutralise } from '../../exports/neutralise.js';
import type { SealedText } from '../../secrets/sealed-text.js';
import { generatePasswords } from '../../security/password-rules.js';
import { fullName } from '../permanent-user.js';
import { describeOptions, type BulkOptions } from './bulk-options.js';
import { bulkRowSchema, type BulkRow } from './bulk-row.schema.js';
import { changeOf, mustChange, newDetails, planBulkRows, type StoredForPlan } from './bulk.plan.js';
import type { BulkRepository, NewBulkUser } from './bulk.repository.js';
import { openBulkZip, type BulkZipSettings } from '../photos/bulk-zip.js';
import { PhotoTally } from '../photos/photo-report.js';
import type { PhotoRepository, StagedPhotoMeta } from '../photos/photo.repository.js';
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
  /** What the platform holds now that a plan is made against: its users, and its users' photo hashes. */
  type StoredNow = { users: Map<string, StoredForPlan>; photos: Map<string, string> };
  const storedNow = async (platformId: string, unit?: UnitOfWork): Promise<StoredNow> => ({
    users: await deps.repository.storedOf(platformId, unit),
    photos: await photos.shasOf(platformId, unit),
  });
  /** A ZIP upload's staged photos that can be stored, by username key. */
  const storable = (staged: readonly StagedPhotoMeta[]) =>
    new Map(
      staged.flatMap((s) =>
        s.sha256 !== null && s.usernameKey !== null && s.refused === null
          ? [[s.usernameKey, { entry: s.entry, sha256: s.sha256 }] as const]
          : [],
      ),
    );
  /** The plan of `rows` against what is stored and the upload's storable photos (pure: the caller has read both). */
  const planWith = (
    target: BulkTarget,
    rows: ReadonlyArray<{ line: number; row: BulkRow }>,
    stored: StoredNow,
    staged: ReadonlyMap<string, { entry: string; sha256: string }>,
    taken?: Set<string>,
  ) =>
    planBulkRows({
      options: target.options,
      common: target.common ? { weak: target.common.weak } : null,
      stored: stored.users,
      rows,
      ...(taken ? { taken } : {}),
      seal: (plain) => deps.queueSeal.seal(plain),
      photos: { staged, stored: stored.photos },
    });

  /** The preview's plan, part by part, against what is stored when it starts (read once). */
  const planner = async (target: BulkTarget, unit: UnitOfWork): Promise<PartPlanner<BulkRow>> => {
    const staged = await photos.stagedOf(target.optionsId, unit);
    const stored = await storedNow(target.platformId, unit);
    const photosToStore = storable(staged);
    const tally = staged.length > 0 ? new PhotoTally(staged) : null;
    // Add all numbers a clashing username: the number must be free on the platform and in the whole file, so the file is read twice.
    const taken = target.options.uploadType === 'add-all' ? new Set(stored.users.keys()) : undefined;
    return {
      ...(taken ? { see: (row: BulkRow) => void taken.add(usernameKey(row.username)) } : {}),
      plan: async (rows) => {
        const result = planWith(target, rows, stored, photosToStore, taken);
        tally?.add(rows, result);
        return result;
      },
      finish: () => ({
        notes: [...describeOptions(target.options, target.common !== null), emailNote(target.options)],
        ...(tally ? { attachments: tally.report() } : {}),
      }),
    };
  };

  /**
   * Under the commit's lock, the preview's plan (photos included) must still hold against what is
   * stored now, part by part (a part that no longer holds throws, and the transaction writes none).
   */
  const stillHolds = (
    target: BulkTarget,
    part: readonly PlannedRow<BulkRow>[],
    stored: StoredNow,
    staged: ReadonlyMap<string, { entry: string; sha256: string }>,
  ) => {
    const again = planWith(target, part, stored, staged);
    return again.rejected.length === 0 && again.planned.every((p, i) => p.plan === part[i]?.plan);
  };

  /** The row's password, sealed for the queue; `generate` hands out this batch's next generated one. */
  const passwordOf = (
    target: BulkTarget,
    row: BulkRow,
    generate: () => string,
  ): { sealed: string; weak: boolean; generated: string | null } => {
    if (target.common) {
      return { sealed: target.common.sealed, weak: target.common.weak, generated: null };
    }
    if (row.sealedPassword) {
      return { sealed: row.sealedPassword, weak: row.passwordWeak, generated: null };
    }
    const generated = generate();
    return { sealed: deps.queueSeal.seal(generated), weak: false, generated };
  };

  async function commit(
    target: BulkTarget,
    planned: PlannedRows<BulkRow>,
    unit: UnitOfWork,
    by: AuditBy,
    progress: (done: number) => void,
  ) {
    await deps.repository.lockPlatform(target.platformId, unit);
    // Read once under the lock: the re-check and the writes below use the same rows.
    const now = await storedNow(target.platformId, unit);
    const staged = storable(await photos.stagedOf(target.optionsId, unit));
    const stored = now.users;
    const storedPhotos = now.photos;
    const photoTargets: Array<{ userId: string; entry: string }> = [];
    const wantsMail = target.options.emailRegistration;
    // With e-mail, the registration details need every new user's credentials at the end;
    // without it, only the download's lines are kept (a line of text per generated password,
    // not an object per user: a 100 000-user commit kept hundreds of MB).
    const credentials: NewUserCredentials[] = [];
    const generated = new Set<NewUserCredentials>();
    const handout: string[] = [];
    const queue: Array<{ userId: string; sealed: string }> = [];
    const trail: AuditChange[] = [];
    let queued = 0;
    let done = 0;

    /** One part's new users and their queue entries, written in steps and let go (all inside the one transaction). */
    const writeAdds = async (adds: readonly PlannedRow<BulkRow>[]) => {
      for (let i = 0; i < adds.length; i += STEP) {
        const batch = adds.slice(i, i + STEP);
        const fresh = target.common ? [] : generatePasswords(batch.filter(({ row }) => !row.sealedPassword).length);
        let next = 0;
        const generate = () => fresh[next++]!;
        const batchQueue: Array<{ userId: string; sealed: string }> = [];
        const users: NewBulkUser[] = batch.map(({ row }) => {
          const password = passwordOf(target, row, generate);
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
          batchQueue.push({ userId: user.id, sealed: password.sealed });
          if (wantsMail) {
            const entry = {
              username: user.username,
              email: user.details.email,
              name: fullName({ ...user.details, username: user.username }),
              password: password.generated ?? deps.queueSeal.open(password.sealed)?.plain ?? '',
              mustChange: user.mustChange,
            };
            credentials.push(entry);
            if (password.generated) {
              generated.add(entry);
            }
          } else if (password.generated) {
            handout.push(handoutLine(user.username, password.generated, user.details.email));
          }
          return user;
        });
        await deps.repository.insertUsers(users, unit);
        await deps.repository.queue(target.platformId, batchQueue, unit, { newUsers: true });
        queued += batchQueue.length;
        done += users.length;
        progress(done);
      }
    };

    /** One part's changes to existing users; their new passwords join `queue`, their audit entries `trail`. */
    const writeUpdates = async (updates: readonly PlannedRow<BulkRow>[]) => {
      for (const p of updates) {
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
    };

    await planned.eachPart(async (part) => {
      if (!stillHolds(target, part, now, staged)) {
        throw new ImportConflictError(
          "This platform's permanent users changed since this preview was made. Nothing was imported: upload the file again to see the new preview.",
        );
      }
      await writeAdds(part.filter((p) => p.plan === 'add'));
      await writeUpdates(part.filter((p) => p.plan === 'update'));
    });
    await deps.repository.queue(target.platformId, queue, unit);
    queued += queue.length;
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

    if (wantsMail) {
      const details = registrationDetailsOf(credentials, { institution: target.institution, signInUrl: deps.signInUrl });
      await deps.outbox(target.platformId, details.messages, unit, by);
      for (const u of details.unsent) {
        if (generated.has(u)) {
          handout.push(handoutLine(u.username, u.password, u.email));
        }
      }
    }
    if (handout.length > 0) {
      const csv = `Username,Password,E-mail\r\n${handout.join('\r\n')}\r\n`;
      await deps.repository.insertHandout(target.optionsId, target.platformId, deps.handoutSeal.seal(csv), handout.length, unit);
    }
    if (queued > 0) {
      await deps.enqueueHashing(target.platformId, unit);
    }
  }

  return {
    name: BULK_IMPORT_KIND,
    schema: bulkRowSchema,
    targetId: bulkTargetId,
    loadTarget: (targetId) => deps.loadTarget(targetId),
    planner,
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
          keep: async (unit) => {
            // Photos are staged per upload form sent (its options row): a second ZIP on the same options would mix two stages.
            if ((await photos.stagedOf(target.optionsId, unit)).length > 0) {
              throw new ImportFileError('This upload has its ZIP already: send the upload form again to preview another ZIP.');
            }
            await photos.stage(target.optionsId, zip.photos, unit);
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

/** One line of the download of generated passwords. */
function handoutLine(username: string, password: string, email: string | null): string {
  return [username, password, neutralise(email ?? '')].map(csvCell).join(',');
}

/** A CSV cell, quoted when it holds a delimiter, quote or line break (usernames and generated passwords cannot start a formula). */
function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
