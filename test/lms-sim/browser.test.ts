import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import { Browser, submitAutoPostForm } from '../../src/lms-sim/index.js';

describe('Browser', () => {
  let server: Server;
  let base: string;
  let host: string;

  before(async () => {
    const app = express();
    app.get('/set', (_req, res) => {
      res.cookie('a', '1').cookie('b', 'two words', { maxAge: 60_000, path: '/deep' }).send('ok');
    });
    app.get('/clear', (_req, res) => {
      res.clearCookie('a').cookie('b', 'x', { maxAge: 0 }).send('ok');
    });
    app.get('/echo', (req, res) => {
      res.send(req.get('cookie') ?? '');
    });
    app.post('/post-redirect', (_req, res) => {
      res.redirect(303, '/method');
    });
    app.post('/temp-redirect', (_req, res) => {
      res.redirect(307, '/method');
    });
    app.all('/method', express.urlencoded({ extended: false }), (req, res) => {
      res.send(`${req.method} ${JSON.stringify(req.body ?? {})}`);
    });
    app.get('/loop', (_req, res) => {
      res.redirect('/loop');
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    base = `http://${host}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  });

  it('when a server sets cookies, then they are stored per host and sent back', async () => {
    const browser = new Browser();
    await browser.request(`${base}/set`);
    expect(browser.cookies(host)).to.deep.equal({ a: '1', b: 'two%20words' });
    expect(browser.cookies(`${base}/anything`)).to.deep.equal({ a: '1', b: 'two%20words' });
    expect(browser.cookies('127.0.0.1:1')).to.deep.equal({});
    const echoed = await browser.follow(`${base}/echo`);
    expect(echoed.body).to.equal('a=1; b=two%20words');
  });

  it('when a server clears cookies or sets Max-Age=0, then they are deleted', async () => {
    const browser = new Browser();
    await browser.request(`${base}/set`);
    await browser.request(`${base}/clear`);
    expect(browser.cookies(host)).to.deep.equal({});
  });

  it('when clearCookies is called, then that host (or every host) loses its cookies', async () => {
    const browser = new Browser();
    await browser.request(`${base}/set`);
    browser.clearCookies('127.0.0.1:1');
    expect(browser.cookies(host)).to.have.property('a');
    browser.clearCookies(host);
    expect(browser.cookies(host)).to.deep.equal({});
  });

  it('when a POST gets 303, then it is followed with a GET; when it gets 307, then the POST is repeated', async () => {
    const browser = new Browser();
    const seeOther = await browser.follow(`${base}/post-redirect`, { method: 'POST', form: { x: '1' } });
    const temporary = await browser.follow(`${base}/temp-redirect`, { method: 'POST', form: { x: '1' } });
    expect(seeOther.url).to.equal(`${base}/method`);
    expect(seeOther.body).to.equal('GET {}');
    expect(temporary.body).to.equal('POST {"x":"1"}');
  });

  it('when redirects never end, then follow gives up after 10 hops', async () => {
    let failure: unknown;
    await new Browser().follow(`${base}/loop`).catch((error: unknown) => {
      failure = error;
    });
    expect(failure).to.be.instanceOf(Error);
  });

  it('when a page holds an auto-post form, then its action and decoded hidden fields are extracted', () => {
    const html = `<html><form id="f" style="display:none" action="https://tool.example/launch?a=1&amp;b=2" METHOD="POST">
      <input type="hidden" name="id_token" value="x&quot;y&#39;z&lt;" />
      <input type='hidden' name='state' value='s1'>
      <input type="submit" name="go" value="Go"></form><script>document.forms[0].submit()</script></html>`;
    expect(submitAutoPostForm(html)).to.deep.equal({
      action: 'https://tool.example/launch?a=1&b=2',
      fields: { id_token: `x"y'z<`, state: 's1' },
    });
    expect(submitAutoPostForm('<form action="/x" method="get"><input name="q"></form>')).to.equal(null);
  });
});
