import { randomUUID } from 'node:crypto';
import type { AuditBy } from '../audit/audit.js';
import type { AuditService } from '../audit/audit.service.js';
import { CandidateNotFoundError } from '../candidates/candidate.errors.js';
import { isUniqueViolation } from '../db/errors.js';
import type { SideRead } from '../db/side-read.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import { ExamStateError } from '../exams/exam.errors.js';
import type { Logger } from '../logger.js';
import type { ResealReport } from '../stored-secrets.js';
import type { SealedText } from '../secrets/sealed-text.js';
import { formatEntryCode } from './entry-code.js';
import { candidateWayInAudit, refusedAudit, wholeTestAudit, type ExamScope } from './way-in-audit.js';
import { judgeWayIn, wayInExpiry, type WayInResolution } from './way-in-expiry.js';
import type { CandidateWaysInRow, NewWayIn, WayInRepository } from './way-in.repository.js';
import { hashOfSent, newWayInSecret, type WayInKind } from './way-in-secret.js';
import { writeAtMost } from '../stored-secrets.js';

/** Re-sealing writes in flight at once at start-up (well within a connection pool). */
const RESEAL_WRITES_AT_ONCE = 8;

/** The purpose links and codes are sealed under (SealedText): changing it makes every stored one unreadable. */
export const WAY_IN_PURPOSE = 'examgate direct links and entry codes';

export const WAYS_IN_PAGE_SIZE = 100;

/** One candidate's ways in as staff see them: the link and the code, or null where none is live. */
export interface CandidateWaysIn {
  id: string;
  candidateId: string;
  name: string | null;
  status: string;
  link: string | null;
  code: string | null;
  /** When both stop working (null: when the test is closed). */
  expiresAt: Date | null;
  revoked: number;
}

/**
 * Direct links and entry codes: issued to every active candidate of an active test (lazily, in
 * bulk, the first time staff look), revoked and reissued by staff, and resolved for whoever
 * brings one. Lookups go by hash, so resolving never needs SECRET_KEY; the sealed value is
 * only for showing and exporting again.
 */
export class WaysIn {
  constructor(
    private readonly repository: WayInRepository,
    private readonly sealed: SealedText,
    private readonly audit: AuditService,
    private readonly settings: {
      publicUrl: string;
      /** The default lifetime of a new link or code on the platform, in hours (system settings; null: none). */
      lifetimeHoursOf?: (platformId: string) => Promise<number | null>;
      /** After revoked links and codes have committed (one candidate's, or with `candidateId` null every one of the test's): end the sessions they opened. */
      onRevoked?: (examId: string, candidateId: string | null) => void | Promise<void>;
    },
    private readonly log: Logger,
  ) {}

  /** The address of a direct link. */
  linkUrl(token: string): string {
    return new URL(`/go/${token}`, this.settings.publicUrl).href;
  }

  /**
   * Gives every active candidate of an active test who never had one a link and a code (one
   * audit entry per test). Safe under concurrency: issuing holds the test's lock and looks
   * again inside it, and the database keeps one live way of each kind per candidate.
   */
  async ensureIssued(scope: ExamScope, by: AuditBy): Promise<number> {
    if (scope.exam.status !== 'active' || (await this.repository.lacking(scope.exam.id)).length === 0) {
      return 0;
    }
    const endsAt = await this.lifetimeEnd(scope);
    const issue = () =>
      this.repository.transaction(async (unit) => {
        await this.repository.lockExam(scope.exam.id, unit);
        const lacking = await this.repository.lacking(scope.exam.id, unit);
        const rows = lacking.flatMap(({ candidateId, kinds }) => kinds.map((kind) => this.newRow(scope, candidateId, kind, endsAt)));
        await this.insert(scope, rows, 'issue', by, unit);
        return rows.length;
      });
    // A clash of two random values (or a writer that never took the lock): the next try sees it.
    const issued = await issue().catch((err: unknown) => (isUniqueViolation(err) ? issue() : Promise.reject(err)));
    if (issued > 0) {
      this.log.info({ examId: scope.exam.id, issued }, 'direct links and entry codes issued');
    }
    return issued;
  }

  /** One page (1-based) of the test's candidates with their ways in, issuing what is missing first. */
  async page(scope: ExamScope, page: number, by: AuditBy) {
    await this.ensureIssued(scope, by);
    const wanted = Math.max(1, Math.floor(page) || 1);
    const { rows, total } = await this.repository.page(scope.exam.id, (wanted - 1) * WAYS_IN_PAGE_SIZE, WAYS_IN_PAGE_SIZE);
    const live = await this.repository.liveCounts(scope.exam.id);
    return {
      candidates: rows.map((row) => this.present(scope, row)),
      total,
      page: wanted,
      pages: Math.max(1, Math.ceil(total / WAYS_IN_PAGE_SIZE)),
      live,
    };
  }

