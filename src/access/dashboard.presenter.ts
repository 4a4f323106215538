import { formatInZone } from '../exams/time-zone.js';
import { windowState } from '../exams/exam.js';
import type { ReachableTest } from './candidate-tests.js';
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
  /** A demo test of the platform, to try as often as the candidate likes; never in the archive. */
  demo: boolean;
  href: string;
  state: LobbyState;
  stateText: string;
  window: string | null;
  finishedAt: string | null;
}

/** The candidate's tests for the dashboard (all but finished ones, demo tests last) and the archive (finished ones), times in each test's zone. */
export function presentDashboard(tests: ReachableTest[], now = new Date()) {
  const rows: DashboardTest[] = tests.map(({ exam, candidate, demo }) => {
    // A demo test not tried yet has no candidate: where it stands is its window's state.
    const state = candidate ? stateOf(exam, candidate, now) : windowState(exam, 0, now);
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
    const finishedAt = candidate?.attempt.finishedAt ?? null;
    return {
      title: exam.title,
      demo,
      href: lobbyPathOf(exam.id),
      state,
      stateText: STATE_TEXT[state],
      window,
      finishedAt: finishedAt ? formatInZone(finishedAt, zone) : null,
    };
  });
  const current = rows.filter((r) => r.state !== 'finished');
  return {
    current: current.filter((r) => !r.demo),
    demos: current.filter((r) => r.demo),
    finished: rows.filter((r) => r.state === 'finished'),
  };
}
