import type { UnitOfWork } from '../db/unit-of-work.js';
import type { WriteBatch } from '../db/write-batch.js';
import type { AuditBy, AuditChange, AuditEntry } from './audit.js';
import type { AuditFilter, AuditRepository } from './audit.repository.js';

export const AUDIT_PAGE_SIZE = 50;

export interface AuditPage {
  entries: AuditEntry[];
  total: number;
  page: number;
  pages: number;
}

/**
 * The one way into the audit trail. Every change to platforms, deployments, tests and
 * candidates goes through `record`, with who and how (`AuditBy`) as the edge that caused it
 * knows them, and the changed fields only (never secrets).
 */
export class AuditService {
  constructor(private readonly repository: AuditRepository) {}

  /**
   * Records one or more changes made together. Pass `within`, the transaction the change
   * itself is written in, whenever there is one: a change that rolls back then leaves no
   * entry, and a committed change always has one. A change written without a transaction but in
   * a write batch (db/write-batch.ts) passes the batch: its entry goes with the change's own
   * write. An empty list writes nothing.
   */
  async record(by: AuditBy, changes: AuditChange | AuditChange[], within?: UnitOfWork | WriteBatch): Promise<void> {
    const list = Array.isArray(changes) ? changes : [changes];
    if (list.length > 0) {
      await this.repository.insertMany(new Date(), by.actor, by.via, list, within);
    }
  }

  /**
   * One page (1-based) of the entries matching `filter`, newest first. Callers decide what
   * the reader may see: a test's history is reached only through ExamService.get.
   */
  async page(filter: AuditFilter, page: number): Promise<AuditPage> {
    const wanted = Math.max(1, Math.floor(page) || 1);
    const { entries, total } = await this.repository.page(filter, (wanted - 1) * AUDIT_PAGE_SIZE, AUDIT_PAGE_SIZE);
    return { entries, total, page: wanted, pages: Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE)) };
  }

  /** Every entry matching `filter`, newest first, in batches: for downloads that must not hold the whole trail in memory. */
  all(filter: AuditFilter, batchSize = 500): AsyncGenerator<AuditEntry[]> {
    return this.repository.batches(filter, batchSize);
  }
}
