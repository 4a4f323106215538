import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { MachineInfo } from './machine.js';

/** One DESIGN.md target and whether this run met it. `met: null` = not measured in this run. */
export interface TargetCheck {
  figure: string;
  target: string;
  measured: string;
  met: boolean | null;
}

export interface Table {
  caption?: string;
  columns: string[];
  rows: string[][];
}

/** What one section of the bench adds to BENCHMARKS.md. */
export interface SectionReport {
  title: string;
  /** Markdown paragraphs under the title: what was measured and how. */
  method: string[];
  tables: Table[];
  targets: TargetCheck[];
  /** Markdown bullet points after the tables: caveats, things seen during the run. */
  notes: string[];
}

const HEADER = 'header';

function markers(id: string): [string, string] {
  return [`<!-- bench:${id} -->`, `<!-- /bench:${id} -->`];
}

function renderTable(table: Table): string[] {
  const lines = table.caption ? [`**${table.caption}**`, ''] : [];
  lines.push(`| ${table.columns.join(' | ')} |`, `|${table.columns.map(() => '---').join('|')}|`);
  for (const row of table.rows) {
    lines.push(`| ${row.join(' | ')} |`);
  }
  return [...lines, ''];
}

function metText(met: boolean | null): string {
  return met === null ? 'not measured' : met ? '**met**' : '**not met**';
}

/** Markdown for one section, wrapped in its markers so a later run can replace just it. */
export function renderSection(id: string, report: SectionReport, measuredOn: string): string {
  const [open, close] = markers(id);
  const lines = [open, `## ${report.title}`, '', `_Measured ${measuredOn}._`, ''];
  for (const paragraph of report.method) {
    lines.push(paragraph, '');
  }
  for (const table of report.tables) {
    lines.push(...renderTable(table));
  }
  if (report.targets.length > 0) {
    lines.push(
      ...renderTable({
        caption: 'Targets (DESIGN.md, Performance)',
        columns: ['figure', 'target', 'measured', 'verdict'],
        rows: report.targets.map((t) => [t.figure, t.target, t.measured, metText(t.met)]),
      }),
    );
  }
  for (const note of report.notes) {
    lines.push(`- ${note}`);
  }
  if (report.notes.length > 0) {
    lines.push('');
  }
  lines.push(close);
  return lines.join('\n');
}

export function renderHeader(machine: MachineInfo): string {
  const [open, close] = markers(HEADER);
  return [
    open,
    `Last run: ${machine.date}, commit ${machine.commit}, on ${machine.cpuModel} (${machine.cores} cores), ${machine.memoryGiB} GiB memory, ` +
      `${machine.platform}, Node.js ${machine.node}${machine.postgres ? `, ${machine.postgres}` : ''}.`,
    close,
  ].join('\n');
}

const PREAMBLE = [
  '# examgate benchmarks',
  '',
  'Written by `npm run bench` (`bench/run.ts`; `npm run bench -- --quick` for a short run that does not',
  'write this file unless `--write` is given; `--only <section>` reruns one section and keeps the others).',
  'Each section records the machine and date it was measured on; the targets come from',
  '`../shared/DESIGN.md` (Performance). Text between the `bench:` markers is replaced by the next run.',
  '',
].join('\n');

function replaceBlock(text: string, id: string, block: string): string {
  const [open, close] = markers(id);
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  if (start === -1 || end === -1 || end < start) {
    return `${text.trimEnd()}\n\n${block}\n`;
  }
  return `${text.slice(0, start)}${block}${text.slice(end + close.length)}`;
}

/** Replaces the header and the given sections in BENCHMARKS.md, keeping every other section as it was. */
export function updateReportFile(file: string, machine: MachineInfo, sections: Array<{ id: string; markdown: string }>): void {
  let text = existsSync(file) ? readFileSync(file, 'utf8') : PREAMBLE;
  text = replaceBlock(text, HEADER, renderHeader(machine));
  for (const section of sections) {
    text = replaceBlock(text, `section:${section.id}`, section.markdown);
  }
  writeFileSync(file, text.endsWith('\n') ? text : `${text}\n`);
}

/** Section ids live in their own marker namespace; callers pass the bare id. */
export function sectionMarkdown(id: string, report: SectionReport, measuredOn: string): string {
  return renderSection(`section:${id}`, report, measuredOn);
}
