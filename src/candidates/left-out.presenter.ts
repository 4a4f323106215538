import type { LmsPerson } from './candidate.js';

/** Rows shown at once: a 10 000-member course over a cap of 100 would leave out thousands. */
export const LEFT_OUT_SHOWN = 100;

/** The "left out because the test is full" section: the queue, or the matches of a search in it. */
export function presentLeftOut(people: LmsPerson[], search: string, seatFree: boolean) {
  const needle = search.trim().toLowerCase();
  const ranked = people.map((person, index) => ({ ...person, place: index + 1 }));
  const matches = needle
    ? ranked.filter((p) => [p.userId, p.name, p.email, p.sisId].some((field) => field?.toLowerCase().includes(needle)))
    : ranked;
  return {
    total: people.length,
    search,
    matches: matches.length,
    shown: matches.slice(0, LEFT_OUT_SHOWN),
    seatFree,
  };
}
