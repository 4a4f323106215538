import { QueryTypes, type Sequelize } from 'sequelize';
import { transactionOf, type UnitOfWork } from '../../db/unit-of-work.js';
import type { StagedPhoto } from './bulk-zip.js';
import type { PhotoType } from './photo-type.js';

/** A staged photo as the plan weighs it (no bytes). */
export interface StagedPhotoMeta {
  entry: string;
  usernameKey: string | null;
  size: number;
  sha256: string | null;
  contentType: PhotoType | typeof CSV_TYPE | null;
  refused: string | null;
}

export interface StoredPhoto {
  contentType: PhotoType;
  bytes: Buffer;
  sha256: string;
  updatedAt: Date;
}

interface PhotoRecord {
  content_type: PhotoType;
  bytes: Buffer | Uint8Array;
  sha256: string;
  updated_at: string | Date;
}

const CHUNK = 50;
/** The staged row of the ZIP's CSV: listed, never stored on a user. */
export const CSV_TYPE = 'text/csv';

const photoOf = (row: PhotoRecord | undefined): StoredPhoto | null =>
  row ? { contentType: row.content_type, bytes: Buffer.from(row.bytes), sha256: row.sha256, updatedAt: new Date(row.updated_at) } : null;

/** Candidate photos: an upload's staged ones (per options row) and each permanent user's one. */
export class PhotoRepository {
  constructor(private readonly sequelize: Sequelize) {}

  /** Stages a ZIP's files for an upload, in the preview's transaction: a stage is whole or absent, never half a ZIP. */
  async stage(optionsId: string, photos: readonly StagedPhoto[], unit: UnitOfWork): Promise<void> {
    const now = new Date();
    const rows = photos.map((p) => ({
      options_id: optionsId,
      entry: p.entry,
      username_key: p.usernameKey,
      content_type: p.isCsv ? CSV_TYPE : (p.photo?.contentType ?? null),
      bytes: p.photo?.bytes ?? null,
      size: p.size,
      sha256: p.photo?.sha256 ?? null,
      refused: p.refused?.slice(0, 500) ?? null,
      staged_at: now,
    }));
    for (let i = 0; i < rows.length; i += CHUNK) {
      await this.sequelize
        .getQueryInterface()
        .bulkInsert('permanent_upload_photos', rows.slice(i, i + CHUNK), { transaction: transactionOf(unit) });
    }
  }

  async stagedOf(optionsId: string, unit?: UnitOfWork): Promise<StagedPhotoMeta[]> {
    const rows = await this.sequelize.query<{
      entry: string;
      username_key: string | null;
      size: number;
      sha256: string | null;
      content_type: PhotoType | typeof CSV_TYPE | null;
      refused: string | null;
    }>(
      `SELECT entry, username_key, size, sha256, content_type, refused FROM permanent_upload_photos
        WHERE options_id = :optionsId ORDER BY entry`,
      { replacements: { optionsId }, type: QueryTypes.SELECT, transaction: transactionOf(unit) },
    );
    return rows.map((r) => ({
      entry: r.entry,
      usernameKey: r.username_key,
      size: Number(r.size),
      sha256: r.sha256,
      contentType: r.content_type,
      refused: r.refused,
    }));
  }

  /** The sha256 of every user's photo on the platform, by user id. */
  async shasOf(platformId: string, unit?: UnitOfWork): Promise<Map<string, string>> {
    const rows = await this.sequelize.query<{ user_id: string; sha256: string }>(
      'SELECT user_id, sha256 FROM permanent_user_photos WHERE platform_id = :platformId',
      { replacements: { platformId }, type: QueryTypes.SELECT, transaction: transactionOf(unit) },
    );
    return new Map(rows.map((r) => [r.user_id, r.sha256]));
  }

  /** Copies staged photos onto their users (replacing an older photo), then drops the upload's stage; all in `unit`. */
  async storeFromStage(
    optionsId: string,
    platformId: string,
    targets: ReadonlyArray<{ userId: string; entry: string }>,
    unit: UnitOfWork,
  ): Promise<void> {
    const transaction = transactionOf(unit);
    const now = new Date();
    for (let i = 0; i < targets.length; i += CHUNK) {
      const chunk = targets.slice(i, i + CHUNK);
      const staged = await this.sequelize.query<{
        entry: string;
        content_type: PhotoType;
        bytes: Buffer | Uint8Array;
        size: number;
        sha256: string;
      }>(
        `SELECT entry, content_type, bytes, size, sha256 FROM permanent_upload_photos
          WHERE options_id = :optionsId AND entry IN (:entries) AND bytes IS NOT NULL`,
        { replacements: { optionsId, entries: chunk.map((t) => t.entry) }, type: QueryTypes.SELECT, transaction },
      );
      const byEntry = new Map(staged.map((s) => [s.entry, s]));
      const rows = chunk.map((t) => {
        const s = byEntry.get(t.entry);
        if (!s) {
          throw new Error(`The staged photo ${t.entry} of this upload is gone.`);
        }
        return {
          user_id: t.userId,
          platform_id: platformId,
          content_type: s.content_type,
          bytes: Buffer.from(s.bytes),
          size: Number(s.size),
          sha256: s.sha256,
          updated_at: now,
        };
      });
      await this.sequelize.query('DELETE FROM permanent_user_photos WHERE user_id IN (:ids)', {
        replacements: { ids: rows.map((r) => r.user_id) },
        transaction,
      });
      await this.sequelize.getQueryInterface().bulkInsert('permanent_user_photos', rows, { transaction });
    }
    await this.sequelize.query('DELETE FROM permanent_upload_photos WHERE options_id = :optionsId', {
      replacements: { optionsId },
      transaction,
    });
  }

