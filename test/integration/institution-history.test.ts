import { expect } from 'chai';
import request from 'supertest';
import type { AuditChange } from '../../src/audit/audit.js';
import { auditRows, parseCsv } from '../support/audit.js';
import { startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';
import { adminAccount, asAdmin, institutionSignIn, platformIdOf, userInput } from '../support/institution.js';

/** Reads a CSV download as bytes (supertest would otherwise try to parse it). */
function download(world: TestWorld, path: string, cookie: string) {
  return request(world.url)
    .get(path)
    .set('cookie', cookie)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
}

/** The labels of the entries a History page lists, in order. */
function labelsIn(html: string): string[] {
  return [...html.matchAll(/<td>[^<]*<strong>([^<]*)<\/strong>: /g)].map((m) => m[1]!);
}

describe('Institution History: the audit trail of the admin’s own platform', () => {
  /** The labels of a platform's entries as stored, newest first. */
  const trailOf = async (platformId: string) =>
    (await auditRows(world, 'platform_id = :platformId', { platformId })).reverse().map((r) => r.label ?? r.entity_id);
  let world: TestWorld;
  let platformA: string;
  let platformB: string;
  let cookieA: string;
  let cookieB: string;

  beforeEach(async function () {
    this.timeout(60_000);
    world = await startWorld();
    platformA = await platformIdOf(world);
    platformB = await platformIdOf(world, world.otherLms);
    await adminAccount(world, platformA, 'office-a');
    await adminAccount(world, platformB, 'office-b');
    cookieA = (await institutionSignIn(world, 'office-a')).cookie;
    cookieB = (await institutionSignIn(world, 'office-b')).cookie;
    const users = world.examgate.permanentUsers;
    await users.create(platformA, userInput('alpha.only'), { kind: 'chosen', password: 'Alpha-Pass1' }, TEST_SETUP);
    await users.create(platformB, userInput('beta.only'), { kind: 'chosen', password: 'Beta-Pass1' }, TEST_SETUP);
  });

  it('when an admin opens History, then it lists their platform’s changes, is linked from the area’s navigation, and needs a sign-in', async () => {
    const page = await asAdmin(world, cookieA).get('/institution/history');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('<h1>History</h1>').and.contain('<a href="/institution/history">History</a>');
    // Newest first: the user, the admin account, then whatever else the platform's trail holds (its registration, when the world kept it).
    expect(labelsIn(page.text)).to.deep.equal(await trailOf(platformA));
    expect(labelsIn(page.text).slice(0, 2)).to.deep.equal(['alpha.only', 'office-a']);
    expect(page.text).to.contain('Permanent user <strong>alpha.only</strong>: create');
    const users = await asAdmin(world, cookieA).get('/institution/users');
    expect(users.text).to.contain('<a href="/institution/history">History</a>');

    const onlyAccounts = await asAdmin(world, cookieA).get('/institution/history?entity=admin-account');
    expect(labelsIn(onlyAccounts.text)).to.deep.equal(['office-a']);
    expect(onlyAccounts.text).to.contain('<option value="admin-account" selected>');

    for (const path of ['/institution/history', '/institution/history/download']) {
      const browser = await request(world.url).get(path).set('accept', 'text/html');
      expect([browser.status, browser.headers.location], path).to.deep.equal([303, '/institution']);
      const client = await request(world.url).get(path).set('accept', 'application/json');
      expect(client.status, path).to.equal(401);
      expect(client.text, path).not.to.contain('alpha.only');
    }
  });

  it('when an admin of platform A crafts query parameters naming platform B, then no entry of B is ever shown or downloaded', async () => {
    // B's entries exist: the page below would show them if the wall were not there.
    expect((await auditRows(world, 'platform_id = :b', { b: platformB })).map((r) => r.label)).to.include('beta.only');
    const crafted = [
      `platform=${platformB}`,
      `platformId=${platformB}`,
      `entity=permanent-user&platform=${platformB}`,
      `platform_id=${platformB}&page=1`,
      'entity=__proto__',
      'entity=toString',
      'entity[]=permanent-user',
      `entity=permanent-user&entity=${platformB}`,
    ];
    for (const query of crafted) {
      const page = await asAdmin(world, cookieA).get(`/institution/history?${query}`);
      expect(page.status, query).to.equal(200);
      expect(page.text, query).not.to.contain('beta.only').and.not.to.contain('office-b');
      expect(labelsIn(page.text), query).to.include('alpha.only');
      const csv = await download(world, `/institution/history/download?${query}`, cookieA);
      expect(csv.status, query).to.equal(200);
      const text = (csv.body as Buffer).toString('utf8');
      expect(text, query).to.contain('alpha.only').and.not.to.contain('beta.only').and.not.to.contain('office-b');
    }
    const fromB = await asAdmin(world, cookieB).get(`/institution/history?platform=${platformA}`);
    expect(labelsIn(fromB.text)).to.deep.equal(await trailOf(platformB));
    expect(labelsIn(fromB.text).slice(0, 2)).to.deep.equal(['beta.only', 'office-b']);
  });

  it('when the trail is longer than a page, then it pages within the platform, and the CSV holds every entry with formula cells neutralised', async () => {
    const many = (platformId: string, prefix: string): AuditChange[] =>
      Array.from({ length: 55 }, (_, i) => ({
        entityType: 'permanent-list',
        entityId: `${prefix}-${i}`,
        action: 'create',
        label: `${prefix}-${i}`,
        platformId,
      }));
    await world.examgate.audit.record(TEST_SETUP, many(platformA, 'list-a'));
    await world.examgate.audit.record(TEST_SETUP, many(platformB, 'list-b'));
    await world.examgate.audit.record(TEST_SETUP, {
      entityType: 'permanent-list',
      entityId: 'formula',
      action: 'create',
      label: '=HYPERLINK("http://evil.example")',
      platformId: platformA,
    });

    const first = await asAdmin(world, cookieA).get('/institution/history?entity=permanent-list');
    expect(first.text).to.contain('56 changes, newest first; page 1 of 2.');
    expect(first.text).to.contain('href="?entity=permanent-list&amp;page=2">Older changes</a>');
    expect(labelsIn(first.text)).to.have.length(50);
    const second = await asAdmin(world, cookieA).get(`/institution/history?entity=permanent-list&page=2&platform=${platformB}`);
    expect(second.text).to.contain('page 2 of 2.');
    expect(labelsIn(second.text)).to.deep.equal(['list-a-5', 'list-a-4', 'list-a-3', 'list-a-2', 'list-a-1', 'list-a-0']);

    const csv = await download(world, '/institution/history/download?entity=permanent-list', cookieA);
    expect(csv.headers['content-type']).to.equal('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).to.equal('attachment; filename="examgate-institution-history.csv"');
    const rows = parseCsv((csv.body as Buffer).toString('utf8').slice(1));
    expect(rows).to.have.length(57);
    expect(rows[1]![6]).to.equal(`'=HYPERLINK("http://evil.example")`);
    expect(rows.slice(1).every((row) => row[6]!.startsWith('list-a') || row[6]!.startsWith("'="))).to.equal(true);
  });
});
