import { expect } from 'chai';
import { startWorld, type TestWorld } from '../support/examgate-under-test.js';

describe('health endpoints', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });

  it('when the process runs, then /healthz answers ok', async () => {
    const response = await fetch(`${world.url}/healthz`);
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ status: 'ok' });
  });

  it('when the database answers, then /readyz answers ready', async () => {
    const response = await fetch(`${world.url}/readyz`);
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ status: 'ready' });
  });

  it('when a path does not exist, then a 404 page says so with escaping', async () => {
    const response = await fetch(`${world.url}/<script>`, { headers: { accept: 'text/html' } });
    expect(response.status).to.equal(404);
    const body = await response.text();
    expect(body).to.contain('Nothing lives at /%3Cscript%3E');
    expect(body).not.to.contain('<script>');
  });
});
