import type { Express } from 'express';
import nunjucks from 'nunjucks';
import { VIEWS_DIR } from '../paths.js';

/** Server-rendered views with autoescaping on: every value is HTML-escaped unless a template says otherwise. */
export function configureViews(app: Express, viewsDir = VIEWS_DIR): void {
  nunjucks.configure(viewsDir, { autoescape: true, express: app, noCache: false, throwOnUndefined: false });
  app.set('view engine', 'njk');
  app.set('views', viewsDir);
}
