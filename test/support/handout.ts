import jsQRModule from 'jsqr';
import { createExam, instructorOf, type CourseSession } from './course-session.js';
import type { TestWorld } from './examgate-under-test.js';
import { candidatesPath, oneTimeRowsOf } from './one-time.js';

/** One slip as the slips page shows it. */
export interface ShownSlip {
  id: string;
  candidateId: string;
  username: string | null;
  password: string | null;
  code: string | null;
  link: string | null;
  svg: string | null;
  html: string;
}

/** jsqr is a CommonJS bundle: under Node's ESM its default import is the function itself, while its types say `.default`. */
type Decode = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR = ((jsQRModule as unknown as { default?: Decode }).default ?? jsQRModule) as unknown as Decode;

let courseNumber = 0;

/**
 * A fresh course with a test of `count` one-time users (generated through the page, as staff do),
 * activated unless told otherwise. Returns the candidates as stored, by candidate ID.
 */
export async function testWithOneTimeUsers(world: TestWorld, count: number, activate = true) {
  courseNumber += 1;
  const context = { id: `handout-${courseNumber}-${Date.now()}`, title: `Hand-out ${courseNumber}` };
  world.lms.setRoster(context.id, []);
  const teacher: CourseSession = await instructorOf(world, context);
  const examId = await createExam(teacher, {
    title: `Chemistry ${courseNumber}`,
    opensAt: '2026-12-10T09:00',
    closesAt: '2026-12-10T12:00',
    timeZone: 'Europe/Oslo',
  });
  await teacher.post(`${candidatesPath(examId)}/one-time/generate`, { count: String(count) });
  if (activate) {
    await teacher.post(`/app/exams/${examId}/activate`);
  }
  return { teacher, examId, context, rows: await oneTimeRowsOf(world, examId) };
}

/** Seats a candidate through the edit form. */
export async function seat(teacher: CourseSession, examId: string, id: string, fields: Record<string, string>) {
  const saved = await teacher.post(`${candidatesPath(examId)}/${id}`, fields);
  if (saved.response.status !== 200) {
    throw new Error(`seating ${id} failed (${saved.response.status}): ${saved.body.slice(0, 300)}`);
  }
}

const unescape = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The slips of a slips page, in page order. */
export function slipsOf(body: string): ShownSlip[] {
  return [...body.matchAll(/<article class="slip" data-slip="([^"]+)"[^>]*>([\s\S]*?)<\/article>/g)].map(([html, id, inner]) => {
    const pick = (pattern: RegExp) => {
      const found = pattern.exec(inner!)?.[1];
      return found === undefined ? null : unescape(found);
    };
    return {
      id: id!,
      candidateId: pick(/<h2 id="slip-[^"]+"><span class="visually-hidden">Candidate <\/span>([^<]+)<\/h2>/)!,
      username: pick(/<code data-username>([^<]+)<\/code>/),
      password: pick(/<code data-password>([^<]+)<\/code>/),
      code: pick(/<code data-code>([^<]+)<\/code>/),
      link: pick(/<span data-link>([^<]+)<\/span>/),
      svg: /<svg[\s\S]*?<\/svg>/.exec(inner!)?.[0] ?? null,
      html: html,
    };
  });
}

/**
 * Reads a slip's QR code back as a phone would see it: the SVG's dark runs painted as pixels
 * (4 per module), then decoded by jsQR. Only the shapes qrSvg draws are understood, so a change
 * in how the code is drawn shows up here as a failure to read it.
 */
export function decodeSlipQr(svg: string): string | null {
  const side = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)?.[1]);
  const path = /<path fill="#000" d="([^"]*)"/.exec(svg)?.[1];
  if (!side || path === undefined) {
    throw new Error(`not a slip QR code: ${svg.slice(0, 200)}`);
  }
  const scale = 4;
  const width = side * scale;
  const pixels = new Uint8ClampedArray(width * width * 4).fill(255);
  for (const [, x, y, run] of path.matchAll(/M(\d+) (\d+)h(\d+)v1h-\3z/g)) {
    for (let px = Number(x) * scale; px < (Number(x) + Number(run)) * scale; px += 1) {
      for (let py = Number(y) * scale; py < (Number(y) + 1) * scale; py += 1) {
        const at = (py * width + px) * 4;
        pixels[at] = pixels[at + 1] = pixels[at + 2] = 0;
      }
    }
  }
  return jsQR(pixels, width, width)?.data ?? null;
}
