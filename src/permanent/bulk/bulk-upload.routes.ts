import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { adminOf, type InstitutionSession } from '../../admins/institution-session.middleware.js';
import { mountImport, type MountOptions } from '../../imports/import.routes.js';
import type { ImportKind } from '../../imports/import-kind.js';
import type { ImportService } from '../../imports/import.service.js';
import { asyncHandler } from '../../web/async-handler.js';
import { checkbox, field } from '../../web/form.js';
import { HttpError } from '../../web/http-error.js';
import {
  checkBulkOptions,
  DEFAULT_FIELDS,
  EXISTING_DETAILS,
  FORCE_CHANGE,
  NEW_PASSWORDS,
  UPLOAD_TYPES,
  type OptionError,
} from './bulk-options.js';
import { DETAIL_LABELS } from '../permanent-user.js';
import { emailNote, type BulkTarget } from './bulk.kind.js';
import type { BulkRow } from './bulk-row.schema.js';
import { sampleCsv } from './bulk-row.schema.js';
import { BulkUploadNotFoundError, type BulkUploads } from './bulk-uploads.service.js';

export const UPLOAD_PATH = '/institution/users/upload';
/** The form's fields besides the file: _csrf, the four choices, common password, two checkboxes, Eligible and the defaults. */
const FORM_FIELDS = 9 + DEFAULT_FIELDS.length;

/** Options the form sent that do not hold: the form comes back with them (and the file must be chosen again). */
class BulkOptionsError extends Error {
  constructor(readonly errors: OptionError[]) {
    super(errors.map((e) => e.message).join(' '));
  }
}

export interface BulkUploadRouteDeps {
  uploads: BulkUploads;
  imports: ImportService;
  kind: ImportKind<BulkRow, BulkTarget>;
  session: InstitutionSession;
  /** What the form says of a ZIP upload's limits ("2 MB"). */
  limits: { photo: string; zip: string };
}

const formValuesOf = (body: unknown): Record<string, string | boolean> => ({
  uploadType: field(body, 'uploadType') || 'add-new',
  newPassword: field(body, 'newPassword') || 'create',
  existingDetails: field(body, 'existingDetails') || 'none',
  forceChange: field(body, 'forceChange') || 'weak',
  allowDeletes: checkbox(body, 'allowDeletes'),
  emailRegistration: checkbox(body, 'emailRegistration'),
  eligibleDefault: field(body, 'eligibleDefault'),
  ...Object.fromEntries(DEFAULT_FIELDS.map((f) => [`default-${f}`, field(body, `default-${f}`).slice(0, 1000)])),
});

/**
 * The bulk upload of permanent users (seed 004) in the institution admin area: the form with
 * every option, the sample file, the engine's preview → commit → report under
 * /institution/users/upload/<options id>, the one-time download of generated passwords, and the
 * password hashing page. Everything is the signed-in admin's platform; another's upload is 404.
 */
