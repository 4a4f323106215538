import type { PasswordResetRepository } from '../access/password-reset.repository.js';
import { PasswordResets } from '../access/password-reset.service.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Config } from '../config.js';
import type { JobRunner } from '../jobs/job.runner.js';
import type { Logger } from '../logger.js';
import type { PermanentUsers } from '../permanent/permanent-user.service.js';
import type { PlatformService } from '../platforms/platform.service.js';
import { SealedText } from '../secrets/sealed-text.js';
import type { ThrottleRule, ThrottleService } from '../throttle/throttle.service.js';
import { LOGIN_PATH } from '../access/candidate-login.routes.js';
import { settingsFromEnvironment } from './mail-settings.js';
import type { MailSettingsRepository } from './mail-settings.repository.js';
import { MailSettingsService, SMTP_PASSWORD_PURPOSE } from './mail-settings.service.js';
import { MAIL_BATCH_JOB, MAIL_SEND_JOB } from './outbox.js';
import type { OutboxRepository } from './outbox.repository.js';
import { MAIL_BODY_PURPOSE, Outbox } from './outbox.service.js';
import { RegistrationDetails } from './registration-details.js';
import { openSmtpRelay } from './smtp-transport.js';

export interface MailWiring {
  mailSettings: MailSettingsService;
  outbox: Outbox;
  registrationDetails: RegistrationDetails;
  passwordResets: PasswordResets;
  /** Per address, for the reset pages (README: E-mail). */
  passwordResetPerAddress: ThrottleRule;
}

/** E-mail, wired (part of the composition root): settings, outbox and its job, registration details, password resets. */
export function wireMail(
  config: Config,
  /** Made by the composition root, which alone holds the connection. */
  repositories: { settings: MailSettingsRepository; outbox: OutboxRepository; resets: PasswordResetRepository },
  deps: {
    jobs: JobRunner;
    audit: AuditService;
    platforms: PlatformService;
    permanentUsers: PermanentUsers;
    throttle: ThrottleService;
    log: Logger;
  },
): MailWiring {
  const mailSettings = new MailSettingsService(
    repositories.settings,
    new SealedText(config.secretKeys, SMTP_PASSWORD_PURPOSE),
    deps.audit,
    settingsFromEnvironment(config.SMTP_URL, config.MAIL_FROM),
  );
  const outbox = new Outbox({
    repository: repositories.outbox,
    sealed: new SealedText(config.secretKeys, MAIL_BODY_PURPOSE),
    jobs: deps.jobs,
    audit: deps.audit,
    settings: async () => (await mailSettings.inForce()).settings,
    relay: openSmtpRelay,
    log: deps.log,
  });
  deps.jobs.register(MAIL_SEND_JOB, outbox.sendJob(), { maxAttempts: config.MAIL_MAX_ATTEMPTS });
  deps.jobs.register(MAIL_BATCH_JOB, outbox.batchJob(), { maxAttempts: config.MAIL_MAX_ATTEMPTS });
  const loginUrl = new URL(LOGIN_PATH, config.PUBLIC_URL).href;
  const registrationDetails = new RegistrationDetails(outbox, loginUrl, async (id, unit) => (await deps.platforms.get(id, unit)).name);
  const passwordResets = new PasswordResets(repositories.resets, deps.permanentUsers, outbox, deps.throttle, deps.audit, {
    publicUrl: config.PUBLIC_URL,
    minutes: config.PASSWORD_RESET_MINUTES,
    perAccount: { bucket: 'password-reset-account', limit: config.PASSWORD_RESET_PER_ACCOUNT_PER_HOUR, windowSeconds: 3600 },
  });
  return {
    mailSettings,
    outbox,
    registrationDetails,
    passwordResets,
    passwordResetPerAddress: { bucket: 'password-reset-address', limit: config.PASSWORD_RESET_PER_ADDRESS_PER_HOUR, windowSeconds: 3600 },
  };
}
