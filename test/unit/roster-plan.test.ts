import { expect } from 'chai';
import type { Candidate } from '../../src/candidates/candidate.js';
import { planRosterChanges, type RosterMember } from '../../src/candidates/roster.js';

function buildCandidate(overrides: Partial<Candidate> = {}): Candidate {
  return {
    id: `c-${overrides.lmsUserId ?? 'x'}`,
    examId: 'e-1',
    candidateId: overrides.lmsUserId ?? 'x',
    source: 'roster',
    lmsUserId: null,
    name: null,
    email: null,
    sisId: null,
    extraTimeMinutes: 0,
    building: null,
    room: null,
    status: 'active',
    withdrawnReason: null,
    editedFields: [],
    attempt: {
      state: 'not_started',
      ref: null,
      deliveryUrl: null,
      returnUrl: null,
      way: null,
      handedOffAt: null,
      startedAt: null,
      finishedAt: null,
      score: null,
    },
    gradeStatus: null,
    resourceLinkId: null,
    ...overrides,
  };
}

const buildMember = (userId: string, overrides: Partial<RosterMember> = {}): RosterMember => ({
  userId,
  roles: ['Learner'],
  status: 'Active',
  name: null,
  email: null,
  sisId: null,
  ...overrides,
});

const everyone = { isEligible: () => true, seatsFree: 1500, waiting: [] };

describe('planning a roster sync', () => {
  it('when the roster equals the candidate list, then nothing is planned', () => {
    const plan = planRosterChanges([buildCandidate({ lmsUserId: 'a' })], [buildMember('a')], everyone);
    expect(plan).to.deep.equal({ add: [], withdraw: [], restore: [], refresh: [], leftOut: [], ignored: 0 });
  });

  it('when members arrive, leave, go inactive or return, then each gets the right change', () => {
    const candidates = [
      buildCandidate({ lmsUserId: 'stays' }),
      buildCandidate({ lmsUserId: 'leaves' }),
      buildCandidate({ lmsUserId: 'inactive' }),
      buildCandidate({ lmsUserId: 'returns', status: 'withdrawn', withdrawnReason: 'left_course' }),
    ];
    const members = [buildMember('stays'), buildMember('inactive', { status: 'Deleted' }), buildMember('returns'), buildMember('new')];
    const plan = planRosterChanges(candidates, members, everyone);
    expect(plan.add.map((m) => m.userId)).to.deep.equal(['new']);
    expect(plan.withdraw).to.have.deep.members([
      { id: 'c-leaves', reason: 'left_course' },
      { id: 'c-inactive', reason: 'inactive' },
    ]);
    expect(plan.restore).to.deep.equal(['c-returns']);
  });

  it('when staff set a status by hand, then the sync leaves it alone either way', () => {
    const candidates = [
      buildCandidate({ lmsUserId: 'kept-out', status: 'withdrawn', withdrawnReason: 'manual', editedFields: ['status'] }),
      buildCandidate({ lmsUserId: 'kept-in', editedFields: ['status'] }),
    ];
    const plan = planRosterChanges(candidates, [buildMember('kept-out')], everyone);
    expect(plan.restore).to.deep.equal([]);
    expect(plan.withdraw).to.deep.equal([]);
  });

  it('when candidates came from elsewhere (manual, one-time), then a sync never withdraws them', () => {
    const plan = planRosterChanges([buildCandidate({ lmsUserId: 'm', source: 'manual' })], [], everyone);
    expect(plan.withdraw).to.deep.equal([]);
  });

  it('when a member lost the learner role, then they leave the learners-only list', () => {
    const plan = planRosterChanges([buildCandidate({ lmsUserId: 'ta' })], [buildMember('ta', { roles: ['Instructor'] })], {
      isEligible: (m) => m.roles.includes('Learner'),
      seatsFree: 10,
      waiting: [],
    });
    expect(plan.withdraw).to.deep.equal([{ id: 'c-ta', reason: 'left_course' }]);
  });

  it('when LMS facts changed, then they are refreshed without touching the candidate ID', () => {
    const plan = planRosterChanges([buildCandidate({ lmsUserId: 'a', name: 'Old' })], [buildMember('a', { name: 'New' })], everyone);
    expect(plan.refresh).to.deep.equal([{ id: 'c-a', person: buildMember('a', { name: 'New' }) }]);
  });

  it('when the test is nearly full, then only as many are added as fit and the rest are left out in the LMS order', () => {
    const plan = planRosterChanges([], [buildMember('a'), buildMember('b'), buildMember('c')], { ...everyone, seatsFree: 2 });
    expect(plan.add.map((m) => m.userId)).to.deep.equal(['a', 'b']);
    expect(plan.leftOut.map((m) => m.userId)).to.deep.equal(['c']);
  });

  it('when candidates leave a full test, then the seats they free are filled in the same sync', () => {
    const candidates = [
      buildCandidate({ lmsUserId: 'stays' }),
      buildCandidate({ lmsUserId: 'goes-1' }),
      buildCandidate({ lmsUserId: 'goes-2' }),
    ];
    const members = [
      buildMember('stays'),
      buildMember('goes-2', { status: 'Inactive' }),
      buildMember('new-1'),
      buildMember('new-2'),
      buildMember('new-3'),
    ];
    const plan = planRosterChanges(candidates, members, { ...everyone, seatsFree: 0 });
    expect(plan.withdraw.map((w) => w.id)).to.have.members(['c-goes-1', 'c-goes-2']);
    expect(plan.add.map((m) => m.userId)).to.deep.equal(['new-1', 'new-2']);
    expect(plan.leftOut.map((m) => m.userId)).to.deep.equal(['new-3']);
  });

  it('when seats free up, then returning candidates come first, then those waiting longest, then newcomers', () => {
    const candidates = [
      buildCandidate({ lmsUserId: 'goes' }),
      buildCandidate({ lmsUserId: 'goes-too' }),
      buildCandidate({ lmsUserId: 'returns', status: 'withdrawn', withdrawnReason: 'left_course' }),
    ];
    const members = [buildMember('returns'), buildMember('aaron'), buildMember('waited-2'), buildMember('waited-1')];
    const plan = planRosterChanges(candidates, members, { ...everyone, seatsFree: 0, waiting: ['waited-1', 'waited-2'] });
    expect(plan.restore).to.deep.equal(['c-returns']);
    expect(plan.add.map((m) => m.userId)).to.deep.equal(['waited-1']);
    expect(plan.leftOut.map((m) => m.userId)).to.deep.equal(['waited-2', 'aaron']);
  });

  it('when a lowered cap is already overrun, then nobody is added even after a withdrawal', () => {
    const plan = planRosterChanges([buildCandidate({ lmsUserId: 'goes' })], [buildMember('new')], { ...everyone, seatsFree: -3 });
    expect(plan.withdraw).to.have.length(1);
    expect(plan.add).to.deep.equal([]);
    expect(plan.leftOut.map((m) => m.userId)).to.deep.equal(['new']);
  });

  it('when user ids are missing, too long or repeated, then those entries are ignored and counted', () => {
    const plan = planRosterChanges([], [buildMember(''), buildMember('x'.repeat(256)), buildMember('a'), buildMember('a')], everyone);
    expect(plan.add.map((m) => m.userId)).to.deep.equal(['a']);
    expect(plan.ignored).to.equal(3);
  });
});
