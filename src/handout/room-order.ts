/** What print-outs group and sort candidates by. */
export interface Seated {
  candidateId: string;
  building: string | null;
  room: string | null;
}

/** One room's candidates, in print order. */
export interface RoomGroup<T extends Seated> {
  building: string | null;
  room: string | null;
  candidates: T[];
}

/** "Room 2" before "Room 10", case and accents aside: how people read room numbers and candidate IDs. */
const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Blank places sort after every named one, so the unseated come last. */
function comparePlace(a: string | null, b: string | null): number {
  if (!a || !b) {
    return (a ? 0 : 1) - (b ? 0 : 1);
  }
  return collator.compare(a, b);
}

/** Sorted by building, room, then candidate ID (exact text breaks ties, so the order never depends on the database's). */
export function byPlace<T extends Seated>(candidates: T[]): T[] {
  return [...candidates].sort(
    (a, b) =>
      comparePlace(a.building, b.building) ||
      comparePlace(a.room, b.room) ||
      collator.compare(a.candidateId, b.candidateId) ||
      (a.candidateId < b.candidateId ? -1 : a.candidateId > b.candidateId ? 1 : 0),
  );
}

/** Sorted candidates, grouped by room (a room is a building and a room name together). */
export function groupByRoom<T extends Seated>(candidates: T[]): Array<RoomGroup<T>> {
  const groups: Array<RoomGroup<T>> = [];
  for (const candidate of byPlace(candidates)) {
    const last = groups.at(-1);
    if (last && last.building === (candidate.building || null) && last.room === (candidate.room || null)) {
      last.candidates.push(candidate);
    } else {
      groups.push({ building: candidate.building || null, room: candidate.room || null, candidates: [candidate] });
    }
  }
  return groups;
}

/** "Main building, room 101", for headings and the room filter. */
export function placeName(place: { building: string | null; room: string | null }): string {
  if (!place.building && !place.room) {
    return 'No room given';
  }
  return [place.building, place.room ? `room ${place.room}` : null].filter(Boolean).join(', ');
}
