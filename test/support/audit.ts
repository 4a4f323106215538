import { QueryTypes } from 'sequelize';
import type { TestWorld } from './examgate-under-test.js';

/** An audit row as stored, with its changes parsed. */
export interface StoredAuditEntry {
  seq: number;
  actor_kind: string;
  actor_platform_id: string | null;
  actor_sub: string | null;
  actor_name: string | null;
  actor_ref: string | null;
  via: string;
  entity_type: string;
  entity_id: string;
  action: string;
  label: string | null;
  platform_id: string | null;
  exam_id: string | null;
  changes: Record<string, { from: unknown; to: unknown }>;
  raw: string;
}

/** The audit rows matching `where` (a SQL condition over audit_entries), oldest first. */
export async function auditRows(world: TestWorld, where: string, replacements: Record<string, unknown> = {}): Promise<StoredAuditEntry[]> {
  const rows = await world.examgate.sequelize.query<Omit<StoredAuditEntry, 'raw'> & { changes: string }>(
    `SELECT * FROM audit_entries WHERE ${where} ORDER BY seq`,
    { replacements, type: QueryTypes.SELECT },
  );
  return rows.map((row) => ({ ...row, changes: JSON.parse(row.changes) as StoredAuditEntry['changes'], raw: JSON.stringify(row) }));
}

export const auditOfExam = (world: TestWorld, examId: string) => auditRows(world, 'exam_id = :examId', { examId });

/** Splits a CSV body (RFC 4180, CRLF) into rows of cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (ch === '"') {
        quoted = false;
      } else {
        cell += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 1;
    } else {
      cell += ch;
    }
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
