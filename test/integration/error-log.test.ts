import { Writable } from 'node:stream';
import { expect } from 'chai';
import express from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { errorHandler } from '../../src/web/error-handler.js';
import { configureViews } from '../../src/web/views.js';

/**
 * The one error handler on an app of its own whose registration route fails in a way nothing
 * foresaw (the stand-in for any bug or driver error), so what the handler logs can be read.
 */
function appFailingAt(path: string) {
  const lines: string[] = [];
  const log = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _enc, done) => done(void lines.push(String(chunk))) }));
  const app = express();
  configureViews(app);
  app.use((_req, res, next) => {
    res.locals.cspNonce = 'test-nonce';
    next();
  });
  app.get(path, () => {
    throw new Error('an unforeseen failure');
  });
  app.use(errorHandler(log));
  return { app, log: () => lines.join('') };
}

describe('The error handler’s log', () => {
  it('when a request to a registration URL fails unexpectedly, then the log names the route and the reference but not the URL’s token', async () => {
    const token = 'a-registration-url-token-0123456789abcdefghij';
    const { app, log } = appFailingAt('/lti/register/:token');
    const response = await request(app).get(`/lti/register/${token}`).set('accept', 'text/html');
    expect(response.status).to.equal(500);
    const reference = /reference ([0-9a-f-]{36})/.exec(response.text)?.[1];
    expect(reference, response.text).to.be.a('string');
    expect(log()).to.contain(reference!).and.contain('/lti/register/');
    expect(log()).not.to.contain(token);
  });

  it('when opening a direct link fails unexpectedly, then the log names the route but not the link’s token', async () => {
    const token = 'a-direct-link-token-0123456789abcdefghijklmn';
    const { app, log } = appFailingAt('/go/:token');
    const response = await request(app).get(`/go/${token}`).set('accept', 'text/html');
    expect(response.status).to.equal(500);
    expect(log()).to.contain('"path":"/go/[token]"');
    expect(log()).not.to.contain(token);
  });

  it('when any other request fails unexpectedly, then the log names its path', async () => {
    const { app, log } = appFailingAt('/app/exams/:examId');
    const response = await request(app).get('/app/exams/exam-42').set('accept', 'application/json');
    expect(response.status).to.equal(500);
    expect(response.body.error.code).to.equal('internal_error');
    expect(log()).to.contain('"path":"/app/exams/exam-42"');
  });
});
