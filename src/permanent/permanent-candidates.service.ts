import type { AuditBy } from '../audit/audit.js';
import { CandidateBatchError } from '../candidates/candidate.errors.js';
import type { CandidateService } from '../candidates/candidate.service.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { Exam } from '../exams/exam.js';
import { fullName } from './permanent-user.js';
import type { PermanentUserRepository } from './permanent-user.repository.js';

/** How the candidate ID of an added permanent user is made (seed 001: graders see it). */
export type PermanentIdPolicy = 'name' | 'anonymous';

/**
 * Permanent users of the test's platform as its candidates (source 'permanent'): all or none,
 * under the test's lock and within its cap (CandidateService.addBatch), each written with its
 * user's id in the same insert. The candidate ID is first + last name (with the username where
 * two chosen users share a name), or the test's anonymous series (C-0001, …).
 */
export class PermanentCandidates {
  constructor(
    private readonly users: PermanentUserRepository,
    private readonly candidates: CandidateService,
  ) {}

  /** `alongside` writes in the same transaction, after the candidates (a list's own audit entry), given how many were added. */
  async add(
    exam: Exam,
    platformId: string,
    userIds: string[],
    policy: PermanentIdPolicy,
    by: AuditBy,
    alongside?: (added: number, unit: UnitOfWork) => Promise<void>,
  ): Promise<number> {
    const unique = [...new Set(userIds)].slice(0, exam.maxCandidates + 1);
    const known = await this.users.getMany(platformId, unique);
    const found = unique.map((id) => known.get(id));
    const problems: Array<{ field: string; message: string }> = [];
    const users = found.filter((u, i) => {
      if (!u || u.deletedAt) {
        problems.push({ field: 'users', message: `User ${i + 1} of the choice is not a current permanent user of this platform.` });
      } else if (!u.eligible) {
        problems.push({ field: 'users', message: `${u.username} is marked not eligible: they cannot be added to tests.` });
      }
      return u && !u.deletedAt && u.eligible;
    });
    if (users.length === 0 && problems.length === 0) {
      problems.push({ field: 'users', message: 'Choose at least one permanent user to add.' });
    }
    if (problems.length > 0) {
      throw new CandidateBatchError(problems);
    }
    const names = users.map((u) => fullName(u!));
    const labelOf = (i: number) => (names.filter((n) => n === names[i]).length > 1 ? `${names[i]} (${users[i]!.username})` : names[i]!);
    const ids = users.map((u) => u!.id);
    const rows = ids.map((id, i) => ({ candidateId: policy === 'name' ? labelOf(i) : null, extraTimeMinutes: 0, permanentUserId: id }));
    const refuseAlreadyOn = (already: Set<string>) => {
      if (already.size > 0) {
        const names = users.filter((u) => already.has(u!.id)).map((u) => u!.username);
        throw new CandidateBatchError([{ field: 'users', message: `Already candidates of this test: ${names.join(', ').slice(0, 300)}.` }]);
      }
    };
    // Asked first for a clear message, and again under the test's lock for two additions at once.
    refuseAlreadyOn(await this.users.alreadyOn(exam.id, ids));
    const added = await this.candidates.addBatch(exam, rows, 'permanent', by, async (created, unit) => {
      const justAdded = created.map((c) => c.id);
      refuseAlreadyOn(await this.users.alreadyOn(exam.id, ids, unit, justAdded));
      await alongside?.(created.length, unit);
    });
    return added.length;
  }
}
