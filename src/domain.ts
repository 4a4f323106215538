import type { Sequelize } from 'sequelize';
import type { AuditService } from './audit/audit.service.js';
import { AttemptService, GRADE_PASSBACK_JOB } from './access/attempt.service.js';
import { EngineKeys } from './access/engine-keys.js';
import { gradePassbackJob } from './access/grade-passback.js';
import { SigningKeys } from './access/signing-keys.js';
import { SigningKeyRepository } from './access/signing-key.repository.js';
import { CandidateRepository } from './candidates/candidate.repository.js';
import { CandidateAttempts } from './candidates/candidate-attempts.js';
import { CandidateService } from './candidates/candidate.service.js';
import { RosterSchedule, rosterSyncJob } from './candidates/roster-schedule.js';
import { ROSTER_SYNC_JOB, RosterSyncService } from './candidates/roster-sync.service.js';
import type { Config } from './config.js';
import { SingleUseIds } from './db/single-use-ids.js';
import { ExamRepository } from './exams/exam.repository.js';
import { ExamService } from './exams/exam.service.js';
import { JobRepository } from './jobs/job.repository.js';
import { JobRunner } from './jobs/job.runner.js';
import type { Logger } from './logger.js';
import { createScorePoster } from './lti/ags-client.js';
import { ServiceTokens } from './lti/service-token.js';
import { unitOfWorkRunner } from './db/unit-of-work.js';
import { createNrpsRosterSource } from './lti/nrps-client.js';
import { LeftOutRepository } from './candidates/left-out.repository.js';
import type { PlatformService } from './platforms/platform.service.js';
import { ONE_TIME_PASSWORD_PURPOSE, OneTimeUsers, type OneTimeUserOptions } from './access/one-time-user.service.js';
import { OneTimeUserRepository } from './access/one-time-user.repository.js';
import { WayInRepository } from './access/way-in.repository.js';
import { WAY_IN_PURPOSE, WaysIn } from './access/ways-in.service.js';
import { Handout } from './handout/handout.service.js';
import { SealedText } from './secrets/sealed-text.js';
import { PlatformNotFoundError } from './platforms/platform.errors.js';
import { SettingsRepository } from './settings/settings.repository.js';
import { SystemSettings } from './settings/settings.service.js';
import { SsoSetupRepository } from './platforms/sso-setup.repository.js';
import { SsoSetups } from './platforms/sso-setup.service.js';
import { SsoCandidateRepository } from './candidates/sso-candidate.repository.js';
import { SsoCandidates } from './candidates/sso-candidates.service.js';
import { ssoImportKind } from './candidates/sso-import.kind.js';
import { ImportRepository } from './imports/import.repository.js';
import { ImportService } from './imports/import.service.js';
import { oneTimeImportKind } from './candidates/one-time-import.js';

/** Finished jobs stay visible (what the last sync did) for a month. */
const FINISHED_JOBS_KEPT_MS = 30 * 24 * 60 * 60_000;

