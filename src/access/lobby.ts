import type { Candidate } from '../candidates/candidate.js';
import type { CandidateService } from '../candidates/candidate.service.js';
import type { SsoCandidates } from '../candidates/sso-candidates.service.js';
import type { SsoSetups } from '../platforms/sso-setup.service.js';
import { personalEnd, windowState, type Exam, type OpenIn } from '../exams/exam.js';
import { formatInZone } from '../exams/time-zone.js';
import { auditByOf } from '../launch/session-context.middleware.js';
import type { LaunchContext } from '../lti/launch-context.js';

export type LobbyState = 'not_candidate' | 'full' | 'withdrawn' | 'not_open' | 'open' | 'handed_off' | 'started' | 'finished' | 'closed';

export interface Lobby {
  state: LobbyState;
  exam: Exam;
  candidate: Candidate | null;
}

/** Who a launch may be on a test: candidates by LMS user, and SSO candidates not yet linked to one. */
export interface LobbyMatching {
  candidates: CandidateService;
  ssoCandidates: SsoCandidates;
  ssoSetups: SsoSetups;
}

/**
 * The candidate a learner's launch is on this test: matched by platform + `sub` (never by
 * name), else an SSO-imported candidate whose SSO user ID is the launch's field the platform
 * matches on (linked to this `sub` from then on), else added on the spot when the test allows
 * it and has room.
 */
export async function lobbyFor(deps: LobbyMatching, exam: Exam, launch: LaunchContext, now = new Date()): Promise<Lobby> {
  const { candidates } = deps;
  let candidate = await candidateOf(deps, exam, launch);
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

async function candidateOf(deps: LobbyMatching, exam: Exam, launch: LaunchContext): Promise<Candidate | null> {
  const { user } = launch;
  // Sessions stored before launches carried the platform's match field read it from the platform.
  const field = launch.ssoMatchField ?? (await deps.ssoSetups.matchFieldOf(launch.platformId));
  const facts = { sub: user.sub, name: user.name ?? null, email: user.email ?? null, sisId: user.sisId ?? null };
  return deps.ssoCandidates.findOnLaunch(exam, { ...facts, by: auditByOf(launch, 'launch') }, field);
}

/** Where a candidate stands on a test at `now`, whichever way they came in. */
export function stateOf(exam: Exam, candidate: Candidate, now = new Date()): LobbyState {
  if (candidate.status === 'withdrawn') {
    return 'withdrawn';
  }
  if (candidate.attempt.state === 'finished' && !exam.isDemo) {
    return 'finished';
  }
  const window = windowState(exam, candidate.extraTimeMinutes, now);
  const { state } = candidate.attempt;
  if (window === 'open' && (state === 'handed_off' || state === 'started')) {
    return state;
  }
  return window;
}

/** How the Start form looks from where examgate runs: a frame (the LMS's iframe) or a window of its own. */
export interface StartView {
  /** The form's target: the engine never runs inside the frame, where its cookies are not sent. */
  target: '_blank' | '_top' | null;
  label: string;
  /** The test went to another tab: this page says so and offers to open it again. */
  inAnotherTab: boolean;
}

export function startView(state: LobbyState, openIn: OpenIn, framed: boolean): StartView {
  const target = !framed ? null : openIn === 'new_tab' ? '_blank' : '_top';
  const inAnotherTab = target === '_blank' && (state === 'handed_off' || state === 'started');
  const label = inAnotherTab ? 'Reopen the test' : state === 'started' ? 'Continue' : 'Start';
  return { target, label, inAnotherTab };
}

/**
 * Whether the lobby runs in a frame, as far as the request tells: browsers send
 * `Sec-Fetch-Dest: iframe` there and `document` in a window of their own. A browser that sends
 * neither counts as framed, so without scripts Start still leaves the frame; with scripts the
 * page corrects the guess itself (window.self !== window.top).
 */
export function looksFramed(secFetchDest: string | undefined): boolean {
  return secFetchDest !== 'document';
}

/**
 * Where the lobby was reached from: a launch (the lobby of the resource link, inside the LMS)
 * or a candidate session outside the LMS (the lobby of the session's own test, in /my).
 */
export interface LobbyPlace {
  via: 'lms' | 'candidate';
  /** What the page's script polls for the state and a fresh start ticket. */
  stateUrl: string;
}

export const LMS_LOBBY: LobbyPlace = { via: 'lms', stateUrl: '/app/lobby/state' };

/** The lobby as the page shows it, times in the test's own zone. */
export function presentLobby(lobby: Lobby, framed = true, place: LobbyPlace = LMS_LOBBY) {
  const { exam, candidate } = lobby;
  const zone = exam.window.timeZone;
  const extra = candidate?.extraTimeMinutes ?? 0;
  const end = personalEnd(exam, extra);
  return {
    state: lobby.state,
    via: place.via,
    stateUrl: place.stateUrl,
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
    handedOffAt: candidate?.attempt.handedOffAt?.toISOString() ?? '',
    openIn: exam.openIn,
    framed,
    /** Both, so the page's script can switch when the request's guess about the frame was wrong. */
    views: { framed: startView(lobby.state, exam.openIn, true), top: startView(lobby.state, exam.openIn, false) },
    /** Extra time extends the window's end too; warn when the window still closes before start + time allowed. */
    closesEarly:
      end !== null &&
      exam.durationMinutes !== null &&
      lobby.state === 'open' &&
      Date.now() + (exam.durationMinutes + extra) * 60_000 > end.getTime(),
  };
}
