import { CandidateSignIn } from './web/candidate-sign-in.js';
import { writesTogetherRunner } from './db/write-batch.js';
import { CandidateTests } from './access/candidate-tests.js';
import { OwnTestRepository } from './access/own-test.repository.js';
import type { Express } from 'express';
import type { ImportService } from './imports/import.service.js';
import type { Sequelize } from 'sequelize';
import { createApp } from './app.js';
import { AuditRepository } from './audit/audit.repository.js';
import { AuditService } from './audit/audit.service.js';
import type { Config } from './config.js';
import { parseDatabaseUrl } from './db/database.js';
import { migrateUp } from './db/migrator.js';
import { holdStartupLock } from './db/startup-lock.js';
import { connectSequelize } from './db/sequelize.js';
import { createDemoRouter } from './demo/demo.routes.js';
import { LaunchController } from './launch/launch.controller.js';
import type { Logger } from './logger.js';
import { createDeepLinkResponder, createLtiPlatformRegistry } from './lti/lti-services.js';
import { LoginRequestRepository } from './lti/login-request.repository.js';
import { startLti, type LtiLayer } from './lti/lti-provider.js';
import { NonceRepository } from './lti/nonce.repository.js';
import { PlatformRepository } from './platforms/platform.repository.js';
import { PlatformService } from './platforms/platform.service.js';
import { PlatformMoveService } from './platforms/platform-move.service.js';
import { toolConfiguration } from './platforms/tool-configuration.js';
import { DynamicRegistrationService } from './platforms/dynamic-registration.service.js';
import { RegistrationTokenRepository } from './platforms/registration-token.repository.js';
import { RegistrationTokenService } from './platforms/registration-token.service.js';
import { SessionRepository } from './sessions/session.repository.js';
import { SessionService } from './sessions/session.service.js';
import { SessionHandoverRepository } from './sessions/session-handover.repository.js';
import { FrameAncestors } from './web/frame-ancestors.js';
import { ThrottleRepository } from './throttle/throttle.repository.js';
import { ThrottleService } from './throttle/throttle.service.js';
import { wireDomain } from './domain.js';
import { StartTickets } from './access/start-ticket.js';
import { TicketedHandOff } from './access/ticketed-handoff.js';
import { resealStoredSecrets } from './stored-secrets.js';
import type { JobRunner } from './jobs/job.runner.js';
import type { RosterSchedule } from './candidates/roster-schedule.js';
import type { ServiceTokens } from './lti/service-token.js';
import type { OneTimeUsers } from './access/one-time-user.service.js';
import type { WaysIn } from './access/ways-in.service.js';
import type { SystemSettings } from './settings/settings.service.js';
import type { SsoCandidates } from './candidates/sso-candidates.service.js';
import type { SsoSetups } from './platforms/sso-setup.service.js';
import { PermanentUserRepository } from './permanent/permanent-user.repository.js';
import { PermanentUsers } from './permanent/permanent-user.service.js';
import { PermanentCandidates } from './permanent/permanent-candidates.service.js';
import { ListRepository } from './lists/list.repository.js';
import { PermanentLists } from './lists/list.service.js';
import { StaffDirectory } from './lists/staff-directory.js';
import { StaffDirectoryRepository } from './lists/staff-directory.repository.js';
import { AdminAccountRepository } from './admins/admin-account.repository.js';
import { AdminAccounts, TOTP_SECRET_PURPOSE } from './admins/admin-account.service.js';
import { PasswordHasher } from './security/password-hash.js';
import { SealedText } from './secrets/sealed-text.js';
import { wireBulkUpload } from './permanent/bulk/bulk-upload.wiring.js';
import type { RegistrationOutbox } from './permanent/bulk/registration-details.js';
import type { BulkUploads } from './permanent/bulk/bulk-uploads.service.js';
import { wireMail, type MailWiring } from './mail/wire-mail.js';
import { MailSettingsRepository } from './mail/mail-settings.repository.js';
import { OutboxRepository } from './mail/outbox.repository.js';
import { PasswordResetRepository } from './access/password-reset.repository.js';

