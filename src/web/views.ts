import path from 'node:path';
import type { Express } from 'express';
import nunjucks from 'nunjucks';

/** Server-rendered views with autoescaping on: every value is HTML-escaped unless a template says otherwise. */
export function configureViews(app: Express, viewsDir = path.resolve(import.meta.dirname, '..', '..', 'views')): void {
  nunjucks.configure(viewsDir, { autoescape: true, express: app, noCache: false, throwOnUndefined: false });
  app.set('view engine', 'njk');
  app.set('views', viewsDir);
}
