import { expect } from 'chai';
import { formatInZone, isTimeZone, utcToWallTime, wallTimeToUtc } from '../../src/exams/time-zone.js';

describe('time zones of a test', () => {
  it('when a wall time is given in a zone, then it maps to the UTC instant and back, across DST', () => {
    const cases: Array<[string, string, string]> = [
      ['2026-01-15T09:00', 'Europe/Oslo', '2026-01-15T08:00:00.000Z'],
      ['2026-07-15T09:00', 'Europe/Oslo', '2026-07-15T07:00:00.000Z'],
      ['2026-07-15T09:00', 'America/New_York', '2026-07-15T13:00:00.000Z'],
      ['2026-07-15T09:00', 'Asia/Kolkata', '2026-07-15T03:30:00.000Z'],
      ['2026-07-15T09:00', 'UTC', '2026-07-15T09:00:00.000Z'],
    ];
    for (const [wall, zone, utc] of cases) {
      expect(wallTimeToUtc(wall, zone)?.toISOString(), `${wall} ${zone}`).to.equal(utc);
      expect(utcToWallTime(new Date(utc), zone)).to.equal(wall);
    }
  });

  it('when a wall time falls in the hour skipped by a DST jump, then it moves forward by the gap', () => {
    // Oslo jumps from 02:00 to 03:00 on 2026-03-29: 02:30 does not exist and becomes 03:30 CEST.
    expect(wallTimeToUtc('2026-03-29T02:30', 'Europe/Oslo')?.toISOString()).to.equal('2026-03-29T01:30:00.000Z');
  });

  it('when a wall time occurs twice as clocks fall back, then the first (summer-time) one is taken', () => {
    // Oslo goes from 03:00 CEST back to 02:00 CET on 2026-10-25: 02:30 happens at 00:30Z and at 01:30Z.
    expect(wallTimeToUtc('2026-10-25T02:30', 'Europe/Oslo')?.toISOString()).to.equal('2026-10-25T00:30:00.000Z');
  });

  it('when the text is not a datetime-local value or the date does not exist, then there is no instant', () => {
    for (const text of ['tomorrow', '2026-02-30T10:00', '2026-13-01T10:00', '2026-01-01 10:00', '']) {
      expect(wallTimeToUtc(text, 'UTC'), text).to.equal(null);
    }
  });

  it('when a zone name is checked, then IANA names pass and others fail', () => {
    expect(isTimeZone('Europe/Oslo')).to.equal(true);
    expect(isTimeZone('Mars/Olympus')).to.equal(false);
  });

  it('when a time is shown, then it names the zone it is in', () => {
    expect(formatInZone(new Date('2026-07-15T07:00:00Z'), 'Europe/Oslo')).to.equal('Wed 15 Jul 2026, 09:00 (Europe/Oslo)');
  });

  it('when a time is shown, then it reads like "Tue 1 Dec 2026, 20:10 (Europe/Oslo)" in the zone, with a 24-hour clock', () => {
    expect(formatInZone(new Date('2026-12-01T19:10:00Z'), 'Europe/Oslo')).to.equal('Tue 1 Dec 2026, 20:10 (Europe/Oslo)');
    expect(formatInZone(new Date('2026-12-01T23:05:00Z'), 'America/New_York')).to.equal('Tue 1 Dec 2026, 18:05 (America/New_York)');
    expect(formatInZone(new Date('2026-12-01T00:00:00Z'), 'UTC')).to.equal('Tue 1 Dec 2026, 00:00 (UTC)');
  });
});
