import type { AuditEntityType } from './audit.js';
import type { AuditFilter } from './audit.repository.js';

/** One choice of a History page's "Show" select: what it is called and which entity types it reads. */
export interface EntityChoice {
  label: string;
  /** Absent: every entity type (the platform wall, if any, still holds). */
  types?: AuditEntityType[];
}

/** The choices of a page, keyed by the query value; '' is the default. */
export type EntityChoices = Record<string, EntityChoice> & { '': EntityChoice };

/** The chosen `entity` (the query's value as sent), '' when absent or not one of `choices` (never an error: it is a filter). */
export function entityOf(entity: unknown, choices: EntityChoices): string {
  return typeof entity === 'string' && Object.hasOwn(choices, entity) ? entity : '';
}

/** The filter for a chosen entity, within `platformId` when one is given. */
export function auditFilterFor(choices: EntityChoices, entity: string, platformId?: string): AuditFilter {
  const types = (choices[entity] ?? choices['']).types;
  return { ...(types ? { entityTypes: types } : {}), ...(platformId ? { platformId } : {}) };
}

/** The select's options, in the order the choices were written. */
export function entityOptions(choices: EntityChoices): { value: string; label: string }[] {
  return Object.entries(choices).map(([value, { label }]) => ({ value, label }));
}
