import path from 'node:path';
import nunjucks from 'nunjucks';

export interface Views {
  render(name: string, context: object): string;
}

/**
 * The engine's own nunjucks environment (never `nunjucks.configure`, which is global and
 * would change examgate's views when both run in one process), with autoescaping on.
 */
export function createViews(viewsDir = path.join(import.meta.dirname, 'views')): Views {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(viewsDir), { autoescape: true, throwOnUndefined: false });
  return { render: (name, context) => env.render(name, context) };
}
