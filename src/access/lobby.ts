import type { Candidate } from '../candidates/candidate.js';
import type { CandidateService } from '../candidates/candidate.service.js';
import { personalEnd, windowState, type Exam } from '../exams/exam.js';
import { formatInZone } from '../exams/time-zone.js';
import { auditByOf } from '../launch/session-context.middleware.js';
import type { LaunchContext } from '../lti/launch-context.js';

export type LobbyState = 'not_candidate' | 'full' | 'withdrawn' | 'not_open' | 'open' | 'started' | 'finished' | 'closed';

export interface Lobby {
  state: LobbyState;
  exam: Exam;
  candidate: Candidate | null;
}

/**
 * The candidate a learner's launch is on this test: matched by platform + `sub` (never by
 * name), and added on the spot when the test allows it and has room.
 */
export async function lobbyFor(candidates: CandidateService, exam: Exam, launch: LaunchContext, now = new Date()): Promise<Lobby> {
  let candidate = await candidates.findByLmsUser(exam, launch.user.sub);
  const mayEnrol = !candidate && (exam.enrolOnLaunch || exam.isDemo) && exam.status !== 'closed';
  if (mayEnrol) {
    candidate = await candidates.enrolOnLaunch(
      exam,
      {
        userId: launch.user.sub,
        name: launch.user.name ?? ([launch.user.givenName, launch.user.familyName].filter(Boolean).join(' ') || null),
        email: launch.user.email ?? null,
        sisId: launch.user.sisId ?? null,
      },
      auditByOf(launch, 'enrol-on-launch'),
    );
  }
  if (!candidate) {
    // enrolOnLaunch finds no room only when the test is at its cap.
    return { state: mayEnrol ? 'full' : 'not_candidate', exam, candidate: null };
  }
  await candidates.noteResourceLink(candidate, launch.resourceLink?.id ?? null);
  return { state: stateOf(exam, candidate, now), exam, candidate };
}

function stateOf(exam: Exam, candidate: Candidate, now: Date): LobbyState {
  if (candidate.status === 'withdrawn') {
    return 'withdrawn';
  }
  if (candidate.attempt.state === 'finished' && !exam.isDemo) {
    return 'finished';
  }
  const window = windowState(exam, candidate.extraTimeMinutes, now);
  if (window === 'open' && candidate.attempt.state === 'started') {
    return 'started';
  }
  return window;
}

/** The lobby as the page shows it, times in the test's own zone. */
export function presentLobby(lobby: Lobby) {
  const { exam, candidate } = lobby;
  const zone = exam.window.timeZone;
  const extra = candidate?.extraTimeMinutes ?? 0;
  const end = personalEnd(exam, extra);
  return {
    state: lobby.state,
    title: exam.title,
    description: exam.description,
    opensAt: exam.window.opensAt ? formatInZone(exam.window.opensAt, zone) : null,
    closesAt: end ? formatInZone(end, zone) : null,
    duration: exam.durationMinutes,
    extraTime: extra,
    totalMinutes: exam.durationMinutes === null ? null : exam.durationMinutes + extra,
    candidateId: candidate?.candidateId ?? null,
    cap: exam.maxCandidates,
    finishedAt: candidate?.attempt.finishedAt ? formatInZone(candidate.attempt.finishedAt, zone) : null,
    /** Extra time extends the window's end too; warn when the window still closes before start + time allowed. */
    closesEarly:
      end !== null &&
      exam.durationMinutes !== null &&
      lobby.state === 'open' &&
      Date.now() + (exam.durationMinutes + extra) * 60_000 > end.getTime(),
  };
}