export interface Examgate {
  app: Express;
  sequelize: Sequelize;
  platforms: PlatformService;
  /** Moving a platform to a new registration of the same LMS (admin page, CLI). */
  platformMoves: PlatformMoveService;
  audit: AuditService;
  /** One-time users: the candidate login page checks credentials with `verify`. */
  oneTimeUsers: OneTimeUsers;
  /** The CSV import engine (tests lower its settings.jobRows to take the job path). */
  imports: ImportService;
  /** Registration URLs for LTI Dynamic Registration (admin page, CLI). */
  registrationUrls: RegistrationTokenService;
  jobs: JobRunner;
  roster: RosterSchedule;
  throttle: ThrottleService;
  /** Launch and candidate sessions (tests start a candidate session here to look at its pages on their own). */
  sessions: SessionService;
  /** Direct links and entry codes: issue, revoke, resolve (exports and tests read them here). */
  waysIn: WaysIn;
  /** SSO candidates: import plan and commit, first-launch matching (tests drive them here too). */
  ssoCandidates: SsoCandidates;
  /** Each platform's SSO setups and auth types. */
  ssoSetups: SsoSetups;
  /** Permanent users of each platform (admin pages, the login page, tests). */
  permanentUsers: PermanentUsers;
  /** Bulk uploads of permanent users: options, generated-password handouts, the hashing status. */
  bulkUploads: BulkUploads;
  /** Drops the staged photos of ZIP upload previews that expired uncommitted (housekeeping; tests call it). */
  forgetExpiredPhotos: () => Promise<void>;
  /** Institution admin accounts (CLI, admin pages). */
  adminAccounts: AdminAccounts;
  /** The LMS service tokens this process holds (tests forget them to reach the token endpoint again). */
  serviceTokens: ServiceTokens;
  /** System settings (admin page); tests drop its in-memory copy after emptying the tables behind it. */
  settings: SystemSettings;
  /** E-mail: SMTP settings, the outbox, registration details (the bulk upload queues them here), password resets. */
  mail: MailWiring;
  close(): Promise<void>;
}

const HOUSEKEEPING_INTERVAL_MS = 10 * 60_000;

/**
 * The composition root: connect, migrate, set up ltijs, wire services, build the app.
 * Throws DatabaseUnavailableError when the database does not answer, StoredSecretsUnreadableError
 * when SECRET_KEY (or SECRET_KEY_PREVIOUS) does not open what is stored under it.
 */