  /** How many live links and codes the test has (what a whole-test confirmation weighs). */
  liveCounts(scope: ExamScope): Promise<Record<WayInKind, number>> {
    return this.repository.liveCounts(scope.exam.id);
  }

  /** Every candidate of the test with their link URL and code, for exports (issuing what is missing first). */
  async linksFor(scope: ExamScope, by: AuditBy): Promise<CandidateWaysIn[]> {
    await this.ensureIssued(scope, by);
    return (await this.repository.all(scope.exam.id)).map((row) => this.present(scope, row));
  }

  /**
   * The live direct link (full URL) and entry code of each listed candidate of the test, for an
   * export's batch; a candidate without one is absent or has null there. Issues nothing: call
   * ensureIssued once before the first batch.
   */
  async liveFor(scope: ExamScope, ids: string[]): Promise<Map<string, { link: string | null; code: string | null }>> {
    const found = new Map<string, { link: string | null; code: string | null }>();
    for (const row of await this.repository.liveOf(scope.exam.id, ids)) {
      const plain = this.sealed.open(row.sealedValue)?.plain ?? null;
      const entry = found.get(row.candidateId) ?? { link: null, code: null };
      if (row.kind === 'link') {
        entry.link = plain === null ? null : this.linkUrl(plain);
      } else {
        entry.code = plain === null ? null : formatEntryCode(plain);
      }
      found.set(row.candidateId, entry);
    }
    return found;
  }

  /** Withdraws one candidate's link and code; they then say "withdrawn". */
  async revoke(scope: ExamScope, id: string, by: AuditBy): Promise<void> {
    const candidate = await this.candidate(scope, id);
    await this.repository.transaction(async (unit) => {
      if ((await this.repository.revokeLive(scope.exam.id, candidate.id, new Date(), unit)) > 0) {
        await this.audit.record(by, candidateWayInAudit(scope, candidate, 'revoke'), unit);
      }
    });
    await this.settings.onRevoked?.(scope.exam.id, candidate.id);
  }

  /** A new link and code for one candidate (or only the kinds named); the old ones say "withdrawn". */
  async reissue(scope: ExamScope, id: string, by: AuditBy, kinds: WayInKind[] = ['link', 'code']): Promise<void> {
    this.assertActive(scope);
    const candidate = await this.candidate(scope, id);
    if (candidate.status !== 'active') {
      throw new ExamStateError(`${candidate.candidateId} is withdrawn: restore them on the candidates page first.`);
    }
    const endsAt = await this.lifetimeEnd(scope);
    await this.repository.transaction(async (unit) => {
      await this.repository.lockExam(scope.exam.id, unit);
      const both = kinds.length !== 1;
      await this.repository.revokeLive(scope.exam.id, candidate.id, new Date(), unit, both ? undefined : kinds[0]);
      await this.repository.insertMany(
        kinds.map((kind) => this.newRow(scope, candidate.id, kind, endsAt)),
        unit,
      );
      await this.audit.record(
        by,
        candidateWayInAudit(scope, candidate, both ? 'reissue' : kinds[0] === 'link' ? 'reissue-link' : 'reissue-code'),
        unit,
      );
    });
    await this.settings.onRevoked?.(scope.exam.id, candidate.id);
  }

  /** Withdraws every link and code of the test; returns how many. */
  async revokeAll(scope: ExamScope, by: AuditBy): Promise<number> {
    const count = await this.repository.transaction(async (unit) => {
      await this.repository.lockExam(scope.exam.id, unit);
      const revoked = await this.repository.revokeLive(scope.exam.id, null, new Date(), unit);
      await this.audit.record(by, revoked > 0 ? wholeTestAudit(scope, 'revoke-all', revoked) : [], unit);
      return revoked;
    });
    await this.settings.onRevoked?.(scope.exam.id, null);
    return count;
  }

  /** New links and codes for every active candidate; every old one says "withdrawn". Returns how many candidates. */
  async reissueAll(scope: ExamScope, by: AuditBy): Promise<number> {
    this.assertActive(scope);
    const endsAt = await this.lifetimeEnd(scope);
    const count = await this.repository.transaction(async (unit) => {
      await this.repository.lockExam(scope.exam.id, unit);
      await this.repository.revokeLive(scope.exam.id, null, new Date(), unit);
      const candidates = await this.repository.activeCandidates(scope.exam.id, unit);
      const rows = candidates.flatMap((id) => [this.newRow(scope, id, 'link', endsAt), this.newRow(scope, id, 'code', endsAt)]);
      await this.insert(scope, rows, 'reissue-all', by, unit);
      return candidates.length;
    });
    await this.settings.onRevoked?.(scope.exam.id, null);
    return count;
  }

