import { ImportFileError } from './import.errors.js';

/** The text of a file and the encoding it was read in. */
export interface DecodedText {
  text: string;
  encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';
}

const SAVE_AS = 'In Excel: File › Save As › "CSV UTF-8 (Comma delimited)", then choose that file.';
const NOT_TEXT = `This is not a text CSV file. ${SAVE_AS}`;

/** Files people pick by mistake, by their first bytes. */
const SIGNATURES: Array<{ bytes: number[]; what: string }> = [
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'an Excel workbook (.xlsx) or a ZIP file' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], what: 'an old Excel workbook (.xls)' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF' },
];

/** Bytes Windows-1252 leaves undefined: a file with them is not Windows-1252 either. */
const CP1252_UNDEFINED = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);
/** What old Excel files hold besides letters: anything else read as Windows-1252 is a guess too far. */
const CP1252_PLAUSIBLE =
  /^[\p{L}\p{M}\u00a0-\u00bf\u00d7\u00f7\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2020\u2021\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]$/u;
/** UTF-8 that was read as Windows-1252 and saved again as UTF-8 ("Ã¸" for "ø", "â€™" for "’"). */
const DOUBLE_ENCODED = /[\u00c2\u00c3][\u0080-\u00bf\u00a0-\u00bf]|\u00e2\u20ac[\u0080-\u00bf\u2122\u0153\u0161\u017e\u201c\u201d\u02dc]/;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const startsWith = (bytes: Buffer, prefix: number[]) => prefix.every((b, i) => bytes[i] === b);

function lineOf(text: string, index: number): number {
  return (text.slice(0, index).match(/\r\n|\r|\n/g) ?? []).length + 1;
}

/** Zero bytes mostly at odd (LE) or even (BE) offsets: UTF-16 without its BOM. */
function utf16Without(bytes: Buffer): 'utf-16le' | 'utf-16be' | null {
  const sample = bytes.subarray(0, Math.min(bytes.length, 4096));
  let even = 0;
  let odd = 0;
  for (let i = 0; i < sample.length; i += 1) {
    if (sample[i] === 0) {
      if (i % 2 === 0) {
        even += 1;
      } else {
        odd += 1;
      }
    }
  }
  const half = sample.length / 2;
  if (odd > half * 0.3 && even < half * 0.05) {
    return 'utf-16le';
  }
  if (even > half * 0.3 && odd < half * 0.05) {
    return 'utf-16be';
  }
  return null;
}

function utf16(bytes: Buffer, encoding: 'utf-16le' | 'utf-16be'): string {
  const body = bytes.length % 2 === 0 ? bytes : bytes.subarray(0, bytes.length - 1);
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: false }).decode(body);
  } catch {
    throw new ImportFileError(NOT_TEXT);
  }
}

function windows1252(bytes: Buffer): string {
  if (bytes.some((b) => CP1252_UNDEFINED.has(b))) {
    throw unsure();
  }
  const text = new TextDecoder('windows-1252').decode(bytes);
  for (const ch of text) {
    if (ch.charCodeAt(0) > 0x7f && !CP1252_PLAUSIBLE.test(ch)) {
      throw unsure();
    }
  }
  return text;
}

const unsure = () =>
  new ImportFileError(
    `The file's characters could not be read with certainty (it is not UTF-8). Save it as "CSV UTF-8" and upload it again. ${SAVE_AS}`,
  );

/**
 * The text of an uploaded file, never mojibake: a BOM decides the encoding; without one UTF-16
 * is recognised by its zero bytes, valid UTF-8 is UTF-8, and anything else is read as
 * Windows-1252 only when every character that gives is plausible (else the file is refused,
 * asking for "CSV UTF-8"). Binary files and known non-CSV formats are refused as not text.
 */
export function decodeText(bytes: Buffer): DecodedText {
  for (const { bytes: magic, what } of SIGNATURES) {
    if (startsWith(bytes, magic)) {
      throw new ImportFileError(`This file is ${what}, not a text CSV. ${SAVE_AS}`);
    }
  }
  let decoded: DecodedText;
  if (startsWith(bytes, [0xff, 0xfe])) {
    decoded = { text: utf16(bytes.subarray(2), 'utf-16le'), encoding: 'utf-16le' };
  } else if (startsWith(bytes, [0xfe, 0xff])) {
    decoded = { text: utf16(bytes.subarray(2), 'utf-16be'), encoding: 'utf-16be' };
  } else {
    const bom = startsWith(bytes, [0xef, 0xbb, 0xbf]);
    const body = bom ? bytes.subarray(3) : bytes;
    const sixteen = bom ? null : utf16Without(body);
    if (sixteen) {
      decoded = { text: utf16(body, sixteen), encoding: sixteen };
    } else if (body.includes(0)) {
      throw new ImportFileError(NOT_TEXT);
    } else {
      try {
        decoded = { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body), encoding: 'utf-8' };
      } catch {
        if (bom) {
          throw unsure();
        }
        decoded = { text: windows1252(body), encoding: 'windows-1252' };
      }
    }
  }
  const control = CONTROL.exec(decoded.text);
  if (control) {
    throw new ImportFileError(
      `This is not a text CSV file (line ${lineOf(decoded.text, control.index)} holds a control character). ${SAVE_AS}`,
    );
  }
  const doubled = DOUBLE_ENCODED.exec(decoded.text);
  if (doubled) {
    throw new ImportFileError(
      `Line ${lineOf(decoded.text, doubled.index)} reads "${doubled[0]}", which is what accented letters look like after a file was converted twice. Open the original list and save it as "CSV UTF-8". ${SAVE_AS}`,
    );
  }
  return decoded;
}
