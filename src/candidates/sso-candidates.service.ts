import type { AuditBy } from '../audit/audit.js';
import type { AuditService } from '../audit/audit.service.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { Exam } from '../exams/exam.js';
import type { ImportPlan, PlannedRow } from '../imports/import-kind.js';
import { ImportConflictError } from '../imports/import.errors.js';
import type { Logger } from '../logger.js';
import type { SsoMatchField } from '../platforms/platform.js';
import { LMS_IDENTITY, type SsoAuthType } from '../platforms/sso-setup.js';
import type { Candidate } from './candidate.js';
import { candidateAudit, present } from './candidate-audit.js';
import { batchCandidate } from './candidate-batch.js';
import { ssoUserKey, type CandidateRepository, type NewCandidate } from './candidate.repository.js';
import type { LaunchFacts, SsoCandidateRepository } from './sso-candidate.repository.js';
import { planSsoRows } from './sso-import.plan.js';
import type { SsoRow } from './sso-row.schema.js';

/** Where an SSO file's rows go: a test (of a platform, the tenant), for the auth type chosen on the upload form. */
export interface SsoTarget {
  exam: Exam;
  platformId: string;
  authType: SsoAuthType;
}

/** A launch as SSO matching sees it: the three fields a platform may match on, and who launched. */
export interface SsoLaunch extends LaunchFacts {
  by: AuditBy;
}

/**
 * SSO candidates of a test: the import's plan and commit (through the CSV engine's kind,
 * sso-import.kind.ts) and the first LMS launch that makes an imported SSO user that candidate.
 */
export class SsoCandidates {
  constructor(
    private readonly candidates: CandidateRepository,
    private readonly identities: SsoCandidateRepository,
    private readonly audit: AuditService,
    private readonly log: Logger,
  ) {}

  /** Reads only; with `unit`, inside the commit's transaction (after its lock). */
  async plan(target: SsoTarget, rows: ReadonlyArray<{ line: number; row: SsoRow }>, unit?: UnitOfWork): Promise<ImportPlan<SsoRow>> {
    const stored = await this.candidates.all(target.exam.id, unit);
    return planSsoRows({ authType: target.authType.id, stored, maxCandidates: target.exam.maxCandidates, rows });
  }

  /**
   * Writes the planned adds and updates in `unit`, under the test's lock, after planning again:
   * if what is stored changed since the preview (a colleague added a candidate, the cap filled),
   * it writes nothing and says so.
   */
  async commit(
    target: SsoTarget,
    planned: readonly PlannedRow<SsoRow>[],
    unit: UnitOfWork,
    by: AuditBy,
    progress: (done: number) => void = () => undefined,
  ): Promise<void> {
    const { exam, authType } = target;
    await this.candidates.lockExam(exam.id, unit);
    const stored = await this.candidates.all(exam.id, unit);
    const fresh = planSsoRows({ authType: authType.id, stored, maxCandidates: exam.maxCandidates, rows: planned });
    const changed = fresh.rejected[0] ?? fresh.planned.find((row, i) => row.plan !== planned[i]?.plan);
    if (changed || fresh.planned.length !== planned.length) {
      const why = changed && 'reason' in changed ? ` (line ${changed.line}: ${changed.reason})` : '';
      throw new ImportConflictError(`The test’s candidates changed since the preview${why}. Nothing was imported: upload the file again.`);
    }
    const bySso = new Map(stored.filter((c) => c.ssoAuthType === authType.id && c.ssoUserId).map((c) => [ssoUserKey(c.ssoUserId!), c]));
    const added: NewCandidate[] = [];
    const audits = [];
    for (const { row, plan } of fresh.planned) {
      if (plan === 'add') {
        added.push({
          ...batchCandidate(exam.id, row.candidateId, row.extraTimeMinutes, 'sso'),
          building: row.building,
          room: row.room,
          ssoAuthType: authType.id,
          ssoUserId: row.ssoUserId,
        });
      } else if (plan === 'update') {
        const before = bySso.get(ssoUserKey(row.ssoUserId))!;
        const seat = { extra_time_minutes: row.extraTimeMinutes, building: row.building, room: row.room };
        await this.candidates.update(before.id, seat, unit);
        audits.push(
          candidateAudit('edit', before, { ...before, extraTimeMinutes: row.extraTimeMinutes, building: row.building, room: row.room }),
        );
      }
    }
    progress(audits.length);
    await this.candidates.insertMany(added, unit);
    progress(audits.length + added.length);
    await this.audit.record(by, present([...added.map((candidate) => candidateAudit('add', null, candidate)), ...audits]), unit);
    this.log.info({ examId: exam.id, added: added.length, updated: audits.length }, 'SSO candidates imported');
  }

  /**
   * The candidate a learner's launch is on this test, in one read: the one linked to the
   * launch's `sub`; else an SSO candidate of the LMS identity whose imported SSO user ID equals
   * the launch's match field (never a display name; e-mail in any letter case, `sub` and SIS id
   * exactly), who is then linked to that `sub`, so every later launch finds them by it. Null
   * when neither exists, or the SSO match is already linked to another LMS user.
   */
  async findOnLaunch(exam: Exam, launch: SsoLaunch, field: SsoMatchField): Promise<Candidate | null> {
    const value = field === 'sub' ? launch.sub : field === 'sis_id' ? launch.sisId : launch.email;
    const typed = value?.normalize('NFC').trim() || null;
    const found = await this.identities.findForLaunch(
      exam.id,
      launch.sub,
      typed ? { authType: LMS_IDENTITY, key: ssoUserKey(typed) } : null,
    );
    const linked = found.find((c) => c.lmsUserId === launch.sub);
    if (linked) {
      return linked;
    }
    const candidate = found[0];
    if (!candidate || (field !== 'email' && candidate.ssoUserId !== typed)) {
      return null;
    }
    const claimed = await this.candidates.transaction(async (unit) => {
      if (!(await this.identities.linkLmsUser(candidate, launch, unit))) {
        return false;
      }
      const after = { ...candidate, lmsUserId: launch.sub, name: candidate.name ?? launch.name, email: candidate.email ?? launch.email };
      await this.audit.record(
        launch.by,
        present([candidateAudit('link', candidate, { ...after, sisId: candidate.sisId ?? launch.sisId })]),
        unit,
      );
      return true;
    });
    if (claimed) {
      this.log.info({ examId: exam.id, matchedOn: field }, 'SSO candidate linked on first launch');
    }
    // Whoever won a race of two first launches, the link now names the winner.
    return this.candidates.findByLmsUser(exam.id, launch.sub);
  }
}
