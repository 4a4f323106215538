import { formatInZone } from '../exams/time-zone.js';
import type { OwnTest } from './candidate-tests.js';
import { lobbyPathOf } from '../web/candidate-sign-in.js';
import { stateOf, type LobbyState } from './lobby.js';

/** How the dashboard names where a candidate stands (seed 000: not open yet, open, in progress, finished). */
const STATE_TEXT: Record<LobbyState, string> = {
  not_candidate: 'Not a candidate',
  full: 'Full',
  withdrawn: 'Withdrawn',
  not_open: 'Not open yet',
  open: 'Open',
  handed_off: 'In progress',
  started: 'In progress',
  finished: 'Finished',
  closed: 'Closed',
};

export interface DashboardTest {
  title: string;
  href: string;
  state: LobbyState;
  stateText: string;
  window: string | null;
  finishedAt: string | null;
}

/** The candidate's tests for the dashboard (all but finished ones) and the archive (finished ones), times in each test's zone. */
export function presentDashboard(tests: OwnTest[], now = new Date()) {
  const rows: DashboardTest[] = tests.map(({ exam, candidate }) => {
    const state = stateOf(exam, candidate, now);
    const zone = exam.window.timeZone;
    const { opensAt, closesAt } = exam.window;
    const window =
      opensAt && closesAt
        ? `${formatInZone(opensAt, zone)} to ${formatInZone(closesAt, zone)}`
        : opensAt
          ? `from ${formatInZone(opensAt, zone)}`
          : closesAt
            ? `until ${formatInZone(closesAt, zone)}`
            : null;
    const { finishedAt } = candidate.attempt;
    return {
      title: exam.title,
      href: lobbyPathOf(exam.id),
      state,
      stateText: STATE_TEXT[state],
      window,
      finishedAt: finishedAt ? formatInZone(finishedAt, zone) : null,
    };
  });
  return { current: rows.filter((r) => r.state !== 'finished'), finished: rows.filter((r) => r.state === 'finished') };
}
