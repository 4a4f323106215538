import type { Candidate, LmsPerson, WithdrawnReason } from './candidate.js';

/** One NRPS member as examgate needs it. */
export interface RosterMember extends LmsPerson {
  roles: string[];
  status: 'Active' | 'Inactive' | 'Deleted';
}

/** Reads every page of a course's roster; implemented over NRPS in src/lti. */
export interface RosterSource {
  fetchRoster(course: { platformId: string; nrpsUrl: string }, onProgress: (membersSoFar: number) => void): Promise<RosterMember[]>;
}

/**
 * The roster could not be read. `disabled`: the LMS has the service switched off or refuses
 * examgate (the message says which setting to enable); `failed`: it broke or timed out.
 */
export class RosterUnavailableError extends Error {
  constructor(
    readonly kind: 'disabled' | 'failed',
    message: string,
  ) {
    super(message);
    this.name = 'RosterUnavailableError';
  }
}

export interface RosterPlan {
  add: LmsPerson[];
  withdraw: Array<{ id: string; reason: WithdrawnReason }>;
  restore: string[];
  refresh: Array<{ id: string; person: LmsPerson }>;
  /** Eligible members left out because the test is full, in the order free seats would take them. */
  leftOut: LmsPerson[];
  /** Members without a usable user id, and repeats of a user id already seen. */
  ignored: number;
}

export function isEmptyPlan(plan: RosterPlan): boolean {
  return plan.add.length + plan.withdraw.length + plan.restore.length + plan.refresh.length === 0;
}

function samePerson(candidate: Candidate, person: LmsPerson): boolean {
  return candidate.name === person.name && candidate.email === person.email && candidate.sisId === person.sisId;
}

export interface PlanOptions {
  isEligible: (member: RosterMember) => boolean;
  /** The test's cap less its active candidates before the sync (negative when a lowered cap is overrun). */
  seatsFree: number;
  /** LMS user ids left out by earlier syncs, longest waiting first: they take freed seats before newcomers. */
  waiting: readonly string[];
}

/**
 * Decides what a sync changes, without touching storage. New eligible members are added;
 * roster candidates whose member left, or became Inactive/Deleted, are withdrawn (never
 * deleted); those withdrawn by an earlier sync come back when their member does. A status an
 * instructor set by hand is left alone, and LMS facts (name, e-mail, SIS id) are refreshed
 * without touching the candidate ID, so graders' labels stay stable.
 *
 * Withdrawals are decided first, so the seats they free are filled in the same sync (and a sync
 * with nothing changed in the LMS is a no-op). Free seats go to returning candidates first,
 * then to members waiting from earlier syncs (first left out, first in), then to newcomers in
 * the LMS's order; whoever does not fit is listed in `leftOut` in that same order.
 */
export function planRosterChanges(candidates: Candidate[], members: RosterMember[], options: PlanOptions): RosterPlan {
  const plan: RosterPlan = { add: [], withdraw: [], restore: [], refresh: [], leftOut: [], ignored: 0 };
  const byUser = new Map(candidates.filter((c) => c.lmsUserId !== null).map((c) => [c.lmsUserId as string, c]));
  const seen = new Map<string, RosterMember>();
  for (const member of members) {
    if (!member.userId || member.userId.length > 255 || seen.has(member.userId)) {
      plan.ignored += 1;
      continue;
    }
    seen.set(member.userId, member);
  }

  const returning: Candidate[] = [];
  const newcomers: RosterMember[] = [];
  for (const member of seen.values()) {
    const candidate = byUser.get(member.userId);
    const eligible = member.status === 'Active' && options.isEligible(member);
    if (!candidate) {
      if (eligible) {
        newcomers.push(member);
      }
      continue;
    }
    if (!samePerson(candidate, member)) {
      plan.refresh.push({ id: candidate.id, person: member });
    }
    const handSet = candidate.editedFields.includes('status');
    if (eligible && candidate.status === 'withdrawn' && candidate.withdrawnReason !== 'manual' && !handSet) {
      returning.push(candidate);
    } else if (!eligible && candidate.status === 'active' && candidate.source === 'roster' && !handSet) {
      plan.withdraw.push({ id: candidate.id, reason: member.status === 'Active' ? 'left_course' : 'inactive' });
    }
  }
  for (const candidate of byUser.values()) {
    const gone = !seen.has(candidate.lmsUserId as string);
    if (gone && candidate.status === 'active' && candidate.source === 'roster' && !candidate.editedFields.includes('status')) {
      plan.withdraw.push({ id: candidate.id, reason: 'left_course' });
    }
  }

  let room = Math.max(0, options.seatsFree + plan.withdraw.length);
  for (const candidate of returning) {
    if (room === 0) {
      break;
    }
    plan.restore.push(candidate.id);
    room -= 1;
  }
  for (const member of inWaitingOrder(newcomers, options.waiting)) {
    if (room > 0) {
      plan.add.push(member);
      room -= 1;
    } else {
      plan.leftOut.push(member);
    }
  }
  return plan;
}

/** Members who waited earlier first, in the order they were left out; the rest keep the LMS's order. */
function inWaitingOrder(members: RosterMember[], waiting: readonly string[]): RosterMember[] {
  const rank = new Map(waiting.map((userId, index) => [userId, index]));
  const waited = members.filter((m) => rank.has(m.userId)).sort((a, b) => (rank.get(a.userId) ?? 0) - (rank.get(b.userId) ?? 0));
  return [...waited, ...members.filter((m) => !rank.has(m.userId))];
}
