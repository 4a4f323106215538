import request from 'supertest';
import type { SimulatedLms } from '../../src/lms-sim/index.js';
import type { PermanentUserInput } from '../../src/permanent/permanent-user-input.js';
import type { TestWorld } from './examgate-under-test.js';
import { TEST_SETUP } from './examgate-under-test.js';

/** The examgate platform id of a simulated LMS of the world. */
export async function platformIdOf(world: TestWorld, lms: SimulatedLms = world.lms): Promise<string> {
  const platform = (await world.examgate.platforms.list()).find((p) => p.issuer === lms.issuer && p.clientId === lms.clientId);
  if (!platform) {
    throw new Error(`no platform for ${lms.issuer}`);
  }
  return platform.id;
}

export const ADMIN_PASSWORD = 'Admin-Passw0rd';

/** An admin account of the platform, made through the service (as the CLI does). */
export async function adminAccount(world: TestWorld, platformId: string, username = 'exam-office') {
  const { account } = await world.examgate.adminAccounts.create(platformId, username, ADMIN_PASSWORD, TEST_SETUP);
  return account;
}

/** Signs in at /institution/sign-in; the cookie for later requests (empty when refused) and the response. */
export async function institutionSignIn(world: TestWorld, username: string, password = ADMIN_PASSWORD, code = '') {
  const response = await request(world.url)
    .post('/institution/sign-in')
    .set('origin', world.url)
    .type('form')
    .send({ username, password, code });
  const cookie = ([] as string[])
    .concat(response.headers['set-cookie'] ?? [])
    .find((c) => c.startsWith('examgate_institution='))
    ?.split(';')[0];
  return { response, cookie: cookie ?? '' };
}

export function csrfIn(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) {
    throw new Error(`the page carries no CSRF token: ${html.slice(0, 300)}`);
  }
  return token;
}

/** A signed-in admin's requests: GET, and POST with the CSRF token of a page. */
export function asAdmin(world: TestWorld, cookie: string) {
  return {
    get: (path: string) => request(world.url).get(path).set('cookie', cookie).set('accept', 'text/html'),
    post: async (path: string, form: Record<string, string> = {}, formPage = '/institution/users') => {
      const page = await request(world.url).get(formPage).set('cookie', cookie);
      return request(world.url)
        .post(path)
        .set('cookie', cookie)
        .type('form')
        .send({ _csrf: csrfIn(page.text), ...form });
    },
  };
}

export function userInput(username: string, details: PermanentUserInput['details'] = {}): PermanentUserInput {
  return { username, details: { firstName: 'Anna', lastName: 'Berg', email: `${username}@uni.example`, ...details } };
}
