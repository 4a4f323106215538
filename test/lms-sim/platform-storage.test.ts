/// <reference lib="dom" />
// The functions passed to frame.evaluate run in Chromium, so this file needs the DOM types.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Browser, Frame, Page } from 'playwright-core';
import { SimulatedLms } from '../../src/lms-sim/index.js';
import { launchChromium } from '../browser/support/chromium.js';

interface Answer {
  /** The origin the answer came from. */
  origin: string;
  data: Record<string, unknown>;
}

/**
 * The tool's side, run in its frame: posts `message` to the LMS window `to` ('_parent' or a frame
 * of the course page) for `targetOrigin`, and resolves with the answer to that very message.
 */
async function ask(frame: Frame, to: string, message: Record<string, unknown>, targetOrigin: string): Promise<Answer> {
  // tsx (esbuild keepNames) wraps named functions in __name(); the page has no such helper.
  await frame.evaluate('globalThis.__name ??= (fn) => fn');
  return frame.evaluate(
    ({ to, message, targetOrigin }) =>
      new Promise<Answer>((resolve, reject) => {
        const target = to === '_parent' ? window.parent : (window.parent.frames as unknown as Record<string, Window | undefined>)[to];
        if (!target) {
          reject(new Error(`the course page has no frame named ${to}`));
          return;
        }
        const timer = setTimeout(() => reject(new Error(`no answer to ${String(message.subject)}`)), 5_000);
        const listener = (event: MessageEvent) => {
          const data = event.data as Record<string, unknown> | null;
          if (data?.subject !== `${String(message.subject)}.response` || data.message_id !== message.message_id) {
            return;
          }
          clearTimeout(timer);
          window.removeEventListener('message', listener);
          resolve({ origin: event.origin, data });
        };
        window.addEventListener('message', listener);
        target.postMessage(message, targetOrigin);
      }),
    { to, message, targetOrigin },
  );
}

