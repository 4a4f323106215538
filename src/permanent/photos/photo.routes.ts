import type { Response } from 'express';
import { HttpError } from '../../web/http-error.js';
import type { StoredPhoto } from './photo.repository.js';

/** Photos are personal data: kept by the browser only (never a shared cache), and never sniffed into anything else. */
export function sendPhoto(res: Response, photo: StoredPhoto | null): void {
  if (!photo) {
    throw new HttpError(404, 'not_found', 'There is no photo here.');
  }
  res.setHeader('Content-Type', photo.contentType);
  res.setHeader('Cache-Control', 'private, max-age=300');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Disposition', 'inline');
  res.setHeader('ETag', `"${photo.sha256}"`);
  res.send(photo.bytes);
}
