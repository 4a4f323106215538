import { Op, type Sequelize, type WhereOptions } from 'sequelize';
import type { AuditActor, AuditChange, AuditChanges, AuditEntityType, AuditEntry, AuditVia } from './audit.js';
import { AuditRow, defineAuditModel } from './audit.model.js';
import { CANDIDATE_WAYS_IN } from '../sessions/candidate-principal.js';
import { directSql, type DirectSql, type SqlValue } from '../db/direct-sql.js';
import { transactionOf, UnitOfWork } from '../db/unit-of-work.js';
import { WriteBatch } from '../db/write-batch.js';

/** Which entries to read; every given condition must hold. */
export interface AuditFilter {
  examId?: string;
  platformId?: string;
  entityTypes?: readonly AuditEntityType[];
}

function actorOf(row: AuditRow): AuditActor {
  if (row.actor_kind === 'lms-user') {
    return {
      kind: 'lms-user',
      platformId: row.actor_platform_id ?? '',
      sub: row.actor_sub ?? '',
      ...(row.actor_name ? { name: row.actor_name } : {}),
    };
  }
  if (row.actor_kind === 'admin') {
    return { kind: 'admin', ...(row.actor_ref ? { ref: row.actor_ref } : {}) };
  }
  if (row.actor_kind === 'platform-admin') {
    return { kind: 'platform-admin', platformId: row.actor_platform_id ?? '', ref: row.actor_ref ?? '' };
  }
  if (row.actor_kind === 'candidate') {
    const way = CANDIDATE_WAYS_IN.find((w) => w === row.actor_ref) ?? 'one-time';
    return { kind: 'candidate', platformId: row.actor_platform_id ?? '', candidateId: row.actor_sub ?? '', way };
  }
  if (row.actor_kind === 'anonymous') {
    return { kind: 'anonymous' };
  }
  return { kind: 'system' };
}

function columnsOf(actor: AuditActor) {
  const none = { actor_kind: actor.kind, actor_platform_id: null, actor_sub: null, actor_name: null, actor_ref: null };
  switch (actor.kind) {
    case 'lms-user':
      return { ...none, actor_platform_id: actor.platformId, actor_sub: actor.sub, actor_name: actor.name ?? null };
    case 'admin':
      return { ...none, actor_ref: actor.ref ?? null };
    case 'platform-admin':
      return { ...none, actor_platform_id: actor.platformId, actor_ref: actor.ref };
    case 'candidate':
      return { ...none, actor_platform_id: actor.platformId, actor_sub: actor.candidateId, actor_ref: actor.way };
    default:
      return none;
  }
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    by: { actor: actorOf(row), via: row.via as AuditVia },
    entityType: row.entity_type as AuditEntityType,
    entityId: row.entity_id,
    action: row.action,
    label: row.label,
    platformId: row.platform_id,
    examId: row.exam_id,
    changes: JSON.parse(row.changes) as AuditChanges,
  };
}

function whereOf(filter: AuditFilter): WhereOptions {
  return {
    ...(filter.examId ? { exam_id: filter.examId } : {}),
    ...(filter.platformId ? { platform_id: filter.platformId } : {}),
    ...(filter.entityTypes ? { entity_type: { [Op.in]: [...filter.entityTypes] } } : {}),
  };
}

/**
 * One entry outside a transaction — every sign-in writes one — straight to the driver
 * (db/direct-sql.ts): through the query interface, building the statement cost more CPU than
 * sending it.
 */
const INSERT_ONE = `INSERT INTO audit_entries (at, actor_kind, actor_platform_id, actor_sub, actor_name, actor_ref, via, entity_type, entity_id,
  action, label, platform_id, exam_id, changes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

function oneRow(at: Date, who: ReturnType<typeof columnsOf>, via: AuditVia, change: AuditChange): SqlValue[] {
  return [
    at,
    who.actor_kind,
    who.actor_platform_id,
    who.actor_sub,
    who.actor_name,
    who.actor_ref,
    via,
    change.entityType,
    change.entityId,
    change.action,
    change.label ?? null,
    change.platformId ?? null,
    change.examId ?? null,
    JSON.stringify(change.changes ?? {}),
  ];
}

/** Queries over audit_entries; nothing else. Entries are only ever added, never changed. */
export class AuditRepository {
  readonly #sql: DirectSql;

  constructor(private readonly sequelize: Sequelize) {
    defineAuditModel(sequelize);
    this.#sql = directSql(sequelize);
  }

  /** Within a unit of work, in its transaction; within a write batch, added to it (sent with the batch's other writes). */
  async insertMany(at: Date, actor: AuditActor, via: AuditVia, changes: AuditChange[], within?: UnitOfWork | WriteBatch): Promise<void> {
    const who = columnsOf(actor);
    if (within instanceof WriteBatch) {
      for (const change of changes) {
        within.add(INSERT_ONE, oneRow(at, who, via, change));
      }
      return;
    }
    const transaction = transactionOf(within instanceof UnitOfWork ? within : undefined);
    if (!transaction && changes.length === 1) {
      await this.#sql.run(INSERT_ONE, oneRow(at, who, via, changes[0]!));
      return;
    }
    const rows = changes.map((change) => ({
      at,
      ...who,
      via,
      entity_type: change.entityType,
      entity_id: change.entityId,
      action: change.action,
      label: change.label ?? null,
      platform_id: change.platformId ?? null,
      exam_id: change.examId ?? null,
      changes: JSON.stringify(change.changes ?? {}),
    }));
    // Plain multi-row INSERTs: a roster sync writes up to 1500 entries, and building a model
    // instance for each would cost more than the insert. Chunks keep each statement under
    // SQLite's bound-parameter limit (15 columns × 500 rows).
    const queries = this.sequelize.getQueryInterface();
    for (let i = 0; i < rows.length; i += 500) {
      await queries.bulkInsert(AuditRow.getTableName(), rows.slice(i, i + 500), { transaction });
    }
  }

  /** Newest first. */
  async page(filter: AuditFilter, offset: number, limit: number): Promise<{ entries: AuditEntry[]; total: number }> {
    const { rows, count } = await AuditRow.findAndCountAll({ where: whereOf(filter), order: [['seq', 'DESC']], offset, limit });
    return { entries: rows.map(toEntry), total: count };
  }

  /** Newest first, `size` at a time (keyset paging, so a long trail is never held in memory at once). */
  async *batches(filter: AuditFilter, size: number): AsyncGenerator<AuditEntry[]> {
    let before: number | null = null;
    for (;;) {
      const where: WhereOptions = before === null ? whereOf(filter) : { [Op.and]: [whereOf(filter), { seq: { [Op.lt]: before } }] };
      const rows: AuditRow[] = await AuditRow.findAll({ where, order: [['seq', 'DESC']], limit: size });
      if (rows.length === 0) {
        return;
      }
      yield rows.map(toEntry);
      before = rows[rows.length - 1]!.seq;
    }
  }
}