/** A tool site whose every page is blank: the frame only needs an origin of its own to send messages from. */
async function blankSite(): Promise<{ port: number; close: () => Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html lang="en"><title>tool</title><p>tool</p></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('SimulatedLms platform storage: lti.capabilities, lti.put_data and lti.get_data answered in Chromium', function () {
  this.timeout(60_000);
  let chromium: Browser;
  let site: Awaited<ReturnType<typeof blankSite>>;
  /** Two origins of the one blank site: two tools, as far as the LMS can tell. */
  let toolA: string;
  let toolB: string;
  const lmss: SimulatedLms[] = [];
  let page: Page;

  before(async () => {
    chromium = await launchChromium();
    site = await blankSite();
    toolA = `http://127.0.0.1:${site.port}`;
    toolB = `http://localhost:${site.port}`;
  });
  after(async () => {
    await chromium?.close();
    await Promise.all(lmss.map((lms) => lms.close()));
    await site?.close();
  });
  afterEach(() => page?.context().close());

  /** The course page of an LMS whose storage answers in `target`, with the tool's frame loaded at tool A. */
  async function toolFrameUnder(target: string): Promise<{ lms: SimulatedLms; frame: Frame }> {
    const lms = await SimulatedLms.start({ clientId: 'storage-client', deploymentId: 'storage-dep', platformStorage: { target } });
    lmss.push(lms);
    lms.configureTool({ loginUrl: `${toolA}/login`, launchUrl: `${toolA}/launch`, jwksUrl: `${toolA}/jwks` });
    page = await (await chromium.newContext()).newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(lms.coursePageUrl({ user: { sub: 'u-storage' } }));
    const frame = page.frame({ name: 'tool-frame' })!;
    await frame.waitForURL(`${toolA}/login`, { waitUntil: 'load' });
    return { lms, frame };
  }

  /** Sends the tool's frame to `url`; another site swaps the frame's process, so the Frame is looked up afresh. */
  async function reopenToolFrame(url: string): Promise<Frame> {
    const navigated = page.waitForEvent('framenavigated', { predicate: (f) => f.name() === 'tool-frame' && f.url() === url });
    await page.locator('iframe[name="tool-frame"]').evaluate((element, src) => {
      (element as HTMLIFrameElement).src = src;
    }, url);
    const frame = await navigated;
    await frame.waitForLoadState('load');
    return frame;
  }

  it('when the tool asks its parent for capabilities, then the course page lists put_data and get_data with the frame to send them to', async () => {
    const { lms, frame } = await toolFrameUnder('post_message_forwarding');
    const answer = await ask(frame, '_parent', { subject: 'lti.capabilities', message_id: 'caps-1' }, '*');
    expect(answer.origin).to.equal(lms.baseUrl);
    expect(answer.data).to.deep.equal({
      subject: 'lti.capabilities.response',
      message_id: 'caps-1',
      supported_messages: [
        { subject: 'lti.capabilities' },
        { subject: 'lti.put_data', frame: 'post_message_forwarding' },
        { subject: 'lti.get_data', frame: 'post_message_forwarding' },
      ],
    });
  });

  it('when a tool puts a value in the forwarding frame, then it gets it back, and another origin gets nothing under the same key', async () => {
    const { lms, frame } = await toolFrameUnder('post_message_forwarding');
    const put = await ask(
      frame,
      'post_message_forwarding',
      { subject: 'lti.put_data', message_id: 'p-1', key: 'state', value: 'abc' },
      lms.baseUrl,
    );
    expect(put).to.deep.equal({
      origin: lms.baseUrl,
      data: { subject: 'lti.put_data.response', message_id: 'p-1', key: 'state', value: 'abc' },
    });
    const got = await ask(frame, 'post_message_forwarding', { subject: 'lti.get_data', message_id: 'g-1', key: 'state' }, lms.baseUrl);
    expect(got.data).to.deep.equal({ subject: 'lti.get_data.response', message_id: 'g-1', key: 'state', value: 'abc' });

    const other = await reopenToolFrame(`${toolB}/other`);
    const stranger = await ask(other, 'post_message_forwarding', { subject: 'lti.get_data', message_id: 'g-2', key: 'state' }, lms.baseUrl);
    expect(stranger.data.value, "another origin's view").to.equal(null);
    await ask(other, 'post_message_forwarding', { subject: 'lti.put_data', message_id: 'p-2', key: 'state', value: 'xyz' }, lms.baseUrl);

    const again = await reopenToolFrame(`${toolA}/again`);
    const mine = await ask(again, 'post_message_forwarding', { subject: 'lti.get_data', message_id: 'g-3', key: 'state' }, lms.baseUrl);
    expect(mine.data.value, 'the first origin still has its own value').to.equal('abc');
  });

  it('when a tool puts null under a key, then the key is removed', async () => {
    const { lms, frame } = await toolFrameUnder('post_message_forwarding');
    await ask(frame, 'post_message_forwarding', { subject: 'lti.put_data', message_id: 'p-1', key: 'k', value: 'v' }, lms.baseUrl);
    const removed = await ask(
      frame,
      'post_message_forwarding',
      { subject: 'lti.put_data', message_id: 'p-2', key: 'k', value: null },
      lms.baseUrl,
    );
    expect(removed.data).to.deep.equal({ subject: 'lti.put_data.response', message_id: 'p-2', key: 'k' });
    const got = await ask(frame, 'post_message_forwarding', { subject: 'lti.get_data', message_id: 'g-1', key: 'k' }, lms.baseUrl);
    expect(got.data.value).to.equal(null);
  });

  it('when a message lacks its key or message_id, carries a value that is not a string, or names an unknown subject, then the answer is an error saying so', async () => {
    const { lms, frame } = await toolFrameUnder('post_message_forwarding');
    const errorOf = async (message: Record<string, unknown>) =>
      (await ask(frame, 'post_message_forwarding', message, lms.baseUrl)).data.error as { code: string; message: string };
    expect(await errorOf({ subject: 'lti.put_data', message_id: 'e-1', value: 'v' })).to.deep.equal({
      code: 'bad_request',
      message: 'key is required',
    });
    expect(await errorOf({ subject: 'lti.get_data', key: 'k' })).to.deep.equal({ code: 'bad_request', message: 'message_id is required' });
    expect(await errorOf({ subject: 'lti.put_data', message_id: 'e-2', key: 'k', value: 42 })).to.deep.equal({
      code: 'bad_request',
      message: 'value must be a string, or null to remove the key',
    });
    expect(await errorOf({ subject: 'lti.frobnicate', message_id: 'e-3' })).to.deep.equal({
      code: 'unsupported_subject',
      message: 'This platform does not support lti.frobnicate',
    });
  });

  it('when the storage target is _parent, then the course page itself keeps and returns the values', async () => {
    const { lms, frame } = await toolFrameUnder('_parent');
    const caps = await ask(frame, '_parent', { subject: 'lti.capabilities', message_id: 'c-1' }, lms.baseUrl);
    expect(caps.data.supported_messages).to.deep.include({ subject: 'lti.put_data', frame: '_parent' });
    await ask(frame, '_parent', { subject: 'lti.put_data', message_id: 'p-1', key: 'nonce', value: 'n-1' }, lms.baseUrl);
    const got = await ask(frame, '_parent', { subject: 'lti.get_data', message_id: 'g-1', key: 'nonce' }, lms.baseUrl);
    expect(got).to.deep.equal({
      origin: lms.baseUrl,
      data: { subject: 'lti.get_data.response', message_id: 'g-1', key: 'nonce', value: 'n-1' },
    });
  });
});
