import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RequestHandler } from 'express';
import { PUBLIC_DIR } from '../paths.js';

/** Where browsers look for a site's icon unless a page names another: every top-level page asks for it. */
export const FAVICON_PATH = '/favicon.ico';

/** examgate's icon (public/favicon.ico), read once; browsers may keep it a day. */
export function favicon(file = path.join(PUBLIC_DIR, 'favicon.ico')): RequestHandler {
  const icon = readFileSync(file);
  return (_req, res) => {
    res.set({ 'content-type': 'image/x-icon', 'cache-control': 'public, max-age=86400' }).send(icon);
  };
}
