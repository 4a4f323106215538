import { crc32 } from 'node:zlib';

/**
 * Code page 437 from 0x80 to 0xFF, in byte order: what an entry name's bytes mean when the ZIP
 * says nothing else (the format's default, APPNOTE appendix D; Windows' Explorer and older 7-Zip
 * write names so). Bytes below 0x80 are ASCII. The last one, 0xFF, is a no-break space.
 */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅ' +
  'ÉæÆôöòûùÿÖÜ¢£¥₧ƒ' +
  'áíóúñÑªº¿⌐¬½¼¡«»' +
  '░▒▓│┤╡╢╖╕╣║╗╝╜╛┐' +
  '└┴┬├─┼╞╟╚╔╩╦╠═╬╧' +
  '╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀' +
  'αßΓπΣσµτΦΘΩδ∞φε∩' +
  '≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

/** Bit 11 of the general-purpose flag: the name (and comment) are UTF-8. */
const UTF8_FLAG = 0x800;
/** Info-ZIP's Unicode Path extra field ("up"): version 1, the CRC-32 of the header's name bytes, then the UTF-8 name. */
const UNICODE_PATH = 0x7075;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The bytes as code page 437. */
export function decodeCp437(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) {
    text += byte < 0x80 ? String.fromCharCode(byte) : CP437_HIGH[byte - 0x80]!;
  }
  return text;
}

function utf8Of(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

/** The payload of the first extra field with this tag (null when there is none, or the fields are cut short). */
function extraField(extra: Buffer, tag: number): Buffer | null {
  let at = 0;
  while (at + 4 <= extra.length) {
    const size = extra.readUInt16LE(at + 2);
    if (at + 4 + size > extra.length) {
      return null;
    }
    if (extra.readUInt16LE(at) === tag) {
      return extra.subarray(at + 4, at + 4 + size);
    }
    at += 4 + size;
  }
  return null;
}

/** One entry's name as the central directory holds it. */
export interface RawEntryName {
  nameBytes: Buffer;
  flags: number;
  /** The entry's extra fields (central directory). */
  extra: Buffer;
}

/** How a name was decoded, or why it cannot be (the bytes claim to be UTF-8 and are not). */
export type DecodedName = { name: string; from: 'utf-8' | 'unicode-path' | 'cp437' } | { problem: string };

/**
 * An entry's name as the archiver meant it: UTF-8 when bit 11 says so; else the Info-ZIP
 * Unicode Path field, if its CRC matches the name in the header (a tool that renamed the entry
 * without knowing the field leaves a stale one, which is passed over); else code page 437.
 */
export function decodeEntryName(raw: RawEntryName): DecodedName {
  const shown = raw.nameBytes.toString('utf8');
  if ((raw.flags & UTF8_FLAG) !== 0) {
    const name = utf8Of(raw.nameBytes);
    return name === null
      ? { problem: `"${shown}" is marked as having a UTF-8 name, but the name’s bytes are not UTF-8 (shown with � where they break)` }
      : { name, from: 'utf-8' };
  }
  const field = extraField(raw.extra, UNICODE_PATH);
  if (field && field.length >= 5 && field[0] === 1 && field.readUInt32LE(1) === crc32(raw.nameBytes) >>> 0) {
    const name = utf8Of(field.subarray(5));
    return name === null
      ? { problem: `"${decodeCp437(raw.nameBytes)}" carries a Unicode name (Info-ZIP’s field) whose bytes are not UTF-8` }
      : { name, from: 'unicode-path' };
  }
  return { name: decodeCp437(raw.nameBytes), from: 'cp437' };
}
