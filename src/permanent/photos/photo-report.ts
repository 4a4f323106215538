import { usernameKey } from '../../access/username-rules.js';
import type { AttachmentReport, ImportPlan } from '../../imports/import-kind.js';
import type { BulkRow } from '../bulk/bulk-row.schema.js';
import { CSV_TYPE, type StagedPhotoMeta } from './photo.repository.js';

type Outcome = 'stored' | 'unchanged' | 'not stored' | 'extra' | 'refused' | 'read';

/**
 * What becomes of each file of a ZIP upload, from the plan: a photo is stored with the user its
 * row adds or updates; unchanged when that user has the very same photo; not stored when its row
 * is skipped, deletes the user or is rejected; extra when no row has its username (not fatal);
 * refused for what reading the ZIP refused. Users of the file without a photo are counted.
 */
export function photoReport(
  staged: readonly StagedPhotoMeta[],
  rows: ReadonlyArray<{ line: number; row: BulkRow }>,
  plan: ImportPlan<BulkRow>,
): AttachmentReport {
  const lineOf = new Map<string, number>();
  for (const { line, row } of rows) {
    if (!lineOf.has(usernameKey(row.username))) {
      lineOf.set(usernameKey(row.username), line);
    }
  }
  const plannedAt = new Map(plan.planned.map((p) => [p.line, p]));
  const withPhoto = new Set<string>();
  const counts: Record<Outcome, number> = { stored: 0, unchanged: 0, 'not stored': 0, extra: 0, refused: 0, read: 0 };

  const entries = staged.map((s) => {
    const say = (outcome: Outcome, reason: string) => {
      counts[outcome] += 1;
      return { name: s.entry, outcome, reason };
    };
    if (s.contentType === CSV_TYPE) {
      return say('read', 'the users’ CSV');
    }
    if (s.refused !== null || s.usernameKey === null) {
      return say('refused', s.refused ?? 'not a photo');
    }
    const line = lineOf.get(s.usernameKey);
    if (line === undefined) {
      return say('extra', 'no accepted row of the file has this username: not stored');
    }
    withPhoto.add(s.usernameKey);
    const planned = plannedAt.get(line);
    if (!planned) {
      return say('not stored', `its row (line ${line}) is rejected`);
    }
    if (planned.plan !== 'skip' && planned.row.photo?.entry === s.entry) {
      return say('stored', `for ${planned.row.username} (line ${line}, ${planned.plan === 'add' ? 'added' : 'updated'})`);
    }
    if (planned.row.deleted === true) {
      return say('not stored', `its row (line ${line}) deletes the user`);
    }
    if (planned.plan === 'skip' && planned.row.photo?.entry === s.entry) {
      return say('not stored', `its row (line ${line}) is skipped: ${planned.note ?? ''}`);
    }
    return say('unchanged', `${planned.row.username} has this very photo already`);
  });
  const without = [...lineOf.keys()].filter((key) => !withPhoto.has(key)).length;
  return {
    heading: 'Photos',
    counts: [
      { label: 'Photos to store', value: counts.stored },
      { label: 'Photos unchanged (stored already)', value: counts.unchanged },
      { label: 'Photos not stored (their row is skipped or rejected)', value: counts['not stored'] },
      { label: 'Extra photos (no such username in the file)', value: counts.extra },
      { label: 'Files refused', value: counts.refused },
      { label: 'Users in the file without a photo', value: without },
    ],
    entries,
  };
}
