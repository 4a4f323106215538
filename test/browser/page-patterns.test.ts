import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { expectAccessible } from './support/axe.js';
import { launchChromium } from './support/chromium.js';

/** Rejects with expectAccessible's message, or fails when it passes. */
async function failureOf(page: Page, what: string): Promise<string> {
  try {
    await expectAccessible(page, what);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`expectAccessible passed ${what}`);
}

describe('the accessibility helper and the page patterns it checks (Chromium)', function () {
  this.timeout(60_000);
  let world: TestWorld;
  let chromium: Browser;
  let page: Page;

  before(async () => {
    world = await startWorld();
    chromium = await launchChromium();
    page = await (await chromium.newContext()).newPage();
    page.setDefaultTimeout(10_000);
  });
  after(() => chromium?.close());

  it('when a page breaks WCAG rules, then the message names each rule, its impact, advice, the selector and the HTML', async () => {
    await page.setContent(
      '<!doctype html><html><head><title>Broken</title></head><body><main id="main"><img src="chart.png">' +
        '<p style="color:#bbb;background:#fff">Faint text</p></main></body></html>',
    );
    const message = await failureOf(page, 'broken page');
    expect(message).to.contain('broken page');
    expect(message).to.match(/html-has-lang \(serious\): <html> element must have a lang attribute/);
    expect(message).to.match(/image-alt \(critical\): Images must have alternative text/);
    expect(message).to.contain('at img').and.contain('<img src="chart.png">');
    expect(message).to.contain('color-contrast (serious)').and.contain('Faint text');
    expect(message).to.contain('https://dequeuniversity.com/rules/axe/');
  });

  it('when a page has no skip link and a faint focus ring, then the message says which element and by how much', async () => {
    await page.setContent(
      '<!doctype html><html lang="en"><head><title>Amber</title><style>button:focus-visible { outline: 3px solid #f9ab00; }</style></head>' +
        '<body><main id="main"><h1>Amber</h1><button type="button">Go</button></main></body></html>',
    );
    const message = await failureOf(page, 'amber page');
    expect(message).to.contain(
      'the first focusable element must be a skip link to <main id="main">; it is <button type="button">Go</button>',
    );
    expect(message).to.contain(
      'focus outline rgb(249, 171, 0) is 1.93:1 against its background (needs 3:1) on <button type="button">Go</button>',
    );
  });

  it('when a page has no favicon, a title that repeats itself and a table cell that splits a word, then the message says each', async () => {
    await page.setContent(
      '<!doctype html><html lang="en"><head><title>Biology · Biology · examgate</title></head><body>' +
        '<a href="#main">Skip to main content</a><main id="main"><h1>Table</h1><table style="width:3rem"><tr>' +
        '<th style="word-break:break-all">Source</th></tr></table></main></body></html>',
    );
    const message = await failureOf(page, 'unfinished page');
    expect(message).to.contain('no <link rel="icon">');
    expect(message).to.contain('the title repeats itself: "Biology · Biology · examgate"');
    expect(message).to.contain('the word "Source" breaks across lines in <th');
  });

  it('when a keyboard user presses Tab on an examgate page, then the skip link shows first and Enter moves focus to main', async () => {
    await page.goto(`${world.url}/admin`);
    const skipLink = page.getByRole('link', { name: 'Skip to main content' });
    expect(await skipLink.isVisible(), 'off screen until focused, but still rendered').to.equal(true);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).to.equal('Skip to main content');
    const box = await skipLink.boundingBox();
    expect(box && box.y >= 0, 'on screen while focused').to.equal(true);
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('main');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id), 'the next Tab goes into the page').to.equal('token');
  });
});
