/// <reference lib="dom" />
// The function passed to page.evaluate runs in Chromium, so this file needs the DOM types.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Frame, Page } from 'playwright-core';
import { pagePatternProblems } from './page-patterns.js';

/** The rule sets examgate's pages must meet (DESIGN.md: WCAG 2.1 AA). */
export const WCAG_21_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] as const;

interface AxeNode {
  target: unknown[];
  html: string;
  failureSummary?: string;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: AxeNode[];
}

let axeSource: string | null = null;

/** axe-core's bundled source, read once per process. */
function axeScript(): string {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  return axeSource;
}

/**
 * Runs axe-core with the WCAG 2.1 A and AA rules on the page as it is now. The source goes in
 * through the DevTools protocol (page.evaluate), not a <script> tag, which examgate's CSP would
 * block; the page's own scripts and CSP stay exactly as users get them.
 */
export async function axeViolations(page: Page | Frame): Promise<AxeViolation[]> {
  const hasAxe = await page.evaluate('typeof window.axe === "object"');
  if (!hasAxe) {
    await page.evaluate(axeScript());
  }
  return page.evaluate(
    async (tags) => {
      const axe = (window as unknown as { axe: { run(context: Document, options: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
      const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })),
      }));
    },
    [...WCAG_21_AA_TAGS],
  );
}

/** One violation as a developer reads it: what rule, how bad, what to do, and where. */
export function describeViolations(violations: AxeViolation[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes.map((n) => `    at ${n.target.map(String).join(' ')}\n      ${n.html.replace(/\s+/g, ' ').slice(0, 300)}`);
      return [`  ${v.id} (${v.impact ?? 'unknown impact'}): ${v.help}\n    ${v.helpUrl}`, ...nodes].join('\n');
    })
    .join('\n');
}

/**
 * Asserts the page has no WCAG 2.1 A/AA violation axe-core can find and follows the house
 * patterns it cannot (skip link, focus indicator: see page-patterns.ts). The error message lists
 * each rule with its impact, advice and the failing elements' selectors and HTML.
 *
 * A frame (examgate inside a course page) is checked as the document it is.
 *
 * @example await expectAccessible(page, 'candidates page')
 */
export async function expectAccessible(page: Page | Frame, what: string): Promise<void> {
  const violations = await axeViolations(page);
  const patterns = await pagePatternProblems(page);
  if (violations.length || patterns.length) {
    const found = [
      violations.length ? `${violations.length} axe-core violation(s):\n${describeViolations(violations)}` : '',
      patterns.length ? `${patterns.length} house-pattern problem(s):\n${patterns.map((p) => `  ${p}`).join('\n')}` : '',
    ];
    throw new Error(`${what} (${page.url()}) is not accessible:\n${found.filter(Boolean).join('\n')}`);
  }
}