/** Tests, candidates, roster sync, jobs and attempts, wired together (part of the composition root). */
export function wireDomain(
  config: Config,
  sequelize: Sequelize,
  platforms: PlatformService,
  audit: AuditService,
  log: Logger,
  oneTimeOptions: OneTimeUserOptions = {},
  onWaysInRevoked?: (examId: string, candidateId: string | null) => Promise<void>,
) {
  const settings = new SystemSettings(new SettingsRepository(sequelize), audit, {
    fallbacks: { finishRedirectUrl: config.FINISH_REDIRECT_URL ?? null },
    cacheMs: config.SETTINGS_CACHE_SECONDS * 1000,
    platformName: (id) =>
      platforms.get(id).then(
        (platform) => platform.name,
        (err: unknown) => (err instanceof PlatformNotFoundError ? null : Promise.reject(err)),
      ),
  });
  const examRepository = new ExamRepository(sequelize);
  // Plain-http delivery and finish URLs only outside production (a local engine in development).
  const exams = new ExamService(examRepository, { allowHttpUrls: config.NODE_ENV !== 'production' }, audit, log, {
    defaultTimeZoneOf: async (platformId) => (await platforms.get(platformId)).defaultTimeZone,
  });
  const candidateRepository = new CandidateRepository(sequelize);
  const leftOutRepository = new LeftOutRepository(sequelize);
  const candidates = new CandidateService(candidateRepository, leftOutRepository, exams, audit, log);
  const ssoSetups = new SsoSetups(new SsoSetupRepository(sequelize), platforms, audit);
  const ssoCandidates = new SsoCandidates(candidateRepository, new SsoCandidateRepository(), audit, log);
  const oneTimeUsers = new OneTimeUsers(
    new OneTimeUserRepository(sequelize),
    candidates,
    audit,
    new SealedText(config.secretKeys, ONE_TIME_PASSWORD_PURPOSE),
    oneTimeOptions,
  );
  const attemptStates = new CandidateAttempts(candidateRepository);
  const jobRepository = new JobRepository(sequelize);
  const jobs = new JobRunner(jobRepository, log, {
    pollIntervalMs: config.JOB_POLL_INTERVAL_MS,
    concurrency: config.JOB_CONCURRENCY,
    leaseMs: config.JOB_LEASE_SECONDS * 1000,
    retryBaseMs: config.JOB_RETRY_BASE_MS,
  });
  const platformById = (id: string) => platforms.get(id);
  const serviceTokens = new ServiceTokens({ timeoutMs: config.LMS_TOKEN_TIMEOUT_SECONDS * 1000 });

  const rosterSync = new RosterSyncService(
    exams,
    candidateRepository,
    leftOutRepository,
    createNrpsRosterSource(platformById, serviceTokens, {
      pageSize: config.NRPS_PAGE_SIZE,
      pageTimeoutMs: config.NRPS_PAGE_TIMEOUT_SECONDS * 1000,
    }),
    audit,
    log,
    (platformId) => ssoSetups.matchFieldOf(platformId),
  );
  // One run: the instructor watches a sync and can press "Sync now", and the schedule asks again each interval.
  jobs.register(ROSTER_SYNC_JOB, rosterSyncJob(rosterSync, log), { maxAttempts: 1 });
  // A score must reach the gradebook even when the LMS has a bad few minutes.
  jobs.register(
    GRADE_PASSBACK_JOB,
    gradePassbackJob({ candidates: attemptStates, exams, platformById, postScore: createScorePoster(serviceTokens), log }),
    { maxAttempts: config.JOB_MAX_ATTEMPTS },
  );
  const roster = new RosterSchedule(
    jobs,
    exams,
    { onOpenMinutes: config.ROSTER_SYNC_ON_OPEN_MINUTES, intervalMinutes: config.ROSTER_SYNC_INTERVAL_MINUTES },
    log,
  );

  const keys = new SigningKeys(new SigningKeyRepository(sequelize), config.secretKeys);
  // One remembered set of single-use token ids: engine reports here, ltijs's login restarts (bootstrap.ts).
  const usedReportIds = new SingleUseIds(sequelize, 'used_token_ids', 'jti');
  const attempts = new AttemptService(
    {
      publicUrl: config.PUBLIC_URL,
      defaultDeliveryUrl: config.DEFAULT_DELIVERY_URL ?? null,
      finishRedirectOf: async (platformId) => (await settings.forPlatform(platformId)).finishRedirectUrl,
      handoffSeconds: config.HANDOFF_TOKEN_SECONDS,
    },
    exams,
    attemptStates,
    keys,
    new EngineKeys(),
    usedReportIds,
    {
      inUnit: unitOfWorkRunner(sequelize),
      enqueue: (candidateId, unit) => jobs.enqueue(GRADE_PASSBACK_JOB, candidateId, unit),
      committed: () => jobs.nudge(),
    },
    log,
  );

  const waysIn = new WaysIn(
    new WayInRepository(sequelize),
    new SealedText(config.secretKeys, WAY_IN_PURPOSE),
    audit,
    {
      publicUrl: config.PUBLIC_URL,
      lifetimeHoursOf: async (platformId) => (await settings.forPlatform(platformId)).linkLifetimeHours,
      onRevoked: onWaysInRevoked,
    },
    log,
  );

  const imports = new ImportService(
    new ImportRepository(sequelize),
    unitOfWorkRunner(sequelize),
    jobs,
    audit,
    {
      maxBytes: config.IMPORT_MAX_BYTES,
      maxRows: config.IMPORT_MAX_ROWS,
      maxFieldChars: config.IMPORT_MAX_FIELD_CHARS,
      jobRows: config.IMPORT_JOB_ROWS,
      previewMinutes: config.IMPORT_PREVIEW_MINUTES,
    },
    log,
  );
  const oneTimeImport = oneTimeImportKind({ exams, candidates, oneTimeUsers });
  imports.register(oneTimeImport);
  const ssoImport = ssoImportKind({ sso: ssoCandidates, exams, setups: ssoSetups });
  imports.register(ssoImport);

  const handout = new Handout(candidates, oneTimeUsers, waysIn, settings, { publicUrl: config.PUBLIC_URL });

  return {
    audit,
    settings,
    exams,
    waysIn,
    handout,
    candidates,
    ssoSetups,
    ssoCandidates,
    oneTimeUsers,
    imports,
    oneTimeImport,
    ssoImport,
    rosterSync,
    roster,
    jobs,
    keys,
    attempts,
    serviceTokens,
    usedTokenIds: usedReportIds,
    housekeeping: async () => {
      await usedReportIds.deleteExpired();
      await imports.deleteExpired();
      await jobRepository.deleteFinishedBefore(new Date(Date.now() - FINISHED_JOBS_KEPT_MS));
    },
  };
}
