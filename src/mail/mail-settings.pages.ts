import express, { type Response, type Router } from 'express';
import { adminBy, type AdminSignIn } from '../platforms/admin-session.middleware.js';
import { asyncHandler } from '../web/async-handler.js';
import { doneMessage } from '../web/done-message.js';
import { field } from '../web/form.js';
import {
  InvalidMailSettingsError,
  parseMailSettingsForm,
  readMailSettingsForm,
  type MailFieldProblem,
  type MailSettingsForm,
} from './mail-settings-input.js';
import { DEFAULT_PORTS, isMailAddress, type MailSettings } from './mail-settings.js';
import type { MailSettingsInForce, MailSettingsService } from './mail-settings.service.js';
import { testText } from './mail-texts.js';
import type { Outbox } from './outbox.service.js';
import { SmtpSendError, type OutgoingMail } from './smtp-transport.js';

export const MAIL_SETTINGS_PATH = '/admin/mail';

export interface MailSettingsPageDeps {
  settings: MailSettingsService;
  outbox: Outbox;
  admin: AdminSignIn;
  send: (settings: MailSettings, mail: OutgoingMail) => Promise<void>;
}

const SOURCE_WORDS: Record<MailSettingsInForce['source'], string> = {
  page: 'the settings saved on this page',
  environment: 'SMTP_URL and MAIL_FROM of the server’s environment (saving this page replaces them)',
  none: 'nothing yet: examgate cannot send e-mail until you save the SMTP server here (or the server sets SMTP_URL)',
};

function formOf(inForce: MailSettingsInForce): MailSettingsForm {
  const s = inForce.settings;
  return {
    host: s?.host ?? '',
    port: s ? String(s.port) : '',
    security: s?.security ?? 'starttls',
    username: s?.username ?? '',
    password: '',
    clearPassword: false,
    fromAddress: s?.fromAddress ?? '',
    fromName: s?.fromName ?? '',
  };
}

/**
 * /admin/mail: the installation's SMTP relay (one form, audited; the password is write-only)
 * and "send a test message", which tries the relay at once and says what it answered.
 */
export function mailSettingsPages(deps: MailSettingsPageDeps): Router {
  const { admin } = deps;
  const router = express.Router();
  router.use(express.urlencoded({ extended: false, limit: '16kb' }), admin.gate, admin.require);

  const page = async (
    res: Response,
    status: number,
    extra: { typed?: MailSettingsForm; problems?: MailFieldProblem[]; tested?: { ok: boolean; text: string }; testTo?: string },
  ) => {
    const inForce = await deps.settings.inForce();
    const errors = extra.problems ?? [];
    res.status(status).render('admin-mail.njk', {
      title: 'E-mail settings',
      csrf: admin.csrfToken(res),
      form: extra.typed ? { ...extra.typed, password: '' } : formOf(inForce),
      source: SOURCE_WORDS[inForce.source],
      hasPassword: inForce.hasPassword,
      ready: inForce.settings !== null,
      defaultPorts: DEFAULT_PORTS,
      errors,
      fieldErrors: Object.fromEntries(errors.map((e) => [e.field, e.message])),
      tested: extra.tested ?? null,
      testTo: extra.testTo ?? '',
      done: doneMessage(
        { saved: 'The e-mail settings are saved. Messages from now on go through this server; send a test message to check it.' },
        res.req.query,
      ),
    });
  };

  router.get(
    '/',
    asyncHandler(async (_req, res) => {
      await page(res, 200, {});
    }),
  );
  router.post(
    '/',
    admin.csrf,
    asyncHandler(async (req, res) => {
      const typed = readMailSettingsForm(req.body);
      try {
        await deps.settings.save(parseMailSettingsForm(typed), adminBy(res));
      } catch (err) {
        if (!(err instanceof InvalidMailSettingsError)) {
          throw err;
        }
        await page(res, 400, { typed, problems: err.problems });
        return;
      }
      res.redirect(303, `${MAIL_SETTINGS_PATH}?done=saved`);
    }),
  );
  router.post(
    '/test',
    admin.csrf,
    asyncHandler(async (req, res) => {
      const to = field(req.body, 'to').trim().slice(0, 320);
      if (!isMailAddress(to)) {
        await page(res, 400, {
          testTo: to,
          problems: [{ field: 'to', message: 'Enter the address to send the test message to, such as you@uni.example.' }],
        });
        return;
      }
      const { settings } = await deps.settings.inForce();
      const message = { platformId: null, purpose: 'test' as const, to, ...testText('an installation admin') };
      let error: string | null = null;
      if (!settings) {
        error = 'E-mail is not set up yet: save the SMTP server first.';
      } else {
        try {
          await deps.send(settings, { id: `test-${Date.now()}`, to, subject: message.subject, text: message.body });
        } catch (err) {
          if (!(err instanceof SmtpSendError)) {
            throw err;
          }
          error = err.message;
        }
      }
      await deps.outbox.recordTest(message, { error }, adminBy(res));
      const tested = error
        ? { ok: false, text: `The test message to ${to} was not sent. ${error}` }
        : { ok: true, text: `The SMTP server took the test message to ${to}. Check that inbox (and its spam folder) to see it arrived.` };
      await page(res, error ? 502 : 200, { tested, testTo: to });
    }),
  );
  return router;
}
