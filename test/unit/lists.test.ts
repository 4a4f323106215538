import { expect } from 'chai';
import { accessOf, checkListName, memberState, planOf, roomAfter, type ListViewer } from '../../src/lists/list.js';

const list = {
  platformId: 'p1',
  owner: { kind: 'lms-user' as const, ref: 'teacher-1' },
  sharedWithAll: false,
  sharedWith: ['teacher-2'],
};
const viewer = (over: Partial<ListViewer>): ListViewer => ({
  platformId: 'p1',
  kind: 'lms-user',
  ref: 'teacher-9',
  name: null,
  isAdmin: false,
  ...over,
});

describe('Lists: the rules', () => {
  it('when the owner, a named colleague, a stranger, an admin or another platform look, then they may change, use, nothing, change, nothing', () => {
    expect(accessOf(list, viewer({ ref: 'teacher-1' }))).to.equal('change');
    expect(accessOf(list, viewer({ ref: 'teacher-2' }))).to.equal('use');
    expect(accessOf(list, viewer({}))).to.equal(null);
    expect(accessOf(list, viewer({ kind: 'admin-account', ref: 'acc-1', isAdmin: true }))).to.equal('change');
    expect(accessOf(list, viewer({ platformId: 'p2', ref: 'teacher-1' }))).to.equal(null);
    expect(accessOf(list, viewer({ platformId: 'p2', isAdmin: true }))).to.equal(null);
  });

  it('when a list is shared with every instructor, then any LMS user of the platform may use it, and an admin account with the same ref is not its owner', () => {
    const everyone = { ...list, sharedWithAll: true };
    expect(accessOf(everyone, viewer({}))).to.equal('use');
    expect(accessOf(everyone, viewer({ platformId: 'p2' }))).to.equal(null);
    expect(accessOf(list, viewer({ kind: 'admin-account', ref: 'teacher-1' }))).to.equal(null);
  });

  it('when a name is blank, too long or holds control characters, then it is refused in words; otherwise trimmed and NFC', () => {
    expect(checkListName('   ')).to.have.property('error').that.contains('Give the list a name');
    expect(checkListName('x'.repeat(201))).to.deep.equal({ error: 'A list name has at most 200 characters; this one has 201.' });
    expect(checkListName('a\u0007b')).to.deep.equal({ error: 'A list name cannot hold control characters.' });
    expect(checkListName('  Re\u0301sit \t spring ')).to.deep.equal({ name: 'Résit spring' });
    expect(checkListName('x'.repeat(200))).to.deep.equal({ name: 'x'.repeat(200) });
  });

  it('when a list is planned for a test, then present members count as already there before deleted or not eligible, and the cap room follows', () => {
    expect(memberState({ deletedAt: new Date(), eligible: false })).to.equal('deleted');
    expect(memberState({ deletedAt: null, eligible: false })).to.equal('not-eligible');
    const plan = planOf(
      [
        { userId: 'a', state: 'current', onTest: false },
        { userId: 'b', state: 'deleted', onTest: false },
        { userId: 'c', state: 'not-eligible', onTest: false },
        { userId: 'd', state: 'deleted', onTest: true },
        { userId: 'e', state: 'current', onTest: true },
        { userId: 'f', state: 'current', onTest: false },
      ],
      { active: 1497, cap: 1500 },
    );
    expect(plan).to.deep.equal({ toAdd: ['a', 'f'], alreadyOn: 2, deleted: 1, notEligible: 1, active: 1497, cap: 1500 });
    expect(roomAfter(plan)).to.equal(1);
    expect(roomAfter({ ...plan, active: 1499 })).to.equal(-1);
  });
});
