/// <reference lib="dom" />
// The functions passed to page.evaluate run in Chromium, so this file needs the DOM types.
import type { Frame, Page } from 'playwright-core';

/** STYLE.md "Pages": a focus indicator of at least 3:1 against the background it is drawn on. */
export const MIN_FOCUS_CONTRAST = 3;

/**
 * The house patterns axe-core does not check, as a list of problems (empty when the page is fine):
 * the first focusable element is a skip link to <main id="main">, and every focusable element
 * shows a solid focus outline of 2px or more with at least 3:1 contrast against what surrounds it;
 * the page links its favicon, its title names no part twice, and no table cell breaks a word across lines.
 */
export async function pagePatternProblems(page: Page | Frame): Promise<string[]> {
  // One real key press puts Chromium in keyboard mode, so focus() below shows :focus-visible as Tab would.
  await ('keyboard' in page ? page : page.page()).keyboard.press('Tab');
  // tsx (esbuild keepNames) wraps named functions in __name(); the page has no such helper.
  await page.evaluate('globalThis.__name ??= (fn) => fn');
  return page.evaluate((minContrast) => {
    const problems: string[] = [];
    const snippet = (el: Element) => el.outerHTML.replace(/\s+/g, ' ').slice(0, 160);
    const channels = (color: string): number[] | null => {
      const parts = /rgba?\(([^)]+)\)/
        .exec(color)?.[1]
        ?.split(/[\s,/]+/)
        .filter(Boolean)
        .map(Number);
      return parts && parts.length >= 3 ? parts : null;
    };
    // WCAG 2.1 relative luminance and contrast ratio.
    const luminance = ([r, g, b]: number[]) =>
      [r!, g!, b!]
        .map((c) => c / 255)
        .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
        .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i]!, 0);
    const contrast = (a: number[], b: number[]) => {
      const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
      return (hi! + 0.05) / (lo! + 0.05);
    };
    /** The outline is drawn outside the element (outline-offset), so on its parent's background. */
    const backgroundAround = (el: Element): number[] => {
      for (let node = el.parentElement; node; node = node.parentElement) {
        const color = channels(getComputedStyle(node).backgroundColor);
        if (color && (color[3] ?? 1) > 0) {
          return color;
        }
      }
      return [255, 255, 255];
    };

    const focusable = Array.from(
      document.querySelectorAll<HTMLElement>('a[href], button, input:not([type="hidden"]), select, textarea, summary, [tabindex]'),
    ).filter((el) => el.tabIndex >= 0 && !el.matches(':disabled') && el.getClientRects().length > 0);
    const first = focusable[0];
    const main = document.getElementById('main');
    if (!first || !first.matches('a[href="#main"]') || main?.tagName !== 'MAIN') {
      problems.push(`the first focusable element must be a skip link to <main id="main">; it is ${first ? snippet(first) : 'missing'}`);
    }
    for (const el of focusable) {
      el.focus();
      const style = getComputedStyle(el);
      const outline = channels(style.outlineColor);
      const width = parseFloat(style.outlineWidth);
      if (style.outlineStyle === 'none' || !outline || width < 2) {
        problems.push(`no visible focus outline (${style.outlineStyle} ${style.outlineWidth}) on ${snippet(el)}`);
        continue;
      }
      const ratio = contrast(outline, backgroundAround(el));
      if (ratio < minContrast) {
        problems.push(
          `focus outline ${style.outlineColor} is ${ratio.toFixed(2)}:1 against its background (needs ${minContrast}:1) on ${snippet(el)}`,
        );
      }
    }
    (document.activeElement as HTMLElement | null)?.blur();

    if (!document.querySelector('link[rel~="icon"]')) {
      problems.push('no <link rel="icon">: the favicon is served at /favicon.ico, link it');
    }
    const titleParts = document.title.split(' · ').map((part) => part.trim().toLowerCase());
    if (new Set(titleParts).size !== titleParts.length) {
      problems.push(`the title repeats itself: "${document.title}"`);
    }
    // Tables lay out on whole words: a word whose letters land on two lines was broken ("Sourc/e"); hyphens and slashes may end a line.
    for (const cell of Array.from(document.querySelectorAll('th, td'))) {
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        for (const match of text.matchAll(/[^\s\-–—/]+/g)) {
          const range = document.createRange();
          range.setStart(node, match.index);
          range.setEnd(node, match.index + match[0].length);
          const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
          if (tops.size > 1) {
            problems.push(`the word "${match[0]}" breaks across lines in ${snippet(cell)}`);
          }
        }
      }
    }
    return problems;
  }, MIN_FOCUS_CONTRAST);
}
