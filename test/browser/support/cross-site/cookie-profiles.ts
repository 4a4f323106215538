import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../chromium.js';

/**
 * What a browser lets a tool embedded in the LMS's page keep, set through Chromium's profile
 * preferences (written before launch):
 * - third-party-cookies-allowed: SameSite=None; Secure cookies stick in the frame (an older Chrome);
 * - third-party-cookies-blocked: only Partitioned (CHIPS) cookies stick in the frame (today's
 *   default; Chrome's incognito windows; a fresh headless Chromium);
 * - no-cookies-in-frame: the tool gets no cookie at all while embedded under the LMS, only as a
 *   top-level tab (a browser without partitioned cookies, such as an older Safari).
 */
export type CookieProfile = 'third-party-cookies-allowed' | 'third-party-cookies-blocked' | 'no-cookies-in-frame';

export const COOKIE_PROFILES: readonly CookieProfile[] = [
  'third-party-cookies-allowed',
  'third-party-cookies-blocked',
  'no-cookies-in-frame',
];

/** "tool.examgate.test" → "examgate.test": the site, as cookie rules name it. */
function siteOf(hostname: string): string {
  return hostname.split('.').slice(-2).join('.');
}

/** The Preferences file of a fresh profile, or null for Chromium's defaults. */
export function profilePreferences(profile: CookieProfile, toolHost: string, lmsHosts: string[]): object | null {
  if (profile === 'third-party-cookies-allowed') {
    return { profile: { cookie_controls_mode: 0 } };
  }
  if (profile === 'third-party-cookies-blocked') {
    return null;
  }
  // A content-settings exception "block cookies of the tool's site while the top-level site is the LMS's".
  const exceptions = Object.fromEntries(
    [...new Set(lmsHosts.map(siteOf))].map((lms) => [`[*.]${siteOf(toolHost)},[*.]${lms}`, { setting: 2 }]),
  );
  return { profile: { content_settings: { exceptions: { cookies: exceptions } } } };
}

export interface CrossSiteBrowserOptions {
  /** A fresh directory for the profile. */
  userDataDir: string;
  toolHost: string;
  lmsHosts: string[];
  /** The server certificate's SPKI hash (certificates.ts): Chromium accepts it without a CA in its store. */
  spkiSha256: string;
}

/** A headless Chromium with `profile`'s cookie rules, every .test name mapped to 127.0.0.1 and the test certificate accepted. */
export async function launchCrossSiteChromium(profile: CookieProfile, options: CrossSiteBrowserOptions): Promise<BrowserContext> {
  const preferences = profilePreferences(profile, options.toolHost, options.lmsHosts);
  if (preferences) {
    mkdirSync(path.join(options.userDataDir, 'Default'), { recursive: true });
    writeFileSync(path.join(options.userDataDir, 'Default', 'Preferences'), JSON.stringify(preferences));
  }
  return chromium.launchPersistentContext(options.userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP *.test 127.0.0.1', `--ignore-certificate-errors-spki-list=${options.spkiSha256}`],
  });
}
