import { expect } from 'chai';
import { byPlace, groupByRoom, placeName } from '../../src/handout/room-order.js';
import { windowText } from '../../src/handout/slips.presenter.js';
import type { Exam } from '../../src/exams/exam.js';

const seated = (candidateId: string, building: string | null = null, room: string | null = null) => ({ candidateId, building, room });

describe('Print order of slips and sheets: building, room, candidate ID', () => {
  it('when rooms and IDs hold numbers, then they sort as people read them, case aside, the unseated last', () => {
    const sorted = byPlace([
      seated('C-10', 'North', 'Room 10'),
      seated('C-2', 'North', 'Room 10'),
      seated('C-1', 'north', 'Room 2'),
      seated('A', null, null),
      seated('B', 'Annex', null),
      seated('C-3', 'Annex', 'Room 1'),
    ]);
    expect(sorted.map((c) => c.candidateId)).to.deep.equal(['C-3', 'B', 'C-1', 'C-2', 'C-10', 'A']);
  });

  it('when candidates are grouped, then each room is one group in print order, named for its heading', () => {
    const groups = groupByRoom([seated('b', 'Main', '101'), seated('a', 'Main', '101'), seated('c', null, null), seated('d', 'Main', '')]);
    expect(groups.map((g) => [placeName(g), g.candidates.map((c) => c.candidateId)])).to.deep.equal([
      ['Main, room 101', ['a', 'b']],
      ['Main', ['d']],
      ['No room given', ['c']],
    ]);
  });

  it('when a window opens and closes on one day, then a slip names the day once; over two days both in full; open ends say so', () => {
    const exam = (opensAt: string | null, closesAt: string | null) =>
      ({ window: { opensAt: opensAt && new Date(opensAt), closesAt: closesAt && new Date(closesAt), timeZone: 'Europe/Oslo' } }) as Exam;
    expect(windowText(exam('2026-12-10T08:00:00Z', '2026-12-10T11:00:00Z'))).to.equal('Thu 10 Dec 2026, 09:00 to 12:00 (Europe/Oslo)');
    expect(windowText(exam('2026-12-10T08:00:00Z', '2026-12-11T11:00:00Z'))).to.equal(
      'Thu 10 Dec 2026, 09:00 (Europe/Oslo) to Fri 11 Dec 2026, 12:00 (Europe/Oslo)',
    );
    expect(windowText(exam(null, '2026-12-10T11:00:00Z'))).to.equal('until Thu 10 Dec 2026, 12:00 (Europe/Oslo)');
    expect(windowText(exam(null, null))).to.equal('open while the test is active');
  });
});
