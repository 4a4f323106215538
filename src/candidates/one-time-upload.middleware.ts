import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';

/** 1500 lines of a 500-character candidate ID and a number fit in well under this. */
export const UPLOAD_LIMIT_BYTES = 2 * 1024 * 1024;
const TEXT_TYPES = new Set(['text/csv', 'text/plain', 'application/csv', 'application/vnd.ms-excel', 'application/octet-stream']);

const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: UPLOAD_LIMIT_BYTES, files: 1, fields: 4, parts: 6 },
}).single('file');

/** What was wrong with an upload, for the page; null when a file of the right kind arrived. */
export function uploadProblem(res: Response, file: Express.Multer.File | undefined): string | null {
  const failed = res.locals.uploadError as string | undefined;
  if (failed) {
    return failed;
  }
  if (!file || file.size === 0) {
    return file ? 'The file is empty. It needs a header line and a line per candidate.' : 'Choose a .csv file to import.';
  }
  // Browsers name a CSV's type after whatever program opens it (Excel's is vnd.ms-excel): the name and the bytes decide.
  if (!/\.(csv|txt)$/i.test(file.originalname) || !TEXT_TYPES.has(file.mimetype)) {
    return `"${file.originalname.slice(0, 80)}" is not a .csv file. Save the list as CSV (in Excel: Save As, then CSV) and choose that file.`;
  }
  if (file.buffer.includes(0)) {
    return `"${file.originalname.slice(0, 80)}" is not plain text (a spreadsheet saved as .csv?). Save the list as CSV and try again.`;
  }
  return null;
}

/** Reads one multipart file into memory; a refused upload becomes a message for the page, not an error page (CSRF is checked after). */
export function acceptUpload(req: Request, res: Response, next: NextFunction): void {
  upload(req, res, (err: unknown) => {
    if (err instanceof multer.MulterError) {
      res.locals.uploadError =
        err.code === 'LIMIT_FILE_SIZE'
          ? `The file is larger than ${UPLOAD_LIMIT_BYTES / 1024 / 1024} MB.`
          : 'Send one .csv file with the form.';
      next();
      return;
    }
    next(err);
  });
}