  /**
   * Start-up: live links and codes sealed under SECRET_KEY_PREVIOUS are sealed again under
   * SECRET_KEY. They would still open a test (lookups go by hash), but staff could no longer
   * show or export them. Revoked ones are never shown, so they are left as they are.
   */
  async reseal(): Promise<ResealReport> {
    const rows = await this.repository.liveSealed();
    const report: ResealReport = { what: 'the live direct links and entry codes', total: rows.length, resealed: 0, unreadable: 0 };
    const writes: Array<() => Promise<void>> = [];
    for (const row of rows) {
      const opened = this.sealed.open(row.sealedValue);
      if (!opened) {
        report.unreadable += 1;
      } else if (opened.stale) {
        writes.push(() => this.repository.replaceSealed(row.id, row.sealedValue, this.sealed.seal(opened.plain)));
        report.resealed += 1;
      }
    }
    await writeAtMost(RESEAL_WRITES_AT_ONCE, writes);
    return report;
  }

  /** What a direct link's token leads to. */
  resolveLink(token: string, now = new Date()): Promise<WayInResolution> {
    return this.resolve('link', token, now);
  }

  /** What a typed entry code leads to (any case, spaces and dashes ignored). */
  resolveCode(typed: string, now = new Date()): Promise<WayInResolution> {
    return this.resolve('code', typed, now);
  }

  /**
   * `resolveLink` or `resolveCode` as a read for a caller to send with its own statement (the
   * sign-in throttle's, db/side-read.ts): one round trip for both. A value that cannot be one
   * (wrong length or alphabet) reads nothing and is unknown.
   */
  lookup(kind: WayInKind, sent: string, now = new Date()): SideRead<WayInResolution> {
    const hash = hashOfSent(kind, sent);
    const found = hash ? this.repository.lookupRead(kind, hash) : null;
    return {
      statement: found?.statement ?? null,
      read: (rows) => judgeWayIn(found ? found.read(rows) : null, now),
    };
  }

  /** Records a refused /go or /enter in the audit trail (never the value that was brought). */
  async recordRefusal(kind: WayInKind, refusal: Extract<WayInResolution, { ok: false }>): Promise<void> {
    const known =
      refusal.exam && refusal.candidateId
        ? { candidateId: refusal.candidateId, examId: refusal.exam.id, platformId: refusal.exam.platformId }
        : null;
    const { by, change } = refusedAudit(kind, refusal.reason, known);
    await this.audit.record(by, change);
  }

  private async resolve(kind: WayInKind, sent: string, now: Date): Promise<WayInResolution> {
    const hash = hashOfSent(kind, sent);
    return judgeWayIn(hash ? await this.repository.findByHash(kind, hash) : null, now);
  }

  private async insert(scope: ExamScope, rows: NewWayIn[], action: 'issue' | 'reissue-all', by: AuditBy, unit: UnitOfWork) {
    if (rows.length === 0) {
      return;
    }
    await this.repository.insertMany(rows, unit);
    await this.audit.record(by, wholeTestAudit(scope, action, rows.length), unit);
  }

  /** When ways in issued now stop by the platform's default lifetime (null: it sets none). */
  private async lifetimeEnd(scope: ExamScope): Promise<Date | null> {
    const hours = (await this.settings.lifetimeHoursOf?.(scope.platformId)) ?? null;
    return hours === null ? null : new Date(Date.now() + hours * 3_600_000);
  }

  private newRow(scope: ExamScope, candidateId: string, kind: WayInKind, expiresAt: Date | null): NewWayIn {
    const { value, hash } = newWayInSecret(kind);
    return {
      id: randomUUID(),
      examId: scope.exam.id,
      candidateId,
      kind,
      lookupHash: hash,
      sealedValue: this.sealed.seal(value),
      createdAt: new Date(),
      expiresAt,
    };
  }

  private present(scope: ExamScope, row: CandidateWaysInRow): CandidateWaysIn {
    const open = (sealed: string | null) => (sealed === null ? null : (this.sealed.open(sealed)?.plain ?? null));
    const token = open(row.linkSealed);
    const code = open(row.codeSealed);
    return {
      id: row.id,
      candidateId: row.candidateId,
      name: row.name,
      status: row.status,
      link: token === null ? null : this.linkUrl(token),
      code: code === null ? null : formatEntryCode(code),
      expiresAt: wayInExpiry(
        { closesAt: scope.exam.window.closesAt, accessExpiresAt: scope.exam.accessExpiresAt },
        row.extraTimeMinutes,
        row.lifetimeEndsAt,
      ),
      revoked: row.revoked,
    };
  }

  /** A candidate of the test (candidates.id), with their label; CandidateNotFoundError for any other. */
  async candidate(scope: ExamScope, id: string) {
    const candidate = await this.repository.candidateOf(scope.exam.id, id);
    if (!candidate) {
      throw new CandidateNotFoundError();
    }
    return candidate;
  }

  private assertActive(scope: ExamScope): void {
    if (scope.exam.status !== 'active') {
      throw new ExamStateError(`Links and codes are issued only while the test is active. This one is ${scope.exam.status}.`);
    }
  }
}
