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
  /** Learners left out because the test is full. */
  overCap: number;
  /** Members without a usable user id, and repeats of a user id already seen. */
  ignored: number;
}

export function isEmptyPlan(plan: RosterPlan): boolean {
  return plan.add.length + plan.withdraw.length + plan.restore.length + plan.refresh.length === 0;
}

function samePerson(candidate: Candidate, person: LmsPerson): boolean {
  return candidate.name === person.name && candidate.email === person.email && candidate.sisId === person.sisId;
}

/**
 * Decides what a sync changes, without touching storage. New eligible members are added;
 * roster candidates whose member left, or became Inactive/Deleted, are withdrawn (never
 * deleted); those withdrawn by an earlier sync come back when their member does. A status an
 * instructor set by hand is left alone, and LMS facts (name, e-mail, SIS id) are refreshed
 * without touching the candidate ID, so graders' labels stay stable.
 */
export function planRosterChanges(
  candidates: Candidate[],
  members: RosterMember[],
  options: { isEligible: (member: RosterMember) => boolean; room: number },
): RosterPlan {
  const plan: RosterPlan = { add: [], withdraw: [], restore: [], refresh: [], overCap: 0, ignored: 0 };
  const byUser = new Map(candidates.filter((c) => c.lmsUserId !== null).map((c) => [c.lmsUserId as string, c]));
  const seen = new Map<string, RosterMember>();
  for (const member of members) {
    if (!member.userId || member.userId.length > 255 || seen.has(member.userId)) {
      plan.ignored += 1;
      continue;
    }
    seen.set(member.userId, member);
  }

  let room = options.room;
  for (const member of seen.values()) {
    const candidate = byUser.get(member.userId);
    const eligible = member.status === 'Active' && options.isEligible(member);
    if (!candidate) {
      if (!eligible) {
        continue;
      }
      if (room > 0) {
        plan.add.push(member);
        room -= 1;
      } else {
        plan.overCap += 1;
      }
      continue;
    }
    if (!samePerson(candidate, member)) {
      plan.refresh.push({ id: candidate.id, person: member });
    }
    const handSet = candidate.editedFields.includes('status');
    if (eligible && candidate.status === 'withdrawn' && candidate.withdrawnReason !== 'manual' && !handSet && room > 0) {
      plan.restore.push(candidate.id);
      room -= 1;
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
  return plan;
}
