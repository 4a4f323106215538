import { usernameKey } from '../../access/username-rules.js';
import type { AttachmentReport, ImportPlan, PlannedRow } from '../../imports/import-kind.js';
import type { BulkRow } from '../bulk/bulk-row.schema.js';
import { CSV_TYPE, type StagedPhotoMeta } from './photo.repository.js';

type Outcome = 'stored' | 'unchanged' | 'not stored' | 'extra' | 'refused' | 'read';

/** What the report needs of the row a staged photo belongs to: its line, and what the plan made of it (null: rejected). */
interface PhotoRow {
  line: number;
  planned: PlannedRow<BulkRow> | null;
}

/**
 * What becomes of each file of a ZIP upload, from the plan, told part by part as the file is
 * planned (`add`) and reported once it all is (`report`): a photo is stored with the user its
 * row adds or updates; unchanged when that user has the very same photo; not stored when its
 * row is skipped, deletes the user or is rejected; extra when no row has its username (not
 * fatal); refused for what reading the ZIP refused. Users of the file without a photo are counted.
 */
export class PhotoTally {
  /** Username keys some staged photo is for: only their rows are kept. */
  private readonly wanted: Set<string>;
  private readonly rowOf = new Map<string, PhotoRow>();
  private accepted = 0;

  constructor(private readonly staged: readonly StagedPhotoMeta[]) {
    this.wanted = new Set(
      staged.flatMap((s) => (s.contentType !== CSV_TYPE && s.refused === null && s.usernameKey !== null ? [s.usernameKey] : [])),
    );
  }

  /** One part's rows (as the reader accepted them) and their plan. */
  add(rows: ReadonlyArray<{ line: number; row: BulkRow }>, plan: Pick<ImportPlan<BulkRow>, 'planned'>): void {
    // The reader accepts each username key once (the schema's unique key), so the accepted rows are the file's users.
    this.accepted += rows.length;
    const plannedAt = new Map(plan.planned.map((p) => [p.line, p]));
    for (const { line, row } of rows) {
      const key = usernameKey(row.username);
      if (this.wanted.has(key) && !this.rowOf.has(key)) {
        this.rowOf.set(key, { line, planned: plannedAt.get(line) ?? null });
      }
    }
  }

  report(): AttachmentReport {
    const withPhoto = new Set<string>();
    const counts: Record<Outcome, number> = { stored: 0, unchanged: 0, 'not stored': 0, extra: 0, refused: 0, read: 0 };
    const entries = this.staged.map((s) => {
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
      const found = this.rowOf.get(s.usernameKey);
      if (found === undefined) {
        return say('extra', 'no accepted row of the file has this username: not stored');
      }
      withPhoto.add(s.usernameKey);
      const { line, planned } = found;
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
    return {
      heading: 'Photos',
      counts: [
        { label: 'Photos to store', value: counts.stored },
        { label: 'Photos unchanged (stored already)', value: counts.unchanged },
        { label: 'Photos not stored (their row is skipped or rejected)', value: counts['not stored'] },
        { label: 'Extra photos (no such username in the file)', value: counts.extra },
        { label: 'Files refused', value: counts.refused },
        { label: 'Users in the file without a photo', value: this.accepted - withPhoto.size },
      ],
      entries,
    };
  }
}
