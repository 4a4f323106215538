import { Op } from 'sequelize';
import { transactionOf, type UnitOfWork } from '../db/unit-of-work.js';
import type { Candidate } from './candidate.js';
import { CandidateRow } from './candidate.model.js';
import { toCandidate } from './candidate.repository.js';

/** What a first launch fills in on an SSO candidate, where the import left it empty. */
export interface LaunchFacts {
  sub: string;
  name: string | null;
  email: string | null;
  sisId: string | null;
}

/** Queries over candidates' SSO identities (the model is defined by CandidateRepository). */
export class SsoCandidateRepository {
  /** The candidate of the test with this SSO identity (`key`: ssoUserKey of the ID), if any. */
  async findBySso(examId: string, authType: string, key: string, unit?: UnitOfWork): Promise<Candidate | null> {
    const row = await CandidateRow.findOne({
      where: { exam_id: examId, sso_auth_type: authType, sso_user_key: key },
      transaction: transactionOf(unit),
    });
    return row ? toCandidate(row) : null;
  }

  /**
   * A launch's candidates on the test in ONE read: the one linked to the LMS user `sub`, and the
   * unlinked SSO candidate of `authType` whose key is `ssoKey` (when given). At most one of each.
   */
  async findForLaunch(examId: string, sub: string, sso: { authType: string; key: string } | null): Promise<Candidate[]> {
    const bySso = sso ? [{ sso_auth_type: sso.authType, sso_user_key: sso.key, lms_user_id: { [Op.is]: null } }] : [];
    const rows = await CandidateRow.findAll({ where: { exam_id: examId, [Op.or]: [{ lms_user_id: sub }, ...bySso] }, limit: 2 });
    return rows.map(toCandidate);
  }

  /**
   * Links the candidate to the LMS user, only while no LMS user is linked (compare-and-set: of
   * two first launches at once, one links and the other finds the link). Fills name, e-mail and
   * SIS id from the launch where the candidate has none.
   */
  async linkLmsUser(candidate: Candidate, facts: LaunchFacts, unit: UnitOfWork): Promise<boolean> {
    const [changed] = await CandidateRow.update(
      {
        lms_user_id: facts.sub,
        name: candidate.name ?? facts.name,
        email: candidate.email ?? facts.email,
        sis_id: candidate.sisId ?? facts.sisId,
      },
      { where: { id: candidate.id, lms_user_id: { [Op.is]: null } }, transaction: transactionOf(unit) },
    );
    return changed > 0;
  }
}
