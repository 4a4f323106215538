import { expect } from 'chai';
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ROLE_INSTRUCTOR, ROLE_LEARNER, submitAutoPostForm, type LaunchRequest } from '../../src/lms-sim/index.js';
import { newBrowser, resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';

const INSTITUTION_ADMIN = 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator';

describe('LTI launch: valid messages', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });
  beforeEach(() => resetLaunchState(world));

  async function launch(request: Partial<LaunchRequest>) {
    return world.lms.launch(newBrowser(), { user: { sub: 'user-1', name: 'Ada Lovelace' }, ...request });
  }

  it('when an instructor launches from a link with no test yet, then they are asked to choose the test for that link', async () => {
    const result = await launch({ roles: [ROLE_INSTRUCTOR], context: { id: 'c-1', title: 'Analysis <101>' } });
    expect(result.status).to.equal(200);
    expect(result.url).to.equal(`${world.url}/app/link`);
    expect(result.body).to.contain('<h1>Choose the test for this link</h1>').and.contain('Analysis &lt;101&gt;');
  });

  it('when a learner launches from a link with no test yet, then they are greeted by name and told so', async () => {
    const result = await launch({ roles: [ROLE_LEARNER] });
    expect(result.status).to.equal(200);
    expect(result.body).to.contain('Welcome, <strong>Ada Lovelace</strong>');
    expect(result.body).to.contain('does not lead to a test yet');
    expect(result.body).not.to.contain('Tests in');
  });

  it('when an institution administrator launches outside a course, then the admin landing page opens', async () => {
    const result = await launch({ roles: [INSTITUTION_ADMIN, ROLE_LEARNER], context: null });
    expect(result.status).to.equal(200);
    expect(result.body).to.contain('examgate administration');
  });

  it('when an institution administrator launches inside a course, then they too choose the test of an unplaced link', async () => {
    const result = await launch({ roles: [INSTITUTION_ADMIN], context: { id: 'c-admin', title: 'Statistics' } });
    expect(result.status).to.equal(200);
    expect(result.body).to.contain('Choose the test for this link').and.contain('Statistics');
  });

  const certificationVariants: Array<[string, Partial<LaunchRequest>, string]> = [
    ['several roles', { roles: [ROLE_LEARNER, ROLE_INSTRUCTOR] }, 'Choose the test for this link'],
    ['a short role (Instructor)', { roles: ['Instructor'] }, 'Choose the test for this link'],
    ['an unknown role', { roles: ['http://example.com/roles#Wizard'] }, 'Welcome,'],
    ['no role (roles: [])', { roles: [] }, 'Welcome,'],
    ['no name or e-mail', { user: { sub: 'anonymous-7' }, roles: [ROLE_LEARNER] }, 'Welcome, <strong>candidate</strong>'],
    ['no context', { context: null, roles: [ROLE_INSTRUCTOR] }, 'open examgate from inside a course'],
  ];
  for (const [variant, request, expected] of certificationVariants) {
    it(`when a launch has ${variant}, then it is accepted`, async () => {
      const result = await launch(request);
      expect(result.status, result.body).to.equal(200);
      expect(result.body).to.contain(expected);
    });
  }

  it('when a user launches, then the session cookie is HttpOnly and the page may be framed only by registered platforms', async () => {
    const browser = newBrowser();
    const result = await world.lms.launch(browser, { user: { sub: 'u-2' } });
    expect(result.status).to.equal(200);
    const csp = result.headers.get('content-security-policy') ?? '';
    expect(csp).to.match(/frame-ancestors 'self' [^;]*http:\/\/127\.0\.0\.1:\d+/);
    expect(csp).to.contain(new URL(world.lms.issuer).origin);
    expect(Object.keys(browser.cookies(new URL(world.url).host))).to.include('examgate_session');
  });

  it("when an instructor deep-links, then the LMS receives a resource link signed with a key from examgate's JWKS", async () => {
    const browser = newBrowser();
    const page = await world.lms.launch(browser, {
      user: { sub: 'teacher' },
      roles: [ROLE_INSTRUCTOR],
      messageType: 'LtiDeepLinkingRequest',
      resourceLink: null,
    });
    expect(page.status, page.body).to.equal(200);
    expect(page.url).to.equal(`${world.url}/app/deep-link`);
    const form = /name="_csrf" value="([^"]+)"/.exec(page.body);
    expect(form, 'csrf field').to.not.equal(null);

    const submitted = await browser.follow(`${world.url}/app/deep-link`, {
      method: 'POST',
      form: { _csrf: form![1]!, title: 'Midterm exam' },
    });
    const returnForm = submitAutoPostForm(submitted.body);
    expect(returnForm?.action).to.equal(`${world.lms.baseUrl}/deep-link-return`);
    const before = world.lms.deepLinkResponses.length;
    const lmsAnswer = await browser.follow(returnForm!.action, { method: 'POST', form: returnForm!.fields });
    expect(lmsAnswer.response.status, lmsAnswer.body).to.equal(200);
    expect(world.lms.deepLinkResponses.length).to.equal(before + 1);

    // Verify independently against examgate's published key set.
    const token = returnForm!.fields.JWT!;
    const kid = jwt.decode(token, { complete: true })?.header.kid;
    const jwks = (await (await fetch(`${world.url}/lti/keys`)).json()) as { keys: Array<{ kid: string }> };
    const jwk = jwks.keys.find((k) => k.kid === kid);
    expect(jwk, 'signing key published').to.not.equal(undefined);
    const claims = jwt.verify(token, createPublicKey({ key: jwk as unknown as JsonWebKey, format: 'jwk' }), {
      algorithms: ['RS256'],
    }) as Record<string, unknown>;
    const items = claims['https://purl.imsglobal.org/spec/lti-dl/claim/content_items'] as Array<Record<string, unknown>>;
    expect(items).to.have.length(1);
    const examId = (items[0]?.custom as Record<string, string>).examgate_exam;
    expect(examId, 'the link carries the new test').to.match(/^[0-9a-f-]{36}$/);
    expect(items[0]).to.deep.equal({
      type: 'ltiResourceLink',
      title: 'Midterm exam',
      url: `${world.url}/lti/launch`,
      custom: { examgate_exam: examId },
      lineItem: { scoreMaximum: 100, label: 'Midterm exam' },
    });
  });

  it('when the deep-link form is posted without its CSRF token, then it is refused with 403', async () => {
    const browser = newBrowser();
    await world.lms.launch(browser, {
      user: { sub: 'teacher' },
      roles: [ROLE_INSTRUCTOR],
      messageType: 'LtiDeepLinkingRequest',
      resourceLink: null,
    });
    const submitted = await browser.follow(`${world.url}/app/deep-link`, { method: 'POST', form: { title: 'Midterm exam' } });
    expect(submitted.response.status).to.equal(403);
    expect(submitted.body).to.contain('did not come from examgate');
  });

  it('when a page after launch is opened without a session, then a clear 401 page explains how to get in', async () => {
    const response = await fetch(`${world.url}/app`, { headers: { accept: 'text/html' } });
    expect(response.status).to.equal(401);
    expect(await response.text()).to.contain('Open examgate again from your course');
  });
});
