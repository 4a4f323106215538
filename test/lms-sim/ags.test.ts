import { expect } from 'chai';
import { MEDIA_AGS_SCORE, SCOPE_AGS_LINEITEM, SCOPE_AGS_SCORE, SCOPE_NRPS, SimulatedLms } from '../../src/lms-sim/index.js';
import { startFakeTool } from './fake-tool.js';
import type { FakeTool } from './fake-tool.js';
import { bearer } from './services-helpers.js';

describe('SimulatedLms AGS', () => {
  let lms: SimulatedLms;
  let tool: FakeTool;
  let lineitems: string;

  before(async () => {
    lms = await SimulatedLms.start({ clientId: 'client-ags', deploymentId: 'dep' });
    tool = await startFakeTool(lms);
    lms.setRoster('course-1', []);
    lineitems = `${lms.baseUrl}/ags/course-1/lineitems`;
  });
  after(async () => {
    await tool.close();
    await lms.close();
  });

  const createItem = async (body: Record<string, unknown>): Promise<Response> =>
    fetch(lineitems, {
      method: 'POST',
      headers: { authorization: await bearer(lms, tool, SCOPE_AGS_LINEITEM), 'content-type': 'application/vnd.ims.lis.v2.lineitem+json' },
      body: JSON.stringify(body),
    });

  it('when a line item is created and a score posted to it, then the LMS records the score against its URL', async () => {
    const created = await createItem({ label: 'Final exam', scoreMaximum: 100, resourceLinkId: 'rl-1' });
    const item = (await created.json()) as { id: string; label: string };
    expect(created.status).to.equal(201);
    expect(item.id).to.equal(`${lineitems}/1`);
    const score = {
      userId: 'u-1',
      scoreGiven: 80,
      scoreMaximum: 100,
      activityProgress: 'Completed',
      gradingProgress: 'FullyGraded',
      timestamp: new Date().toISOString(),
    };
    const posted = await fetch(`${item.id}/scores`, {
      method: 'POST',
      headers: { authorization: await bearer(lms, tool, SCOPE_AGS_SCORE), 'content-type': MEDIA_AGS_SCORE },
      body: JSON.stringify(score),
    });
    expect(posted.status).to.equal(204);
    expect(lms.scores.at(-1)).to.deep.equal({ lineItemUrl: item.id, score });
  });

  it('when line items are listed with a filter, then only matching items come back', async () => {
    await createItem({ label: 'Quiz', scoreMaximum: 10, tag: 'quiz' });
    const response = await fetch(`${lineitems}?tag=quiz`, { headers: { authorization: await bearer(lms, tool, SCOPE_AGS_LINEITEM) } });
    const items = (await response.json()) as Array<{ label: string }>;
    expect(items.map((i) => i.label)).to.deep.equal(['Quiz']);
  });

  it('when a score is sent as plain JSON, incomplete, or with the wrong scope, then it is refused', async () => {
    const url = `${lineitems}/1/scores`;
    const scoreAuth = await bearer(lms, tool, SCOPE_AGS_SCORE);
    const plain = await fetch(url, {
      method: 'POST',
      headers: { authorization: scoreAuth, 'content-type': 'application/json' },
      body: '{}',
    });
    const incomplete = await fetch(url, {
      method: 'POST',
      headers: { authorization: scoreAuth, 'content-type': MEDIA_AGS_SCORE },
      body: '{"userId":"u"}',
    });
    const wrongScope = await fetch(url, {
      method: 'POST',
      headers: { authorization: await bearer(lms, tool, SCOPE_NRPS), 'content-type': MEDIA_AGS_SCORE },
      body: '{}',
    });
    expect([plain.status, incomplete.status, wrongScope.status]).to.deep.equal([415, 400, 403]);
  });

  it('when a line item lacks a label or scoreMaximum, then creation answers 400', async () => {
    expect((await createItem({ scoreMaximum: 10 })).status).to.equal(400);
    expect((await createItem({ label: 'x', scoreMaximum: 0 })).status).to.equal(400);
  });
});
