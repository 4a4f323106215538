import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { ROLE_LEARNER, submitAutoPostForm } from '../../src/lms-sim/index.js';
import { newBrowser, resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';

const attribute = (html: string, name: string): string => {
  const match = new RegExp(`${name}="([^"]*)"`).exec(html);
  expect(match, name).to.not.equal(null);
  return match![1]!;
};

const hidden = (html: string, name: string): string => attribute(html, `name="${name}" value`);

/**
 * A browser that keeps no examgate cookie inside the LMS frame, on an LMS that offers
 * platform storage (lti_storage_target, as Canvas does). What the page scripts do with
 * postMessage in a real browser (test/browser) is done here by hand: the proof the login
 * page puts in the platform's storage is what the launch page reads back and posts.
 */
describe('LTI launch: state kept in platform storage when cookies do not stick', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });
  beforeEach(() => resetLaunchState(world));

  const origin = () => new URL(world.url).origin;

  /** Login → cookie check (no cookie) → the platform-storage page; returns what its script would use. */
  async function loginKeepingProofInStorage(sub: string) {
    const login = new URL(world.lms.loginInitiationUrl({ user: { sub }, roles: [ROLE_LEARNER] }));
    login.searchParams.set('lti_storage_target', 'post_message_forwarding');
    const first = await fetch(login, { redirect: 'manual' });
    const check = await fetch(new URL(first.headers.get('location')!, world.url), { redirect: 'manual' });
    expect(check.status).to.equal(200);
    const page = await check.text();
    expect(page).to.contain('<h1>Opening examgate</h1>');
    const state = new URL(first.headers.get('location')!, world.url).searchParams.get('state')!;
    const storage = {
      target: attribute(page, 'data-target'),
      origin: attribute(page, 'data-origin'),
      key: attribute(page, 'data-key'),
      value: attribute(page, 'data-value'),
      next: attribute(page, 'data-next').replace(/&amp;/g, '&'),
    };
    return { state, storage, page };
  }

  /** The LMS's auth endpoint (reached by the script after put_data) and its form_post, without cookies. */
  async function postLaunchWithoutCookies(next: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) {
    const auth = await fetch(next);
    const form = submitAutoPostForm(await auth.text())!;
    const post = (fields: Record<string, string>, h: Record<string, string>) =>
      fetch(new URL(form.action, next), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...h },
        body: new URLSearchParams(fields),
        redirect: 'manual',
      });
    const first = await post(form.fields, {});
    return { form, first, again: (fields: Record<string, string>, h = headers) => post({ ...form.fields, ...fields, ...extra }, h) };
  }

  it('when the LMS offers platform storage, then the login keeps a proof there and goes on to the LMS from the frame', async () => {
    const { state, storage } = await loginKeepingProofInStorage('sigrid');
    expect(storage.target).to.equal('post_message_forwarding');
    expect(storage.origin).to.equal(new URL(world.lms.issuer).origin);
    expect(storage.key).to.equal(`examgate-login-${state}`);
    expect(storage.value).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(new URL(storage.next).searchParams.get('state')).to.equal(state);
    const [row] = await world.examgate.sequelize.query<{ storage_proof_hash: string | null }>(
      'SELECT storage_proof_hash FROM login_requests WHERE state = :state',
      { replacements: { state }, type: QueryTypes.SELECT },
    );
    expect(row?.storage_proof_hash, 'only a digest of the proof is stored').to.match(/^[0-9a-f]{64}$/);
    expect(row?.storage_proof_hash).to.not.contain(storage.value);
  });

  it('when the launch comes back with the proof from examgate’s own page, then it is validated and handed over to a new window once', async () => {
    const { storage } = await loginKeepingProofInStorage('sigrid');
    const launch = await postLaunchWithoutCookies(storage.next);
    expect(launch.first.status).to.equal(200);
    const readBack = await launch.first.text();
    expect(readBack).to.contain('Checking this launch with your course page');
    expect(attribute(readBack, 'data-key')).to.equal(storage.key);
    expect(readBack).not.to.contain(storage.value);

    const proven = await launch.again({ storage_proof: storage.value }, { origin: origin() });
    expect(proven.status).to.equal(200);
    expect(
      proven.headers.getSetCookie().some((c) => c.startsWith('examgate_session=')),
      'no session cookie in a frame that drops it',
    ).to.equal(false);
    const handover = await proven.text();
    expect(handover).to.contain('<h1>Continue in a new window</h1>');
    expect(handover).to.match(/<form id="window-handover" method="post" action="\/lti\/launch\/window" target="_blank">/);
    const code = hidden(handover, 'code');

    // The new window is first-party: it takes the launch over and keeps its own session cookie.
    const window = newBrowser();
    const taken = await window.follow(`${world.url}/lti/launch/window`, { method: 'POST', form: { code }, headers: { origin: origin() } });
    expect(taken.response.status).to.equal(200);
    expect(new URL(taken.url).pathname).to.equal('/app');
    expect(window.cookies(new URL(world.url).host)).to.have.property('examgate_session');

    const twice = await newBrowser().follow(`${world.url}/lti/launch/window`, {
      method: 'POST',
      form: { code },
      headers: { origin: origin() },
    });
    expect(twice.response.status).to.equal(400);
    expect(twice.body).to.contain('already continued in another window');
  });

  it('when the proof is wrong, missing its Origin or comes from another site, then the launch is refused and stays unused', async () => {
    const { storage } = await loginKeepingProofInStorage('tor');
    const launch = await postLaunchWithoutCookies(storage.next);
    const cases: Array<[string, Record<string, string>, Record<string, string>, RegExp]> = [
      ['wrong proof', { storage_proof: 'x'.repeat(43) }, { origin: origin() }, /does not know this sign-in/],
      ['no Origin', { storage_proof: storage.value }, {}, /sent from another site than examgate/],
      ['another site', { storage_proof: storage.value }, { origin: 'https://attacker.example' }, /sent from another site than examgate/],
      [
        'a browser that says cross-site, whatever its Origin',
        { storage_proof: storage.value },
        { origin: origin(), 'sec-fetch-site': 'cross-site' },
        /sent from another site than examgate/,
      ],
    ];
    for (const [name, fields, headers, message] of cases) {
      const refused = await launch.again(fields, headers);
      expect(refused.status, name).to.equal(401);
      expect(await refused.text(), name).to.match(message);
    }
    // None of them ended the login: the right proof from examgate's own page still gets in
    // (a browser that sends Sec-Fetch-Site is believed; under no-referrer its Origin would be null).
    const proven = await launch.again({ storage_proof: storage.value }, { origin: 'null', 'sec-fetch-site': 'same-origin' });
    expect(await proven.text()).to.contain('Continue in a new window');
  });

  it('when a proven launch is posted again, then it is refused: the login is over', async () => {
    const { storage } = await loginKeepingProofInStorage('ulf');
    const launch = await postLaunchWithoutCookies(storage.next);
    expect((await launch.again({ storage_proof: storage.value }, { origin: origin() })).status).to.equal(200);
    const replay = await launch.again({ storage_proof: storage.value }, { origin: origin() });
    expect(replay.status).to.equal(401);
    expect(await replay.text()).not.to.contain('Continue in a new window');
  });

  it('when a hand-over code is posted from another site, unknown or expired, then no session starts', async () => {
    const { storage } = await loginKeepingProofInStorage('vera');
    const launch = await postLaunchWithoutCookies(storage.next);
    const code = hidden(await (await launch.again({ storage_proof: storage.value }, { origin: origin() })).text(), 'code');
    const claim = (form: Record<string, string>, headers: Record<string, string>) =>
      fetch(`${world.url}/lti/launch/window`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(form),
        redirect: 'manual',
      });
    const foreign = await claim({ code }, { origin: 'https://attacker.example' });
    expect(foreign.status).to.equal(401);
    expect(foreign.headers.getSetCookie()).to.deep.equal([]);
    expect((await claim({ code: 'not-a-code' }, { origin: origin() })).status).to.equal(400);
    expect((await claim({}, { origin: origin() })).status).to.equal(400);
    await world.examgate.sequelize.query('UPDATE session_handovers SET expires_at = :past', {
      replacements: { past: new Date(Date.now() - 1000) },
    });
    const late = await claim({ code }, { origin: origin() });
    expect(late.status).to.equal(400);
    expect(late.headers.getSetCookie()).to.deep.equal([]);
  });

  it('when the LMS names a storage target that is not a frame name, then platform storage is not used and the new window is offered', async () => {
    const login = new URL(world.lms.loginInitiationUrl({ user: { sub: 'wenche' }, roles: [ROLE_LEARNER] }));
    login.searchParams.set('lti_storage_target', '"><script>');
    const first = await fetch(login, { redirect: 'manual' });
    const page = await (await fetch(new URL(first.headers.get('location')!, world.url), { redirect: 'manual' })).text();
    expect(page).to.contain('<h1>Open examgate in a new window</h1>');
    expect(page).not.to.contain('<script>"');
    expect(page).not.to.contain('name="lti_storage_target"');
  });
});