export async function bootstrap(config: Config, log: Logger): Promise<Examgate> {
  const target = parseDatabaseUrl(config.DATABASE_URL);
  const sequelize = await connectSequelize(target);
  // Migrations, ltijs's storage setup and the stored-secrets check: one process at a time.
  const startup = await holdStartupLock(sequelize).catch(async (err: unknown) => {
    await sequelize.close().catch(() => undefined);
    throw err;
  });
  const failed = async (err: unknown): Promise<never> => {
    await startup.release().catch(() => undefined);
    await sequelize.close().catch(() => undefined);
    throw err;
  };
  const applied = await migrateUp(sequelize).catch(failed);
  if (applied.length > 0) {
    log.info({ applied }, 'database migrated');
  }

  const nonces = new NonceRepository(sequelize);
  const loginRequests = new LoginRequestRepository(sequelize);
  const throttle = new ThrottleService(new ThrottleRepository(sequelize));
  const sessionRepository = new SessionRepository(sequelize);
  const sessionHandovers = new SessionHandoverRepository(sequelize);
  const sessions = new SessionService(sessionRepository, sessionHandovers, config.SESSION_TTL_MINUTES * 60_000);

  const audit = new AuditService(new AuditRepository(sequelize));
  const frameAncestors: FrameAncestors = new FrameAncestors(() => platforms.list());
  const platformRepository = new PlatformRepository(sequelize);
  const ltiPlatforms = createLtiPlatformRegistry(config.SECRET_KEY, config.TOOL_KEY_BITS);
  const platforms: PlatformService = new PlatformService(
    platformRepository,
    ltiPlatforms,
    audit,
    { defaultPolicy: config.NEW_DEPLOYMENT_POLICY, allowHttp: config.NODE_ENV !== 'production', onChange: () => frameAncestors.refresh() },
    log,
  );
  const tool = toolConfiguration(config.PUBLIC_URL);
  const registrationTokens = new RegistrationTokenRepository(sequelize);
  const registrationUrls = new RegistrationTokenService(registrationTokens, {
    registerUrl: tool.dynamicRegistrationUrl,
    defaultHours: config.REGISTRATION_URL_HOURS,
  });
  const dynamicRegistration = new DynamicRegistrationService(
    platforms,
    registrationUrls,
    {
      mode: config.DYNAMIC_REGISTRATION,
      autoActivate: config.DYNAMIC_REGISTRATION_AUTO_ACTIVATE,
      tool: { publicUrl: config.PUBLIC_URL, loginUrl: tool.loginUrl, launchUrl: tool.redirectUrl, jwksUrl: tool.jwksUrl },
      limits: { timeoutMs: config.DYNAMIC_REGISTRATION_TIMEOUT_SECONDS * 1000, allowHttp: config.NODE_ENV !== 'production' },
    },
    log,
  );
  const launchController = new LaunchController(config, platforms, sessions, log);
  // A new username or password ends the sessions signed in with the old ones; revoked links and
  // codes end the sessions they opened. A session opened another way is left alone.
  const byLinkOrCode = ['direct-link', 'entry-code'] as const;
  const domain = wireDomain(
    config,
    sequelize,
    platforms,
    audit,
    log,
    { onCredentialsChanged: (candidateId) => sessions.endCandidate(candidateId, ['one-time']) },
    (examId, candidateId) =>
      candidateId ? sessions.endCandidate(candidateId, byLinkOrCode) : sessions.endCandidatesOf(examId, byLinkOrCode),
  );
  const permanentUserRepository = new PermanentUserRepository(sequelize);
  const passwords = new PasswordHasher(config.PASSWORD_HASH_COST);
  const permanentUsers = new PermanentUsers(permanentUserRepository, audit, passwords, sessions);
  const permanentCandidates = new PermanentCandidates(permanentUserRepository, domain.candidates);
  const staffDirectory = new StaffDirectory(new StaffDirectoryRepository(sequelize));
  const lists = new PermanentLists(new ListRepository(sequelize), staffDirectory, permanentCandidates, audit);
  const candidateTests = new CandidateTests(domain.exams, domain.candidates, new OwnTestRepository(sequelize), {
    of: (id) => permanentUsers.candidaciesOf(id),
  });
  const mailRepositories = {
    settings: new MailSettingsRepository(sequelize),
    outbox: new OutboxRepository(sequelize),
    resets: new PasswordResetRepository(sequelize),
  };
  const mail = wireMail(config, mailRepositories, { jobs: domain.jobs, audit, platforms, permanentUsers, throttle, log });
  // An upload's registration e-mails are queued in its commit's transaction; the send jobs are
  // picked up by the runner's next poll once it has committed.
  const registrationOutbox: RegistrationOutbox = async (platformId, messages, unit, by) => {
    const mails = messages.map((m) => ({ platformId, purpose: 'registration' as const, to: m.to, subject: m.subject, body: m.text }));
    await mail.outbox.queueManyIn(unit, mails, by);
  };
  const bulk = wireBulkUpload({
    config,
    sequelize,
    platforms,
    imports: domain.imports,
    jobs: domain.jobs,
    audit,
    log,
    passwords,
    outbox: registrationOutbox,
  });
  const adminAccounts = new AdminAccounts(
    new AdminAccountRepository(sequelize),
    audit,
    new SealedText(config.secretKeys, TOTP_SECRET_PURPOSE),
    `examgate ${new URL(config.PUBLIC_URL).host}`,
    passwords,
  );
  const handOffs = new TicketedHandOff(
    new StartTickets(config.secretKeys),
    sessions,
    domain.exams,
    domain.candidates,
    domain.attempts,
    candidateTests,
  );
  const candidateSignIn = new CandidateSignIn(
    sessions,
    audit,
    { secure: config.secureCookies, maxAgeMs: config.SESSION_TTL_MINUTES * 60_000 },
    writesTogetherRunner(sequelize),
  );
  const platformMoves = new PlatformMoveService(
    platformRepository,
    registrationTokens,
    ltiPlatforms,
    audit,
    {
      countsOf: async (id) => ({ ...(await domain.exams.countsOfPlatform(id)), candidates: await domain.candidates.countOnPlatform(id) }),
      removeEmptyCourses: (id, unit) => domain.exams.removeEmptyCourses(id, unit),
      endSessions: (id, unit) => sessions.endAllOf(id, unit),
    },
    { onChange: () => frameAncestors.refresh() },
    log,
  );
  const isDatabaseReady = () =>
    sequelize.authenticate().then(
      () => true,
      () => false,
    );
  const lti: LtiLayer = await startLti({
    config,
    target,
    loginRequests,
    usedOnce: domain.usedTokenIds,
    log,
    isDatabaseReady,
    handlers: {
      readBesideLoginEnd: (issuer, clientId, deploymentId) => launchController.platformRead(issuer, clientId, deploymentId),
      onLaunch: (launch, platform, req, res, next) => launchController.onLaunch(launch, platform, req, res, next),
      onFailure: (refusal, req, res) => launchController.onFailure(refusal, req, res),
      onError: (err, req, res) => launchController.onError(err, req, res),
      // The app answers LTI_PATHS.register itself (before ltijs), with examgate's own exchange.
      onDynamicRegistration: (_req, _res, next) => next(),
    },
  }).catch(failed);

  // Before anything is served: every stored secret opens, under SECRET_KEY (README: Rotating SECRET_KEY).
  try {
    await resealStoredSecrets(
      [
        () => domain.keys.reseal(),
        () => domain.oneTimeUsers.reseal(),
        () => domain.waysIn.reseal(),
        () => adminAccounts.reseal(),
        () => mail.mailSettings.reseal(),
        () => mail.outbox.reseal(),
        () => bulk.sealedStores.resealQueue(),
        () => bulk.sealedStores.resealHandouts(),
        () => bulk.sealedStores.resealCommonPasswords(),
        () => lti.resealStoredKeys(),
      ],
      log,
    );
  } catch (err) {
    await lti.close().catch(() => undefined);
    await failed(err);
  }
  await startup.release();

  const demo = config.DEMO_LMS_ENABLED ? await createDemoRouter(config, platforms, log) : null;
  const app = createApp({
    config,
    log,
    lti,
    platforms,
    sessions,
    loginRequests,
    launchController,
    deepLink: createDeepLinkResponder(config.PUBLIC_URL),
    ...domain,
    handOffs,
    candidateTests,
    candidateSignIn,
    permanentUsers,
    permanentCandidates,
    lists,
    staffDirectory,
    bulk,
    adminAccounts,
    mail,
    frameAncestors,
    throttle,
    tool,
    dynamicRegistration,
    registrationUrls,
    platformMoves,
    isDatabaseReady,
    demo,
    // The lead's candidate sessions replace this stand-in.
  });

  const housekeeping = setInterval(() => {
    Promise.all([
      nonces.deleteExpired(),
      loginRequests.deleteExpired(),
      sessionRepository.deleteExpired(),
      sessionHandovers.deleteExpired(),
      throttle.deleteExpired(),
      domain.housekeeping(),
      mail.passwordResets.deleteExpired(),
      bulk.forgetExpiredPhotos(),
    ]).catch((err: unknown) => log.warn({ err }, 'housekeeping failed; will retry'));
  }, HOUSEKEEPING_INTERVAL_MS);
  housekeeping.unref();

  domain.jobs.start();
  domain.roster.start();

  return {
    app,
    sequelize,
    platforms,
    platformMoves,
    audit,
    oneTimeUsers: domain.oneTimeUsers,
    imports: domain.imports,
    registrationUrls,
    jobs: domain.jobs,
    roster: domain.roster,
    throttle,
    sessions,
    waysIn: domain.waysIn,
    ssoCandidates: domain.ssoCandidates,
    ssoSetups: domain.ssoSetups,
    serviceTokens: domain.serviceTokens,
    settings: domain.settings,
    permanentUsers,
    bulkUploads: bulk.bulkUploads,
    forgetExpiredPhotos: bulk.forgetExpiredPhotos,
    adminAccounts,
    mail,
    close: async () => {
      clearInterval(housekeeping);
      domain.roster.stop();
      await domain.jobs.stop();
      await lti.close();
      await sequelize.close();
    },
  };
}
