import type { RequestHandler, Response } from 'express';
import type { AuditBy } from '../audit/audit.js';
import type { ListViewer } from './list.js';

export interface Crumb {
  href?: string;
  text: string;
}

/**
 * Where the list pages are mounted and who is looking: the instructor's area (/app/lists, a
 * launch session) or the institution admin area (/institution/lists). The pages are the same;
 * the area says how to find the viewer, their CSRF token and the crumbs above "Lists".
 */
export interface ListArea {
  base: string;
  /** Middleware every page runs first: the session, its checks, and res.locals for the views. */
  guard: RequestHandler[];
  csrf: RequestHandler;
  viewerOf(res: Response): ListViewer;
  byOf(res: Response): AuditBy;
  csrfOf(res: Response): string;
  root: Crumb[];
  /** Locals the area's layout needs (the institution navigation). */
  locals(res: Response): Record<string, unknown>;
}

/** Repeated form fields (`users=…&users=…`) as a list of strings, at most `max`. */
export function repeated(body: unknown, name: string, max = 2000): string[] {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v): v is string => typeof v === 'string' && v.length > 0 && v.length <= 255).slice(0, max);
}

export const LISTS_DONE = {
  created: 'List created. Add permanent users to it with “Add members”.',
  renamed: 'List renamed.',
  deleted: 'List deleted. Its users, and candidates it added to tests, are kept.',
  'members-added': 'Members added to the list.',
  'members-none': 'Everyone chosen was on the list already: nothing changed.',
  'members-removed': 'Members taken off the list. They stay permanent users, and stay candidates of tests they were added to.',
  shared: 'Sharing saved. Colleagues it is shared with can add the list to their tests, but not change it.',
} as const;
