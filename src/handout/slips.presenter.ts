import { setImmediate as yieldToOthers } from 'node:timers/promises';
import type { Exam } from '../exams/exam.js';
import { formatInZone } from '../exams/time-zone.js';
import type { Slip } from './handout.service.js';
import { placeName, type RoomGroup } from './room-order.js';
import { qrSvg } from './slip-qr.js';

/** Slips per A4 sheet: one each, or two columns of four (each about 95 × 68 mm, room for the QR code and a long link). */
export const LAYOUTS = { grid: 8, single: 1 } as const;
export type SlipLayout = keyof typeof LAYOUTS;

/** Codes made between two looks at the event loop: a big test's slips never hold up the sign-ins of a running exam. */
const CODES_PER_TURN = 25;

/** The window as a slip says it: both ends in the test's own time zone. */
export function windowText(exam: Exam): string {
  const zone = exam.window.timeZone;
  const opens = exam.window.opensAt ? formatInZone(exam.window.opensAt, zone) : null;
  const closes = exam.window.closesAt ? formatInZone(exam.window.closesAt, zone) : null;
  if (opens && closes) {
    // "Thu 10 Dec 2026, 09:00 to 12:00 (Europe/Oslo)" when it opens and closes on one day: a slip has little room.
    const [openDay, openTime] = opens.split(', ');
    const [closeDay, closeTime] = closes.split(', ');
    return openDay === closeDay ? `${openDay}, ${openTime!.replace(` (${zone})`, '')} to ${closeTime}` : `${opens} to ${closes}`;
  }
  return opens ? `from ${opens}` : closes ? `until ${closes}` : 'open while the test is active';
}

/**
 * The slips in printed sheets: each room starts a sheet of its own (so a room's pile can be cut
 * and carried away alone), and a sheet holds as many slips as the layout puts on a page.
 * `photos`: the photo address of each candidate who has one, by candidates.id.
 */
export async function presentSlips(rooms: Array<RoomGroup<Slip>>, layout: SlipLayout, photos: ReadonlyMap<string, string> = new Map()) {
  const perSheet = LAYOUTS[layout];
  const sheets: Array<{ place: string; slips: Array<Slip & { place: string; qr: string | null; photo: string | null }> }> = [];
  let made = 0;
  for (const room of rooms) {
    const place = placeName(room);
    for (let i = 0; i < room.candidates.length; i += perSheet) {
      const slips = [];
      for (const slip of room.candidates.slice(i, i + perSheet)) {
        slips.push({
          ...slip,
          place,
          qr: slip.link ? qrSvg(slip.link, `QR code of the direct link of ${slip.candidateId}`) : null,
          // An address, not the bytes: 1500 photos inlined would make the page tens of megabytes.
          photo: photos.get(slip.id) ?? null,
        });
        made += 1;
        if (made % CODES_PER_TURN === 0) {
          await yieldToOthers();
        }
      }
      sheets.push({ place, slips });
    }
  }
  return sheets;
}
