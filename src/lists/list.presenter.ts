import { accessOf, isOwner, type ListMember, type ListViewer, type PermanentList } from './list.js';

const STATE_TEXT: Record<ListMember['state'], string> = {
  current: '',
  deleted: 'deleted: not added to tests',
  'not-eligible': 'not eligible: not added to tests',
};

/** A list as the pages show it: owner and sharing in words, and what the viewer may do. */
export function presentList(list: PermanentList, viewer: ListViewer) {
  const mine = isOwner(list, viewer);
  const sharing = list.sharedWithAll
    ? 'every instructor of this platform'
    : list.sharedWith.length > 0
      ? `${list.sharedWith.length} colleague${list.sharedWith.length === 1 ? '' : 's'}`
      : 'nobody';
  return {
    id: list.id,
    name: list.name,
    owner: mine ? 'you' : (list.ownerName ?? (list.owner.kind === 'admin-account' ? 'an institution admin' : 'an instructor')),
    mine,
    canChange: accessOf(list, viewer) === 'change',
    sharing,
    sharedWithAll: list.sharedWithAll,
    memberCount: list.memberCount,
    updated: list.updatedAt.toISOString().slice(0, 10),
  };
}

export function presentMember(member: ListMember) {
  return { ...member, note: STATE_TEXT[member.state], current: member.state === 'current' };
}
