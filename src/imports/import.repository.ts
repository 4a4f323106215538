import { QueryTypes, type Sequelize } from 'sequelize';
import type { AuditBy } from '../audit/audit.js';
import { transactionOf, type UnitOfWork } from '../db/unit-of-work.js';
import type { ImportLine, ImportStatus, ImportSummary, ListedLines, StoredImport } from './import.js';
import { ImportNotFoundError } from './import.errors.js';
import { ImportPartsRepository } from './import-parts.repository.js';

interface ImportRecord {
  id: string;
  kind: string;
  target_id: string;
  status: string;
  file_name: string;
  file_sha256: string;
  file_bytes: number;
  created_by: string;
  summary: string;
  lines: string;
  listed: string | null;
  payload: string | null;
  job_id: string | null;
  error: string | null;
  created_at: Date | string;
  expires_at: Date | string | null;
  committed_at: Date | string | null;
}

/** Every column but the lines (read as an empty list) and the payload: what a status, a commit or a list needs. */
const HEAD_COLUMNS = `id, kind, target_id, status, file_name, file_sha256, file_bytes, created_by, summary, '[]' AS lines, NULL AS payload,
       job_id, error, created_at, expires_at, committed_at`;

/** The head and what the pages list (imports.listed: at most 200 lines per outcome). */
const PAGE_COLUMNS = `${HEAD_COLUMNS}, listed`;

const date = (value: Date | string | null) => (value === null ? null : new Date(value));

function toImport(row: ImportRecord): StoredImport {
  return {
    id: row.id,
    kind: row.kind,
    targetId: row.target_id,
    status: row.status as ImportStatus,
    fileName: row.file_name,
    sha256: row.file_sha256,
    bytes: Number(row.file_bytes),
    by: JSON.parse(row.created_by) as AuditBy,
    summary: JSON.parse(row.summary) as ImportSummary,
    lines: JSON.parse(row.lines) as ImportLine[],
    listed: row.listed ? (JSON.parse(row.listed) as ListedLines) : null,
    jobId: row.job_id,
    error: row.error,
    createdAt: date(row.created_at) ?? new Date(0),
    expiresAt: date(row.expires_at),
    committedAt: date(row.committed_at),
  };
}

/**
 * A new preview's row as the service stores it. Its lines and payload (the planned rows a commit
 * applies) go into import_parts beside it (`parts`), in the same unit.
 */
export type NewImport = Omit<StoredImport, 'status' | 'jobId' | 'error' | 'committedAt' | 'lines'>;

/** Queries over the imports table (previews and reports) and their parts. */
export class ImportRepository {
  readonly parts: ImportPartsRepository;

  constructor(private readonly sequelize: Sequelize) {
    this.parts = new ImportPartsRepository(sequelize);
  }

  /** Stores a new preview's row (its parts are appended in the same `unit`). */
  async insert(entry: NewImport, unit: UnitOfWork): Promise<void> {
    await this.sequelize.query(
      `INSERT INTO imports (id, kind, target_id, status, file_name, file_sha256, file_bytes, created_by, summary, lines, listed, payload,
                            created_at, expires_at)
       VALUES (:id, :kind, :targetId, 'preview', :fileName, :sha256, :bytes, :by, :summary, '[]', :listed, NULL, :createdAt, :expiresAt)`,
      {
        replacements: {
          id: entry.id,
          kind: entry.kind,
          targetId: entry.targetId,
          fileName: entry.fileName,
          sha256: entry.sha256,
          bytes: entry.bytes,
          by: JSON.stringify(entry.by),
          summary: JSON.stringify(entry.summary),
          listed: entry.listed ? JSON.stringify(entry.listed) : null,
          createdAt: entry.createdAt,
          expiresAt: entry.expiresAt,
        },
        type: QueryTypes.INSERT,
        transaction: transactionOf(unit),
      },
    );
  }

  /** The import with every line: from its parts, or for an import stored before parts were kept, from `imports.lines`. */
  async find(id: string, unit?: UnitOfWork): Promise<StoredImport | null> {
    const [row] = await this.sequelize.query<ImportRecord>('SELECT * FROM imports WHERE id = :id', {
      replacements: { id },
      type: QueryTypes.SELECT,
      transaction: transactionOf(unit),
    });
    if (!row) {
      return null;
    }
    const lines: ImportLine[] = [];
    const parts = await this.parts.each(id, 'lines', (rows) => void lines.push(...(rows as ImportLine[])), unit);
    return { ...toImport(row), ...(parts > 0 ? { lines } : {}) };
  }

  /** An import's lines part by part, for its report CSV (an import stored before parts were kept: all in one). */
  async *linesOf(id: string): AsyncGenerator<ImportLine[]> {
    let parts = 0;
    for await (const lines of this.parts.read(id, 'lines')) {
      parts += 1;
      yield lines as ImportLine[];
    }
    // Still there once every part is read: a preview that expired meanwhile (housekeeping deletes
    // it and its parts) fails the download instead of ending it short as if it were whole.
    const [row] = await this.sequelize.query<{ lines: string | null }>(
      `SELECT ${parts === 0 ? 'lines' : 'NULL AS lines'} FROM imports WHERE id = :id`,
      { replacements: { id }, type: QueryTypes.SELECT },
    );
    if (!row) {
      throw new ImportNotFoundError();
    }
    if (parts === 0 && row.lines) {
      yield JSON.parse(row.lines) as ImportLine[];
    }
  }

