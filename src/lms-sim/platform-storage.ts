/**
 * The platform side of the 1EdTech "LTI Client Side postMessages" and "Platform Storage" specs,
 * as Canvas offers them: a tool that cannot keep a cookie inside the LMS's iframe asks the LMS's
 * page to keep a value for it. The tool posts
 *   {subject: 'lti.capabilities', message_id}            to window.parent,
 *   {subject: 'lti.put_data', message_id, key, value}     and
 *   {subject: 'lti.get_data', message_id, key}            to the frame named by lti_storage_target,
 * and gets back {subject: '<subject>.response', message_id, …} with supported_messages, key and
 * value, or error: {code, message}. Values are kept per sending origin (event.origin) in the LMS
 * tab's sessionStorage, so one tool never reads another's, and every answer is posted to that
 * origin only.
 * @see https://www.imsglobal.org/spec/lti-cs-pm/v0p1
 * @see https://www.imsglobal.org/spec/lti-pm-s/v0p1
 */
import type { Router } from 'express';
import { escapeHtml, htmlPage } from './html.js';
import type { LmsState } from './state.js';

export const PLATFORM_STORAGE_SCRIPT_PATH = '/platform-storage.js';
/** Where the sibling frame that answers lti.put_data / lti.get_data loads from (Canvas uses the same path). */
export const PLATFORM_STORAGE_FRAME_PATH = '/post_message_forwarding';

/**
 * The script run by the course page and by the forwarding frame. Served as a file (not inline) so
 * it runs under a `script-src 'self'` CSP, as the demo mounts this LMS inside examgate. Both
 * windows share the tab's sessionStorage for the LMS's origin, so either can answer.
 */
export function platformStorageScript(frame: string): string {
  return `(function () {
  'use strict';
  var FRAME = ${JSON.stringify(frame)};
  var PREFIX = 'lti-platform-storage|';
  var SUBJECTS = ['lti.capabilities', 'lti.put_data', 'lti.get_data'];

  function storageKey(origin, key) {
    return PREFIX + origin + '|' + key;
  }

  function answer(data, origin) {
    var subject = data.subject;
    var reply = { subject: subject + '.response', message_id: data.message_id };
    if (SUBJECTS.indexOf(subject) < 0) {
      reply.error = { code: 'unsupported_subject', message: 'This platform does not support ' + subject };
      return reply;
    }
    if (typeof data.message_id !== 'string' || data.message_id === '') {
      reply.error = { code: 'bad_request', message: 'message_id is required' };
      return reply;
    }
    if (subject === 'lti.capabilities') {
      reply.supported_messages = [
        { subject: 'lti.capabilities' },
        { subject: 'lti.put_data', frame: FRAME },
        { subject: 'lti.get_data', frame: FRAME }
      ];
      return reply;
    }
    if (typeof data.key !== 'string' || data.key === '') {
      reply.error = { code: 'bad_request', message: 'key is required' };
      return reply;
    }
    reply.key = data.key;
    if (subject === 'lti.get_data') {
      reply.value = window.sessionStorage.getItem(storageKey(origin, data.key));
      return reply;
    }
    if (data.value === null || data.value === undefined) {
      window.sessionStorage.removeItem(storageKey(origin, data.key));
      return reply;
    }
    if (typeof data.value !== 'string') {
      reply.error = { code: 'bad_request', message: 'value must be a string, or null to remove the key' };
      return reply;
    }
    window.sessionStorage.setItem(storageKey(origin, data.key), data.value);
    reply.value = data.value;
    return reply;
  }

  window.addEventListener('message', function (event) {
    var data = event.data;
    // Only requests: answers (ours or another window's) end in .response, and other scripts' messages are not LTI's.
    if (typeof data !== 'object' || data === null || typeof data.subject !== 'string') {
      return;
    }
    if (data.subject.indexOf('lti.') !== 0 || /\\.response$/.test(data.subject)) {
      return;
    }
    // A sandboxed sender has no origin to keep its values under or to answer to.
    if (!event.source || event.origin === 'null') {
      return;
    }
    event.source.postMessage(answer(data, event.origin), event.origin);
  });
})();
`;
}

/** GET /platform-storage.js and the forwarding frame's page, when the LMS offers platform storage. */
export function registerPlatformStorage(router: Router, state: LmsState): void {
  const storage = state.config.platformStorage;
  if (!storage) {
    return;
  }
  const script = platformStorageScript(storage.target);
  router.get(PLATFORM_STORAGE_SCRIPT_PATH, (_req, res) => {
    res.type('application/javascript').send(script);
  });
  router.get(PLATFORM_STORAGE_FRAME_PATH, (_req, res) => {
    res
      .type('text/html')
      .send(htmlPage('Platform storage', `<script src="${escapeHtml(state.url(PLATFORM_STORAGE_SCRIPT_PATH))}"></script>`));
  });
}
