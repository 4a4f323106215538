import jwt from 'jsonwebtoken';
import { submitAutoPostForm, type Browser, type LaunchRequest, type LaunchResult } from '../../src/lms-sim/index.js';
import type { TestWorld } from './examgate-under-test.js';

/** A login the LMS has answered: the form_post it would make (id_token and state) and where to. */
export interface AnsweredLogin {
  action: string;
  fields: Record<string, string>;
  /** The nonce the LMS put in the id_token. */
  nonce: string;
}

/** Login initiation and the LMS's authorization answer, stopping before the browser posts the id_token. */
export async function startLogin(world: TestWorld, browser: Browser, request: LaunchRequest): Promise<AnsweredLogin> {
  const authPage = await browser.follow(world.lms.loginInitiationUrl(request));
  const form = submitAutoPostForm(authPage.body);
  if (!form) {
    throw new Error(`the LMS answered no form_post page (${authPage.response.status}): ${authPage.body}`);
  }
  const payload = jwt.decode(form.fields.id_token ?? '');
  const nonce = payload && typeof payload === 'object' ? String(payload.nonce) : '';
  return { action: new URL(form.action, authPage.url).toString(), fields: form.fields, nonce };
}

/** Posts a launch form as the browser would, optionally with other fields. */
export async function postLaunch(browser: Browser, login: AnsweredLogin, fields: Record<string, string> = {}): Promise<LaunchResult> {
  const followed = await browser.follow(login.action, { method: 'POST', form: { ...login.fields, ...fields } });
  return { status: followed.response.status, url: followed.url, body: followed.body, headers: followed.response.headers };
}
