import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';

const TEXT_TYPES = new Set([
  'text/csv',
  'text/plain',
  'application/csv',
  'application/vnd.ms-excel',
  'application/octet-stream',
  'text/tab-separated-values',
  '',
]);
const megabytes = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

/**
 * Reads one multipart file into memory, refusing more than `maxBytes` while it arrives; a refused
 * upload becomes `res.locals.uploadError` for the page, not an error page (CSRF is checked after).
 */
export function acceptUpload(maxBytes: number, fields = 4) {
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: maxBytes, files: 1, fields, parts: fields + 2 } }).single(
    'file',
  );
  return (req: Request, res: Response, next: NextFunction): void => {
    upload(req, res, (err: unknown) => {
      if (err instanceof multer.MulterError) {
        res.locals.uploadError =
          err.code === 'LIMIT_FILE_SIZE'
            ? `The file is larger than ${megabytes(maxBytes)}, the most one import takes.`
            : 'Send one file with the form.';
        next();
        return;
      }
      next(err);
    });
  };
}

const ZIP_TYPES = new Set(['application/zip', 'application/x-zip-compressed', 'application/x-zip', 'application/octet-stream', '']);

/** What may come besides a CSV: a ZIP up to `maxBytes` (a CSV alone stays within `csvMaxBytes`). */
export interface ZipUploads {
  csvMaxBytes: number;
}

/**
 * What was wrong with an upload before reading it, for the page; null when a file of the right
 * kind arrived. With `zip`, a .zip is a right kind too, and a CSV is held to its own limit.
 */
export function uploadProblem(res: Response, file: Express.Multer.File | undefined, zip?: ZipUploads): string | null {
  const failed = res.locals.uploadError as string | undefined;
  if (failed) {
    return failed;
  }
  if (!file) {
    return zip ? 'Choose a .csv or .zip file to import.' : 'Choose a .csv file to import.';
  }
  if (zip && /\.zip$/i.test(file.originalname)) {
    return ZIP_TYPES.has(file.mimetype) ? null : `"${file.originalname.slice(0, 80)}" is not a ZIP archive.`;
  }
  if (zip && file.size > zip.csvMaxBytes) {
    return `The CSV is larger than ${megabytes(zip.csvMaxBytes)}, the most one import takes (a ZIP with photos may be larger).`;
  }
  // Browsers name a CSV's type after whatever program opens it (Excel's is vnd.ms-excel): the name and the bytes decide.
  if (!/\.(csv|txt|tsv)$/i.test(file.originalname) || !TEXT_TYPES.has(file.mimetype)) {
    return `"${file.originalname.slice(0, 80)}" is not a .csv file. Save the list as CSV (in Excel: File › Save As › "CSV UTF-8") and choose that file.`;
  }
  return null;
}
