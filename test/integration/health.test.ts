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

  it('when a browser asks for the site icon, as it does on every page, then it gets an icon, not the 404 page', async () => {
    const response = await fetch(`${world.url}/favicon.ico`, { headers: { accept: 'image/avif,image/webp,*/*' } });
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.equal('image/x-icon');
    expect(response.headers.get('cache-control')).to.contain('max-age=');
    const icon = Buffer.from(await response.arrayBuffer());
    // ICONDIR: reserved 0, type 1 (icon), one image; the image is a PNG.
    expect([icon.readUInt16LE(0), icon.readUInt16LE(2), icon.readUInt16LE(4)]).to.deep.equal([0, 1, 1]);
    expect(icon.subarray(icon.readUInt32LE(18), icon.readUInt32LE(18) + 8).toString('latin1')).to.equal('\x89PNG\r\n\x1a\n');
  });

  it('when a path does not exist, then a 404 page says so with escaping', async () => {
    const response = await fetch(`${world.url}/<script>`, { headers: { accept: 'text/html' } });
    expect(response.status).to.equal(404);
    const body = await response.text();
    expect(body).to.contain('Nothing lives at /%3Cscript%3E');
    expect(body).not.to.contain('<script>');
  });
});
