import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { LaunchRequest, SimulatedLms } from '../../../src/lms-sim/index.js';

/** Debian's Chromium (.ci/run installs it); playwright-core only drives it. */
export const CHROMIUM = '/usr/bin/chromium';

/** Flags for a quiet, headless Chromium in CI (no sandbox: the tests run as root in a container). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** One headless Chromium; a test file starts one and opens a fresh context (own cookies) per person. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * Runs `action` (a navigation or a click) as a browser without JavaScript would, then turns
 * scripts back on for the checks. Pages that submit themselves on load (the hand-off, the
 * deep-linking return, the LMS's form_post) stay on screen with their fallback button.
 */
export async function withScriptsOff(page: Page, action: () => Promise<unknown>): Promise<void> {
  const devtools = await page.context().newCDPSession(page);
  await devtools.send('Emulation.setScriptExecutionDisabled', { value: true });
  try {
    await action();
    await page.waitForLoadState('load');
  } finally {
    await devtools.send('Emulation.setScriptExecutionDisabled', { value: false });
    await devtools.detach();
  }
}

/**
 * A real LTI launch in the browser: the LMS sends it to examgate's login initiation URL, its
 * auth endpoint posts the id_token back, and examgate answers. Resolves once the browser has
 * left the login initiation (on the landing page, or a refusal).
 */
export async function launchInBrowser(page: Page, lms: SimulatedLms, examgateUrl: string, request: LaunchRequest): Promise<void> {
  const examgate = new URL(examgateUrl).origin;
  await page.goto(lms.loginInitiationUrl(request));
  await page.waitForURL((url) => url.origin === examgate && url.pathname !== '/lti/login', { waitUntil: 'load' });
}