  /** Drops the photos of previews staged before `before` that no job is committing (those previews have expired). */
  async deleteStagedBefore(before: Date, importKind: string): Promise<void> {
    await this.sequelize.query(
      `DELETE FROM permanent_upload_photos WHERE staged_at < :before
          AND options_id NOT IN (SELECT target_id FROM imports WHERE kind = :importKind AND status = 'queued')`,
      { replacements: { before, importKind } },
    );
  }

  /** The photo of a permanent user of this platform (another platform's user has none here). */
  async ofUser(platformId: string, userId: string): Promise<StoredPhoto | null> {
    const [row] = await this.sequelize.query<PhotoRecord>(
      'SELECT content_type, bytes, sha256, updated_at FROM permanent_user_photos WHERE user_id = :userId AND platform_id = :platformId',
      { replacements: { userId, platformId }, type: QueryTypes.SELECT },
    );
    return photoOf(row);
  }

  /** Whether these users have a photo (for pages that link to it). */
  async withPhoto(platformId: string, userIds: readonly string[]): Promise<Set<string>> {
    if (userIds.length === 0) {
      return new Set();
    }
    const rows = await this.sequelize.query<{ user_id: string }>(
      'SELECT user_id FROM permanent_user_photos WHERE platform_id = :platformId AND user_id IN (:userIds)',
      { replacements: { platformId, userIds }, type: QueryTypes.SELECT },
    );
    return new Set(rows.map((r) => r.user_id));
  }

  /**
   * The photo of the permanent user behind a candidate of this test, in one read (null: the
   * candidate is not of this test, not a permanent user's, has no photo, or is another platform's).
   */
  async ofCandidate(platformId: string, examId: string, candidateId: string): Promise<StoredPhoto | null> {
    const [row] = await this.sequelize.query<PhotoRecord>(
      `SELECT p.content_type, p.bytes, p.sha256, p.updated_at FROM candidates c
         JOIN permanent_user_photos p ON p.user_id = c.permanent_user_id AND p.platform_id = :platformId
        WHERE c.id = :candidateId AND c.exam_id = :examId`,
      { replacements: { platformId, examId, candidateId }, type: QueryTypes.SELECT },
    );
    return photoOf(row);
  }

  /** The same photo's sha256 alone (a browser asking whether its copy is still good needs no bytes). */
  async shaOfCandidate(platformId: string, examId: string, candidateId: string): Promise<string | null> {
    const [row] = await this.sequelize.query<{ sha256: string }>(
      `SELECT p.sha256 FROM candidates c
         JOIN permanent_user_photos p ON p.user_id = c.permanent_user_id AND p.platform_id = :platformId
        WHERE c.id = :candidateId AND c.exam_id = :examId`,
      { replacements: { platformId, examId, candidateId }, type: QueryTypes.SELECT },
    );
    return row?.sha256 ?? null;
  }

  /**
   * The sha256 of the photo of each candidate of this test who has one, by candidates.id, in one
   * read: of the candidates named (a page of the list), or of every candidate (the print-outs).
   */
  async shasOfCandidates(platformId: string, examId: string, candidateIds?: readonly string[]): Promise<Map<string, string>> {
    if (candidateIds?.length === 0) {
      return new Map();
    }
    const rows = await this.sequelize.query<{ id: string; sha256: string }>(
      `SELECT c.id, p.sha256 FROM candidates c
         JOIN permanent_user_photos p ON p.user_id = c.permanent_user_id AND p.platform_id = :platformId
        WHERE c.exam_id = :examId${candidateIds ? ' AND c.id IN (:candidateIds)' : ''}`,
      { replacements: { platformId, examId, candidateIds: candidateIds ?? [] }, type: QueryTypes.SELECT },
    );
    return new Map(rows.map((r) => [r.id, r.sha256]));
  }
}
