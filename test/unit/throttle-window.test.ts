import { expect } from 'chai';
import { describeWait, ThrottledError } from '../../src/throttle/throttle.errors.js';
import { currentHits, secondsUntilReset, windowAt, type ThrottleRule } from '../../src/throttle/throttle-window.js';

describe('throttle windows', () => {
  const rule: ThrottleRule = { bucket: 'b', limit: 3, windowSeconds: 60 };
  const minute = (n: number) => n * 60_000;

  it('when two instants fall in the same minute, then they share a window that every process computes alike', () => {
    expect(windowAt(rule, minute(10) + 1)).to.deep.equal({ start: minute(10), end: minute(11) });
    expect(windowAt(rule, minute(11) - 1)).to.deep.equal({ start: minute(10), end: minute(11) });
    expect(windowAt(rule, minute(11)).start).to.equal(minute(11));
  });

  it('when a count is from the current window, then its hits count; from an earlier one, nothing', () => {
    const count = { windowStart: minute(10), hits: 5 };
    expect(currentHits(rule, count, minute(10) + 59_999)).to.equal(5);
    expect(currentHits(rule, count, minute(11))).to.equal(0);
    expect(currentHits(rule, null, minute(10))).to.equal(0);
  });

  it('when a key is over its limit, then Retry-After is the whole seconds left in the window, at least 1', () => {
    const count = { windowStart: minute(10), hits: 4 };
    expect(secondsUntilReset(rule, count, minute(10))).to.equal(60);
    expect(secondsUntilReset(rule, count, minute(10) + 30_500)).to.equal(30);
    expect(secondsUntilReset(rule, count, minute(11) - 1)).to.equal(1);
  });

  it('when the wait is put in words, then it reads as seconds, minutes or hours', () => {
    expect(describeWait(1)).to.equal('in 1 second');
    expect(describeWait(45)).to.equal('in 45 seconds');
    expect(describeWait(60)).to.equal('in 1 minute');
    expect(describeWait(61)).to.equal('in 2 minutes');
    expect(describeWait(3 * 3600)).to.equal('in 3 hours');
  });

  it('when a request is throttled, then the error says when to try again, in words and as a UTC time', () => {
    const err = new ThrottledError(300, new Date('2026-12-01T20:45:00Z'));
    expect(err.message).to.equal('Too many attempts. Please wait and try again in 5 minutes (after 20:45 UTC).');
    expect(err.retryAfterSeconds).to.equal(300);
  });
});
