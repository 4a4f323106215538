import type { Request, Response } from 'express';
import { HttpError } from '../../web/http-error.js';
import { photoVersion } from './candidate-photos.service.js';
import type { StoredPhoto } from './photo.repository.js';

/** A browser may keep a photo whose address names its very hash (a new photo gets a new address) for a day. */
const VERSIONED_MAX_AGE = 24 * 60 * 60;
/** Any other address is looked at again after 5 minutes (a 304 from the ETag, when unchanged). */
const MAX_AGE = 300;

const tagOf = (sha256: string) => `"${sha256}"`;

function cacheHeaders(req: Request, res: Response, sha256: string): void {
  const versioned = req.query.v === photoVersion(sha256);
  // Photos are personal data: kept by the browser only, never by a shared cache.
  res.setHeader('Cache-Control', `private, max-age=${versioned ? VERSIONED_MAX_AGE : MAX_AGE}`);
  res.setHeader('ETag', tagOf(sha256));
}

/** A photo's bytes, never sniffed into anything else (404 when there is none). */
export function sendPhoto(req: Request, res: Response, photo: StoredPhoto | null): void {
  if (!photo) {
    throw new HttpError(404, 'not_found', 'There is no photo here.');
  }
  res.setHeader('Content-Type', photo.contentType);
  cacheHeaders(req, res, photo.sha256);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Disposition', 'inline');
  // express answers 304 itself when the request's If-None-Match holds this ETag.
  res.send(photo.bytes);
}

/**
 * A photo read in two steps when the browser has a copy: its hash alone first, and a 304 when
 * that is the copy's ETag (no bytes read); otherwise the whole photo, as sendPhoto.
 */
export async function answerPhoto(
  req: Request,
  res: Response,
  reads: { sha(): Promise<string | null>; photo(): Promise<StoredPhoto | null> },
): Promise<void> {
  const held = req.headers['if-none-match'];
  if (held) {
    const sha = await reads.sha();
    if (sha && held.split(',').some((tag) => tag.trim().replace(/^W\//, '') === tagOf(sha))) {
      cacheHeaders(req, res, sha);
      res.status(304).end();
      return;
    }
  }
  sendPhoto(req, res, await reads.photo());
}