export function bulkUploadRoutes(deps: BulkUploadRouteDeps): Router {
  const { uploads, session } = deps;
  const router = express.Router();
  router.use(session.require);
  const form = express.urlencoded({ extended: false, limit: '4kb' });

  const formPage = (res: Response, status: number, values: Record<string, string | boolean>, errors: OptionError[]) =>
    res.status(status).render('institution/bulk-upload.njk', {
      title: 'Bulk upload of permanent users',
      institution: adminOf(res),
      csrf: session.csrfToken(res),
      values,
      errors,
      byField: Object.fromEntries(errors.map((e) => [e.field, e.message])),
      choices: { uploadType: UPLOAD_TYPES, newPassword: NEW_PASSWORDS, existingDetails: EXISTING_DETAILS, forceChange: FORCE_CHANGE },
      defaultFields: DEFAULT_FIELDS.map((f) => ({ name: `default-${f}`, label: DETAIL_LABELS[f] })),
      limits: deps.limits,
    });

  router.get('/', (_req, res) => formPage(res, 200, formValuesOf({}), []));
  router.get('/sample.csv', (_req, res) => {
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="permanent-users-sample.csv"');
    res.send(sampleCsv());
  });

  router.get(
    '/hashing',
    asyncHandler(async (_req, res) => {
      res.render('institution/password-hashing.njk', {
        title: 'Password hashing',
        institution: adminOf(res),
        csrf: session.csrfToken(res),
        status: await uploads.hashingStatus(adminOf(res).platformId),
      });
    }),
  );
  router.get(
    '/hashing/status',
    asyncHandler(async (_req, res) => {
      res.json(await uploads.hashingStatus(adminOf(res).platformId));
    }),
  );

  const options = (targetOf: MountOptions<BulkTarget>['targetOf']): MountOptions<BulkTarget> => ({
    targetOf,
    pathOf: (target) => `${UPLOAD_PATH}/${target.optionsId}`,
    backOf: (target) => `${UPLOAD_PATH}/${target.optionsId}`,
    titleOf: () => 'Bulk upload of permanent users',
    formatTime: () => (at) => `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    byOf: (res) => adminOf(res).by,
    csrf: session.csrf,
    csrfTokenOf: (res) => session.csrfToken(res),
    refuse: async (req, res, _target, message) => {
      formPage(res, 400, formValuesOf(req.body), [{ field: 'file', message }]);
      return Promise.resolve();
    },
    formFields: FORM_FIELDS,
  });

  // The upload: its options are fields of the same multipart form, read once multer has parsed it.
  const upload = express.Router();
  mountImport(
    upload,
    deps.imports,
    deps.kind,
    options(async (req, res) => {
      const body: unknown = req.body;
      const checked = checkBulkOptions({
        uploadType: field(body, 'uploadType'),
        newPassword: field(body, 'newPassword'),
        existingDetails: field(body, 'existingDetails'),
        forceChange: field(body, 'forceChange'),
        commonPassword: field(body, 'commonPassword'),
        allowDeletes: checkbox(body, 'allowDeletes'),
        emailRegistration: checkbox(body, 'emailRegistration'),
        eligibleDefault: field(body, 'eligibleDefault'),
        defaults: Object.fromEntries(DEFAULT_FIELDS.map((f) => [f, field(body, `default-${f}`)])) as Record<
          (typeof DEFAULT_FIELDS)[number],
          string
        >,
      });
      if (!checked.options) {
        throw new BulkOptionsError(checked.errors);
      }
      return uploads.storeOptions(adminOf(res).platformId, checked.options);
    }),
  );
  upload.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (err instanceof BulkOptionsError) {
      formPage(res, 400, formValuesOf(req.body), err.errors);
      return;
    }
    next(err);
  });
  router.post('/import', upload);

  const targetOf = async (req: Request, res: Response) => {
    try {
      return await uploads.target(adminOf(res).platformId, String((req.params as Record<string, string>).optionsId ?? ''));
    } catch (err) {
      if (err instanceof BulkUploadNotFoundError) {
        throw new HttpError(404, 'not_found', err.message);
      }
      throw err;
    }
  };
  const byPath = express.Router({ mergeParams: true });
  byPath.get(
    '/',
    asyncHandler(async (req, res) => {
      const target = await targetOf(req, res);
      const [latest] = await deps.imports.reportsOf(deps.kind, target, 1);
      res.render('institution/bulk-upload-done.njk', {
        title: 'Bulk upload of permanent users',
        institution: adminOf(res),
        csrf: session.csrfToken(res),
        upload: latest ?? null,
        reportUrl: latest ? `${UPLOAD_PATH}/${target.optionsId}/imports/${latest.id}` : null,
        handout: await uploads.handoutCount(target.platformId, target.optionsId),
        handoutUrl: `${UPLOAD_PATH}/${target.optionsId}/generated-passwords.csv`,
        email: emailNote(target.options),
        hashing: await uploads.hashingStatus(target.platformId),
      });
    }),
  );
  byPath.post(
    '/generated-passwords.csv',
    form,
    session.csrf,
    asyncHandler(async (req, res) => {
      const target = await targetOf(req, res);
      const csv = await uploads.takeHandout(target.platformId, target.optionsId, adminOf(res).by);
      if (!csv) {
        throw new HttpError(
          410,
          'gone',
          'The generated passwords of this upload were downloaded already; they are shown only once. Reset a password on the user’s page if one is lost.',
        );
      }
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', 'attachment; filename="generated-passwords.csv"');
      res.setHeader('Cache-Control', 'no-store');
      res.send(`\ufeff${csv}`);
    }),
  );
  mountImport(byPath, deps.imports, deps.kind, options(targetOf));
  router.use('/:optionsId', byPath);
  return router;
}
