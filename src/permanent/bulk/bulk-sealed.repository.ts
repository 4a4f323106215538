import { QueryTypes, type Sequelize } from 'sequelize';

/** A sealed value as stored, named by its row's key. */
export interface SealedRow {
  key: string;
  sealed: string;
}

/**
 * The queries of re-sealing the bulk upload's sealed stores after a SECRET_KEY rotation:
 * permanent_password_queue (passwords waiting for their hash), permanent_password_handouts
 * (generated passwords waiting for their one download) and the common password inside
 * permanent_import_options (an upload previewed before the rotation and committed after it). Each write is conditional on the value
 * read, so a row changed meanwhile (hashed, taken, replaced by a later upload) is left alone.
 */
export class BulkSealedRepository {
  constructor(private readonly sequelize: Sequelize) {}

  /** Queued passwords after `after` in user-id order, `limit` of them (keyset paging: 100 000 queued are never held at once). */
  async queuedAfter(after: string, limit: number): Promise<SealedRow[]> {
    const rows = await this.sequelize.query<{ user_id: string; sealed: string }>(
      `SELECT user_id, sealed FROM permanent_password_queue WHERE user_id > :after ORDER BY user_id LIMIT ${Number(limit)}`,
      { replacements: { after }, type: QueryTypes.SELECT },
    );
    return rows.map((r) => ({ key: r.user_id, sealed: r.sealed }));
  }

  async replaceQueued(userId: string, before: string, after: string): Promise<void> {
    await this.sequelize.query('UPDATE permanent_password_queue SET sealed = :after WHERE user_id = :userId AND sealed = :before', {
      replacements: { userId, before, after },
    });
  }

  /** Upload options that hold a sealed common password, as stored (JSON text: the write below compares it whole). */
  async optionsWithCommon(): Promise<SealedRow[]> {
    const rows = await this.sequelize.query<{ id: string; options: string }>(
      `SELECT id, options FROM permanent_import_options WHERE options LIKE '%"sealed"%' ORDER BY id`,
      { type: QueryTypes.SELECT },
    );
    return rows.map((r) => ({ key: r.id, sealed: r.options }));
  }

  async replaceOptions(id: string, before: string, after: string): Promise<void> {
    await this.sequelize.query('UPDATE permanent_import_options SET options = :after WHERE id = :id AND options = :before', {
      replacements: { id, before, after },
    });
  }

  /** Every handout not downloaded yet (one per upload that generated passwords: few). */
  async handouts(): Promise<SealedRow[]> {
    const rows = await this.sequelize.query<{ options_id: string; sealed: string }>(
      'SELECT options_id, sealed FROM permanent_password_handouts ORDER BY options_id',
      { type: QueryTypes.SELECT },
    );
    return rows.map((r) => ({ key: r.options_id, sealed: r.sealed }));
  }

  async replaceHandout(optionsId: string, before: string, after: string): Promise<void> {
    await this.sequelize.query(
      'UPDATE permanent_password_handouts SET sealed = :after WHERE options_id = :optionsId AND sealed = :before',
      {
        replacements: { optionsId, before, after },
      },
    );
  }
}
