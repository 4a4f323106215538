import { QueryTypes, type Sequelize } from 'sequelize';
import type { AuditBy } from '../audit/audit.js';
import { transactionOf, type UnitOfWork } from '../db/unit-of-work.js';
import type { ImportLine, ImportStatus, ImportSummary, ListedLines, StoredImport } from './import.js';

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

/** A new preview as the service stores it: the planned rows (`payload`) are what a commit applies. */
export interface NewImport extends Omit<StoredImport, 'status' | 'jobId' | 'error' | 'committedAt'> {
  payload: unknown;
}

/** Queries over the imports table (previews and reports). */
export class ImportRepository {
  constructor(private readonly sequelize: Sequelize) {}

  /** Stores a new preview; in `unit`, since it takes two statements. */
  async insert(entry: NewImport, unit: UnitOfWork): Promise<void> {
    const transaction = transactionOf(unit);
    await this.sequelize.query(
      `INSERT INTO imports (id, kind, target_id, status, file_name, file_sha256, file_bytes, created_by, summary, lines, payload, created_at, expires_at)
       VALUES (:id, :kind, :targetId, 'preview', :fileName, :sha256, :bytes, :by, :summary, '[]', NULL, :createdAt, :expiresAt)`,
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
          createdAt: entry.createdAt,
          expiresAt: entry.expiresAt,
        },
        type: QueryTypes.INSERT,
        transaction,
      },
    );
    // Bound, not replacements: for a 100 000-row file the lines and payload are tens of
    // megabytes of JSON, which replacements would escape and copy into the SQL text (and
    // Sequelize then scans that text to tell the kind of query). Sequelize takes either
    // replacements or bind parameters, never both, hence the second statement.
    await this.sequelize.query('UPDATE imports SET lines = $lines, listed = $listed, payload = $payload WHERE id = $id', {
      bind: {
        id: entry.id,
        lines: JSON.stringify(entry.lines),
        listed: entry.listed ? JSON.stringify(entry.listed) : null,
        payload: JSON.stringify(entry.payload),
      },
      type: QueryTypes.UPDATE,
      transaction,
    });
  }

  async find(id: string, unit?: UnitOfWork): Promise<StoredImport | null> {
    const [row] = await this.sequelize.query<ImportRecord>('SELECT * FROM imports WHERE id = :id', {
      replacements: { id },
      type: QueryTypes.SELECT,
      transaction: transactionOf(unit),
    });
    return row ? toImport(row) : null;
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

  async payloadOf(id: string, unit?: UnitOfWork): Promise<unknown> {
    const [row] = await this.sequelize.query<{ payload: string | null }>('SELECT payload FROM imports WHERE id = :id', {
      replacements: { id },
      type: QueryTypes.SELECT,
      transaction: transactionOf(unit),
    });
    return row?.payload ? (JSON.parse(row.payload) as unknown) : null;
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
  async move(
    id: string,
    from: ImportStatus[],
    to: ImportStatus,
    fields: { jobId?: string; error?: string | null; lines?: ImportLine[] },
    unit?: UnitOfWork,
  ) {
    const sets = ['status = :to'];
    if (fields.jobId !== undefined) {
      sets.push('job_id = :jobId');
    }
    if (fields.error !== undefined) {
      sets.push('error = :error');
    }
    if (fields.lines !== undefined) {
      // What the pages list came from the old lines.
      sets.push('lines = :lines', 'listed = NULL');
    }
    if (to === 'committed') {
      sets.push('committed_at = :now', 'expires_at = NULL', 'payload = NULL');
    }
    const [, changed] = await this.sequelize.query(`UPDATE imports SET ${sets.join(', ')} WHERE id = :id AND status IN (:from)`, {
      replacements: {
        id,
        from,
        to,
        now: new Date(),
        jobId: fields.jobId ?? null,
        error: fields.error ?? null,
        lines: JSON.stringify(fields.lines ?? []),
      },
      type: QueryTypes.UPDATE,
      transaction: transactionOf(unit),
    });
    return changed > 0;
  }

  /** Previews nobody committed, once they expired. */
  async deleteExpired(now = new Date()): Promise<void> {
    await this.sequelize.query(`DELETE FROM imports WHERE status = 'preview' AND expires_at < :now`, {
      replacements: { now },
      type: QueryTypes.DELETE,
    });
  }
}
