import express, { type Router } from 'express';
import type { AttemptService } from '../access/attempt.service.js';
import type { TicketedHandOff } from '../access/ticketed-handoff.js';
import { examHistoryRoutes } from '../audit/audit.routes.js';
import type { AuditService } from '../audit/audit.service.js';
import { lobbyRoutes } from '../access/lobby.routes.js';
import { candidateRoutes, rosterSyncRoutes } from '../candidates/candidate.routes.js';
import type { CandidateService } from '../candidates/candidate.service.js';
import type { SsoCandidates } from '../candidates/sso-candidates.service.js';
import type { SsoSetups } from '../platforms/sso-setup.service.js';
import { oneTimeRoutes } from '../candidates/one-time.routes.js';
import { ssoImportRoutes } from '../candidates/sso.routes.js';
import type { SsoTarget } from '../candidates/sso-candidates.service.js';
import type { SsoRow } from '../candidates/sso-row.schema.js';
import { permanentCandidateRoutes } from '../permanent/permanent-candidates.routes.js';
import type { PermanentCandidates } from '../permanent/permanent-candidates.service.js';
import type { PermanentUsers } from '../permanent/permanent-user.service.js';
import { listPages } from '../lists/list.pages.js';
import { instructorListArea } from '../lists/list-areas.middleware.js';
import { listToExamRoutes } from '../lists/list-to-exam.routes.js';
import type { PermanentLists } from '../lists/list.service.js';
import type { StaffDirectory } from '../lists/staff-directory.js';
import type { OneTimeUsers } from '../access/one-time-user.service.js';
import type { RosterSchedule } from '../candidates/roster-schedule.js';
import { examRoutes } from '../exams/exam.routes.js';
import type { ExamService } from '../exams/exam.service.js';
import type { JobRunner } from '../jobs/job.runner.js';
import type { SessionService } from '../sessions/session.service.js';
import { asyncHandler } from '../web/async-handler.js';
import { deepLinkRoutes, type DeepLinkResponder } from './deep-link.routes.js';
import { LINK_CHOICE_PATH, linkChoiceRoutes } from './link-choice.routes.js';
import { launchOf, placementOf, requireSession } from './session-context.middleware.js';
import type { SecretKeys } from '../config.js';
import type { WaysIn } from '../access/ways-in.service.js';
import { waysInRoutes } from '../access/ways-in.routes.js';
import { exportRoutes } from '../exports/export.routes.js';
import { CandidateExports } from '../exports/export.service.js';
import type { Handout } from '../handout/handout.service.js';
import type { SystemSettings } from '../settings/settings.service.js';
import { handoutRoutes } from '../handout/handout.routes.js';
import { regenerateRoutes } from '../handout/regenerate.routes.js';
import type { ImportService } from '../imports/import.service.js';
import type { ImportKind } from '../imports/import-kind.js';
import type { ExamTarget, OneTimeImportRow } from '../candidates/one-time-import.js';
import type { CandidatePhotos } from '../permanent/photos/candidate-photos.service.js';

export interface AppRouteDeps {
  sessions: SessionService;
  secret: SecretKeys;
  deepLink: DeepLinkResponder;
  exams: ExamService;
  candidates: CandidateService;
  ssoCandidates: SsoCandidates;
  ssoSetups: SsoSetups;
  oneTimeUsers: OneTimeUsers;
  attempts: AttemptService;
  handOffs: TicketedHandOff;
  roster: RosterSchedule;
  jobs: JobRunner;
  audit: AuditService;
  waysIn: WaysIn;
  handout: Handout;
  settings: SystemSettings;
  imports: ImportService;
  oneTimeImport: ImportKind<OneTimeImportRow, ExamTarget>;
  ssoImport: ImportKind<SsoRow, SsoTarget>;
  permanentUsers: PermanentUsers;
  permanentCandidates: PermanentCandidates;
  lists: PermanentLists;
  staffDirectory: StaffDirectory;
  photos?: CandidatePhotos;
}

/** Everything reached after a launch, behind the launch session. */
export function appRoutes(deps: AppRouteDeps): Router {
  const router = express.Router();
  router.use(requireSession(deps.sessions));
  const lobby = lobbyRoutes(deps);

  // Learners land in the lobby of their link's test; staff on that test, or on the course's tests.
  router.get(
    '/',
    asyncHandler(async (req, res, next) => {
      const launch = launchOf(res);
      if (launch.audience === 'learner') {
        lobby(req, res, next);
        return;
      }
      // Staff are remembered so colleagues can share lists with them (lists/staff-directory.ts).
      await deps.staffDirectory.saw(launch);
      const exam = await deps.exams.examForLaunch(placementOf(launch));
      if (exam) {
        res.redirect(303, `/app/exams/${exam.id}`);
      } else if (launch.context && launch.resourceLink && launch.messageType === 'LtiResourceLinkRequest') {
        // A link that leads to no test: staff choose one for it, instead of a list with no way to attach it.
        res.redirect(303, LINK_CHOICE_PATH);
      } else if (launch.context) {
        res.redirect(303, '/app/exams');
      } else {
        res.render(launch.audience === 'admin' ? 'landing-admin.njk' : 'landing-staff.njk', { launch, title: 'examgate' });
      }
    }),
  );
  router.use('/lobby', lobby);
  router.use('/deep-link', deepLinkRoutes(deps));
  router.use('/link', linkChoiceRoutes(deps));
  // Before the candidates router, whose '/:candidateId' would otherwise take "one-time" for a candidate.
  router.use('/exams/:examId/candidates/one-time', oneTimeRoutes(deps));
  router.use('/exams/:examId/candidates/sso', ssoImportRoutes(deps));
  router.use('/exams/:examId/candidates/permanent', permanentCandidateRoutes(deps));
  router.use('/exams/:examId/candidates/lists', listToExamRoutes(deps));
  router.use('/lists', listPages({ ...deps, staff: deps.staffDirectory }, instructorListArea(deps.secret, deps.staffDirectory)));
  router.use('/exams/:examId/candidates', candidateRoutes(deps));
  router.use('/exams/:examId/roster-sync', rosterSyncRoutes(deps));
  router.use('/exams/:examId/history', examHistoryRoutes(deps));
  router.use('/exams/:examId/ways-in', waysInRoutes(deps));
  const exports = new CandidateExports(deps.candidates, deps.oneTimeUsers, deps.waysIn, deps.audit);
  router.use('/exams/:examId', exportRoutes({ exams: deps.exams, exports, settings: deps.settings }));
  router.use('/exams/:examId/handout', regenerateRoutes(deps));
  router.use('/exams/:examId', handoutRoutes(deps));
  router.use(
    '/exams',
    examRoutes({ ...deps, onExamOpened: (exam) => deps.roster.syncIfStale(exam), countCandidates: (exam) => deps.candidates.counts(exam) }),
  );
  return router;
}