  /**
   * The import without its lines (`lines` is empty): a 100 000-row import's lines are tens of
   * megabytes of JSON, which a status poll or a commit has no use for.
   */
  async findHead(id: string, unit?: UnitOfWork): Promise<StoredImport | null> {
    const [row] = await this.sequelize.query<ImportRecord>(`SELECT ${HEAD_COLUMNS} FROM imports WHERE id = :id`, {
      replacements: { id },
      type: QueryTypes.SELECT,
      transaction: transactionOf(unit),
    });
    return row ? toImport(row) : null;
  }

  /** The import with what its pages list but without its lines (`listed` null: stored before it was kept; read `find`). */
  async findPage(id: string): Promise<StoredImport | null> {
    const [row] = await this.sequelize.query<ImportRecord>(`SELECT ${PAGE_COLUMNS} FROM imports WHERE id = :id`, {
      replacements: { id },
      type: QueryTypes.SELECT,
    });
    return row ? toImport(row) : null;
  }

  /**
   * Calls `each` with the rows a commit applies, part by part, from the import's parts (or all at
   * once from `imports.payload`, for an import stored before parts were kept).
   */
  async eachPayloadPart(id: string, each: (rows: unknown[]) => Promise<void>, unit?: UnitOfWork): Promise<void> {
    if ((await this.parts.each(id, 'payload', each, unit)) > 0) {
      return;
    }
    const [row] = await this.sequelize.query<{ payload: string | null }>('SELECT payload FROM imports WHERE id = :id', {
      replacements: { id },
      type: QueryTypes.SELECT,
      transaction: transactionOf(unit),
    });
    const rows = row?.payload ? (JSON.parse(row.payload) as unknown[]) : [];
    if (rows.length > 0) {
      await each(rows);
    }
  }

  /** A committed import's payload (it holds sealed passwords) goes, in the commit's unit, once the commit has read it. */
  async dropPayload(id: string, unit: UnitOfWork): Promise<void> {
    await this.parts.remove(id, 'payload', unit);
    await this.sequelize.query('UPDATE imports SET payload = NULL WHERE id = :id', {
      replacements: { id },
      type: QueryTypes.UPDATE,
      transaction: transactionOf(unit),
    });
  }

  /** The latest committed import of the same file into the same target, if any (without its lines). */
  async committedBefore(targetId: string, kind: string, sha256: string): Promise<StoredImport | null> {
    const [row] = await this.sequelize.query<ImportRecord>(
      `SELECT ${HEAD_COLUMNS} FROM imports WHERE target_id = :targetId AND kind = :kind AND file_sha256 = :sha256 AND status = 'committed'
       ORDER BY committed_at DESC LIMIT 1`,
      { replacements: { targetId, kind, sha256 }, type: QueryTypes.SELECT },
    );
    return row ? toImport(row) : null;
  }

  /** Committed imports of a target, newest first (without their lines). */
  async reportsOf(targetId: string, kind: string, limit: number): Promise<StoredImport[]> {
    const rows = await this.sequelize.query<ImportRecord>(
      `SELECT ${HEAD_COLUMNS}
         FROM imports WHERE target_id = :targetId AND kind = :kind AND status IN ('committed', 'failed', 'queued')
        ORDER BY created_at DESC LIMIT :limit`,
      { replacements: { targetId, kind, limit }, type: QueryTypes.SELECT },
    );
    return rows.map(toImport);
  }

  /** Moves an import from one status to another; false when it was not in `from` (a second click, a race). */
  async move(id: string, from: ImportStatus[], to: ImportStatus, fields: { jobId?: string; error?: string | null }, unit?: UnitOfWork) {
    const sets = ['status = :to'];
    if (fields.jobId !== undefined) {
      sets.push('job_id = :jobId');
    }
    if (fields.error !== undefined) {
      sets.push('error = :error');
    }
    if (to === 'committed') {
      sets.push('committed_at = :now', 'expires_at = NULL');
    }
    const [, changed] = await this.sequelize.query(`UPDATE imports SET ${sets.join(', ')} WHERE id = :id AND status IN (:from)`, {
      replacements: {
        id,
        from,
        to,
        now: new Date(),
        jobId: fields.jobId ?? null,
        error: fields.error ?? null,
      },
      type: QueryTypes.UPDATE,
      transaction: transactionOf(unit),
    });
    return changed > 0;
  }

  /** Previews nobody committed, once they expired. */
  async deleteExpired(now = new Date()): Promise<void> {
    await this.parts.removeOfExpired(now);
    await this.sequelize.query(`DELETE FROM imports WHERE status = 'preview' AND expires_at < :now`, {
      replacements: { now },
      type: QueryTypes.DELETE,
    });
  }
}
