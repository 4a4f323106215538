import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
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

let shared: Promise<Browser> | null = null;

/**
 * The run's headless Chromium, for a test file that opens a fresh context (own cookies, own
 * storage) per person. Chromium starts once per run, not once per file (a context costs
 * milliseconds, a launch a second or more); what a file gets is a handle whose `close()` closes
 * the contexts the file opened, so files stay apart. The root hook (test/support/hooks.ts)
 * closes Chromium itself after the last file.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  }
  let browser = await (shared ??= chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }));
  if (!browser.isConnected()) {
    // An earlier file crashed it: start another.
    shared = chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    browser = await shared;
  }
  return handleOf(browser);
}

/** Closes the run's Chromium, if a file started it. */
export async function closeSharedChromium(): Promise<void> {
  const browser = shared;
  shared = null;
  await (await browser?.catch(() => null))?.close();
}

/** The shared browser as one file sees it: the contexts it opens (newPage opens one too) close with its close(). */
function handleOf(browser: Browser): Browser {
  const opened = new Set<BrowserContext>();
  const track = <T extends BrowserContext | Page>(made: T): T => {
    const context = 'context' in made && typeof made.context === 'function' ? made.context() : (made as BrowserContext);
    opened.add(context);
    context.once('close', () => opened.delete(context));
    return made;
  };
  const own = {
    newContext: async (...args: Parameters<Browser['newContext']>) => track(await browser.newContext(...args)),
    newPage: async (...args: Parameters<Browser['newPage']>) => track(await browser.newPage(...args)),
    contexts: () => [...opened],
    close: async () => {
      await Promise.all([...opened].map((context) => context.close()));
    },
  };
  return new Proxy(browser, {
    get(target, property) {
      if (Object.hasOwn(own, property)) {
        return own[property as keyof typeof own];
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
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
