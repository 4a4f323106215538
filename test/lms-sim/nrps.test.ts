import { expect } from 'chai';
import { MEDIA_NRPS_CONTAINER, ROLE_INSTRUCTOR, SCOPE_AGS_SCORE, SCOPE_NRPS, SimulatedLms } from '../../src/lms-sim/index.js';
import { startFakeTool } from './fake-tool.js';
import type { FakeTool } from './fake-tool.js';
import { bearer, fetchAllMembers, learners, nextLink } from './services-helpers.js';

describe('SimulatedLms NRPS', () => {
  let lms: SimulatedLms;
  let tool: FakeTool;
  let auth: string;
  let url: string;

  before(async () => {
    lms = await SimulatedLms.start({ clientId: 'client-nrps', deploymentId: 'dep' });
    tool = await startFakeTool(lms);
    lms.setRoster('course-1', [...learners(120), { user_id: 't-1', roles: [ROLE_INSTRUCTOR], email: 't@example.org' }]);
    auth = await bearer(lms, tool, SCOPE_NRPS);
    url = `${lms.baseUrl}/nrps/course-1/memberships`;
  });
  after(async () => {
    await tool.close();
    await lms.close();
  });

  const nrpsRequests = (): number => lms.requestLog.filter((r) => r.path === '/nrps/course-1/memberships').length;

  it('when the roster exceeds the default page size of 50, then pages are linked with rel="next" until all 121 are read', async () => {
    const before = nrpsRequests();
    const { members, pages } = await fetchAllMembers(url, auth);
    expect(pages).to.equal(3);
    expect(nrpsRequests() - before).to.equal(3);
    expect(new Set(members.map((m) => m.user_id)).size).to.equal(121);
    expect(members.at(-1)).to.deep.equal({ user_id: 't-1', roles: [ROLE_INSTRUCTOR], email: 't@example.org' });
  });

  it('when a page is read, then it has the NRPS media type, the context and an absolute next link', async () => {
    const response = await fetch(url, { headers: { authorization: auth } });
    const body = (await response.json()) as { id: string; context: { id: string }; members: unknown[] };
    expect(response.headers.get('content-type')).to.contain(MEDIA_NRPS_CONTAINER);
    expect(body.context.id).to.equal('course-1');
    expect(body.members).to.have.length(50);
    expect(nextLink(response.headers.get('link'))).to.equal(`${url}?page=2`);
  });

  it('when limit is given, then it overrides the page size and is kept in the next link', async () => {
    const { pages } = await fetchAllMembers(`${url}?limit=100`, auth);
    const first = await fetch(`${url}?limit=100`, { headers: { authorization: auth } });
    expect(pages).to.equal(2);
    expect(nextLink(first.headers.get('link'))).to.equal(`${url}?limit=100&page=2`);
  });

  it('when paging by from offset or filtering by role, then the window and the filter apply', async () => {
    const tail = await fetch(`${url}?from=120&limit=10`, { headers: { authorization: auth } });
    const role = await fetch(`${url}?role=Instructor`, { headers: { authorization: auth } });
    expect(((await tail.json()) as { members: unknown[] }).members).to.have.length(1);
    expect(tail.headers.get('link')).to.equal(null);
    expect(((await role.json()) as { members: Array<{ user_id: string }> }).members.map((m) => m.user_id)).to.deep.equal(['t-1']);
  });

  it('when no bearer token or a token without the NRPS scope is sent, then it answers 401 or 403', async () => {
    const none = await fetch(url);
    const wrongScope = await fetch(url, { headers: { authorization: await bearer(lms, tool, SCOPE_AGS_SCORE) } });
    const forged = await fetch(url, { headers: { authorization: 'Bearer not-a-token' } });
    expect([none.status, wrongScope.status, forged.status]).to.deep.equal([401, 403, 401]);
  });

  it('when failNrps is set, then NRPS answers that status until reset to null', async () => {
    lms.failNrps(500);
    const failing = await fetch(url, { headers: { authorization: auth } });
    lms.failNrps(null);
    const healed = await fetch(url, { headers: { authorization: auth } });
    expect(failing.status).to.equal(500);
    expect(healed.status).to.equal(200);
  });

  it('when a context is unknown to the LMS, then NRPS answers 404', async () => {
    const response = await fetch(`${lms.baseUrl}/nrps/nope/memberships`, { headers: { authorization: auth } });
    expect(response.status).to.equal(404);
  });

  it('when the LMS is started with pageSize, then pages have that size', async () => {
    const small = await SimulatedLms.start({ clientId: 'client-small', deploymentId: 'dep', pageSize: 10 });
    const smallTool = await startFakeTool(small);
    try {
      small.setRoster('c', learners(25));
      const { pages } = await fetchAllMembers(`${small.baseUrl}/nrps/c/memberships`, await bearer(small, smallTool, SCOPE_NRPS));
      expect(pages).to.equal(3);
    } finally {
      await smallTool.close();
      await small.close();
    }
  });
});
