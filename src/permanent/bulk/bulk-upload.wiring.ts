import type { PasswordHasher } from '../../security/password-hash.js';
import { LOGIN_PATH } from '../../access/candidate-login.routes.js';
import type { AuditService } from '../../audit/audit.service.js';
import type { Config } from '../../config.js';
import { unitOfWorkRunner } from '../../db/unit-of-work.js';
import type { ImportService } from '../../imports/import.service.js';
import type { JobRunner } from '../../jobs/job.runner.js';
import type { Logger } from '../../logger.js';
import type { PlatformService } from '../../platforms/platform.service.js';
import { SealedText } from '../../secrets/sealed-text.js';
import { CandidatePhotos } from '../photos/candidate-photos.service.js';
import { PhotoRepository } from '../photos/photo.repository.js';
import { BULK_IMPORT_KIND, bulkImportKind } from './bulk.kind.js';
import { BulkRepository } from './bulk.repository.js';
import { BulkSealedStores } from './bulk-reseal.js';
import { BulkSealedRepository } from './bulk-sealed.repository.js';
import { BulkUploads, PASSWORD_HANDOUT_PURPOSE, PASSWORD_QUEUE_PURPOSE } from './bulk-uploads.service.js';
import { PASSWORD_HASH_JOB, passwordHashingJob } from './password-hashing.job.js';
import type { RegistrationOutbox } from './registration-details.js';

/** Unpacked / packed size one ZIP entry may have: photos are near 1, a CSV near 5–10, a bomb in the hundreds. */
const ZIP_MAX_RATIO = 100;

/** The bulk upload wired together: its kind registered with the engine, its hashing job with the runner. */
export function wireBulkUpload(deps: {
  config: Config;
  /** The connection (typed through the repository: only repositories and src/db/ name Sequelize). */
  sequelize: ConstructorParameters<typeof BulkRepository>[0];
  platforms: PlatformService;
  imports: ImportService;
  jobs: JobRunner;
  audit: AuditService;
  log: Logger;
  /** The hash every queued password gets (PASSWORD_HASH_COST), as for passwords set one by one. */
  passwords: PasswordHasher;
  /** The e-mail outbox (src/mail): registration details are queued there. */
  outbox: RegistrationOutbox;
}) {
  const repository = new BulkRepository(deps.sequelize);
  const photos = new PhotoRepository(deps.sequelize);
  const queueSeal = new SealedText(deps.config.secretKeys, PASSWORD_QUEUE_PURPOSE);
  const handoutSeal = new SealedText(deps.config.secretKeys, PASSWORD_HANDOUT_PURPOSE);
  const inUnit = unitOfWorkRunner(deps.sequelize);
  const uploads = new BulkUploads(
    repository,
    (platformId) =>
      deps.platforms.get(platformId).then(
        (p) => p.name,
        () => null,
      ),
    queueSeal,
    handoutSeal,
    deps.jobs,
    inUnit,
    deps.audit,
  );
  const kind = bulkImportKind({
    repository,
    audit: deps.audit,
    queueSeal,
    handoutSeal,
    loadTarget: (id) => uploads.loadTarget(id),
    outbox: deps.outbox,
    signInUrl: new URL(LOGIN_PATH, deps.config.PUBLIC_URL).toString(),
    enqueueHashing: (platformId, unit) => uploads.enqueueHashing(platformId, unit),
    photos: {
      repository: photos,
      zip: {
        maxBytes: deps.config.IMPORT_ZIP_MAX_BYTES,
        maxUnpackedBytes: deps.config.IMPORT_ZIP_MAX_UNPACKED_BYTES,
        maxEntries: deps.config.IMPORT_ZIP_MAX_ENTRIES,
        maxRatio: ZIP_MAX_RATIO,
        csvMaxBytes: deps.config.IMPORT_MAX_BYTES,
        photoMaxBytes: deps.config.PHOTO_MAX_BYTES,
      },
    },
  });
  deps.imports.register(kind);
  // Retried: a run that fails (the database out of reach) goes on from what is still queued.
  deps.jobs.register(
    PASSWORD_HASH_JOB,
    passwordHashingJob({ repository, seal: queueSeal, inUnit, log: deps.log, params: deps.passwords.params }),
    { maxAttempts: 5 },
  );
  const previewMs = deps.config.IMPORT_PREVIEW_MINUTES * 60_000;
  // Re-sealed at start-up after a SECRET_KEY rotation (bootstrap's reseal list).
  const sealedStores = new BulkSealedStores(new BulkSealedRepository(deps.sequelize), queueSeal, handoutSeal);
  return {
    bulkUploads: uploads,
    bulkImport: kind,
    sealedStores,
    photos: new CandidatePhotos(photos),
    /** Housekeeping: the staged photos of previews that expired uncommitted. */
    forgetExpiredPhotos: () => photos.deleteStagedBefore(new Date(Date.now() - previewMs), BULK_IMPORT_KIND),
  };
}
