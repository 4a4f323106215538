/**
 * Plays the user's browser through a complete LTI 1.3 launch:
 * login initiation → OIDC auth → form_post of the id_token → tool redirects.
 */
import type { Browser, FollowResult } from './browser.js';
import { submitAutoPostForm } from './form.js';
import type { LaunchResult, LaunchTamper } from './types.js';

function toResult(followed: FollowResult): LaunchResult {
  return { status: followed.response.status, url: followed.url, body: followed.body, headers: followed.response.headers };
}

/**
 * Drives the launch that starts at the tool's login initiation URL. When a
 * step does not produce the auto-post form (the tool or the LMS refused), the
 * response of that step is the result, so tests can assert on the refusal.
 */
export async function driveLaunch(browser: Browser, loginUrl: string, tamper?: LaunchTamper): Promise<LaunchResult> {
  const authPage = await browser.follow(loginUrl);
  const form = authPage.response.status === 200 ? submitAutoPostForm(authPage.body) : null;
  if (!form) {
    return toResult(authPage);
  }
  const action = new URL(form.action, authPage.url).toString();
  // Models a browser that blocks third-party cookies inside the LMS iframe.
  if (tamper?.dropStateCookie) {
    browser.clearCookies(action);
  }
  const post = { method: 'POST', form: form.fields };
  const result = toResult(await browser.follow(action, post));
  if (tamper?.replay) {
    result.replay = toResult(await browser.follow(action, post));
  }
  return result;
}
