import { promisify } from 'node:util';
import { crc32, inflateRaw } from 'node:zlib';
import { Open, type CentralDirectory, type CentralDirectoryEntry } from 'unzipper';
import { decodeEntryName } from './zip-names.js';

const inflate = promisify(inflateRaw);

/** What one ZIP may hold: the caller's settings. */
export interface ZipLimits {
  /** Entries in the central directory (folders included). */
  maxEntries: number;
  /** Bytes of every entry together once unpacked. */
  maxUnpackedBytes: number;
  /** Unpacked / packed size of one entry (photos stay near 1, a CSV near 5; a bomb is in the hundreds). */
  maxRatio: number;
}

/** One file of the archive: its bytes, or why it was left packed (too large for what it is). */
export type ZipEntry = { name: string; bytes: Buffer } | { name: string; tooLarge: { size: number; limit: number } };

/** The whole archive is refused: the message names the entry and says what to do. */
export class ZipRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipRefusedError';
  }
}

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
/** The end record (22 bytes) plus a comment of up to 4 KB (zip -z writes one; unzipper looks at 80 bytes by default). */
const END_SEARCH_BYTES = 22 + 4096;
const STORED = 0;
const DEFLATED = 8;
/** Below this, a high ratio is a short repetitive text, not a bomb. */
const RATIO_FLOOR_BYTES = 64 * 1024;
/** Longer names are no photo of a username (at most 500 characters) and would not fit where entries are kept. */
export const MAX_NAME_CHARS = 1000;
const quoted = (name: string) => `"${Array.from(name).slice(0, 120).join('')}"`;

/** Why a name may not be unpacked anywhere (null: fine): a path that climbs out, starts at a root, or uses backslashes. */
export function unsafeName(name: string): string | null {
  if (name.includes('\\')) {
    return `${quoted(name)} uses a backslash: ZIP names separate folders with "/" (the archive was made by a tool that breaks the format, or on purpose).`;
  }
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) {
    return `${quoted(name)} is an absolute path: entries must be relative (photos/anna.jpg).`;
  }
  if (name.split('/').some((part) => part === '..')) {
    return `${quoted(name)} climbs out of the archive with "..": such a ZIP is refused.`;
  }
  if (Array.from(name).some((c) => c.charCodeAt(0) < 0x20)) {
    return `${quoted(name)} has a control character in its name.`;
  }
  return null;
}

async function directoryOf(bytes: Buffer): Promise<CentralDirectoryEntry[]> {
  let directory: CentralDirectory;
  try {
    directory = await Open.buffer(bytes, { tailSize: END_SEARCH_BYTES });
  } catch {
    throw new ZipRefusedError('The file is not a readable ZIP archive (its table of contents is missing or damaged). Make the ZIP again.');
  }
  return named(bytes, directory);
}

/**
 * The entries with their names decoded as their archiver meant them (zip-names.ts): unzipper
 * reads every name as UTF-8, so a Windows ZIP's "jürgen" (code page 437) would come out as
 * "j�rgen", and it keeps no extra field but ZIP64's. The central directory is walked here
 * record by record, beside unzipper's reading of it, for each name's bytes and extra fields.
 */
function named(bytes: Buffer, directory: CentralDirectory): CentralDirectoryEntry[] {
  let at = directory.offsetToStartOfCentralDirectory;
  return directory.files.map((entry, index) => {
    const damaged = () => new ZipRefusedError(`The ZIP is damaged: entry ${index + 1} of its table of contents cannot be read.`);
    if (at + 46 > bytes.length || bytes.readUInt32LE(at) !== CENTRAL_HEADER) {
      throw damaged();
    }
    const nameEnd = at + 46 + bytes.readUInt16LE(at + 28);
    const extraEnd = nameEnd + bytes.readUInt16LE(at + 30);
    const nameBytes = bytes.subarray(at + 46, nameEnd);
    if (extraEnd > bytes.length || !nameBytes.equals(entry.pathBuffer)) {
      throw damaged();
    }
    const decoded = decodeEntryName({ nameBytes, flags: entry.flags, extra: bytes.subarray(nameEnd, extraEnd) });
    at = extraEnd + bytes.readUInt16LE(at + 32);
    if ('problem' in decoded) {
      throw new ZipRefusedError(`The ZIP is refused: entry ${index + 1}, ${decoded.problem}. Rename the file, or make the ZIP again.`);
    }
    return { ...entry, path: decoded.name };
  });
}

/** Refusals that need only the central directory: names, encryption, methods, declared sizes and ratios. */
function checkDirectory(entries: readonly CentralDirectoryEntry[], limits: ZipLimits): void {
  if (entries.length > limits.maxEntries) {
    throw new ZipRefusedError(`The ZIP holds ${entries.length} entries; at most ${limits.maxEntries} are accepted.`);
  }
  let declared = 0;
  const names = new Set<string>();
  for (const entry of entries) {
    const unsafe = unsafeName(entry.path);
    if (unsafe) {
      throw new ZipRefusedError(`The ZIP is refused: the entry ${unsafe}`);
    }
    if (Array.from(entry.path).length > MAX_NAME_CHARS) {
      throw new ZipRefusedError(
        `The ZIP is refused: an entry's name is longer than ${MAX_NAME_CHARS} characters (${quoted(entry.path)}…).`,
      );
    }
    if (names.has(entry.path)) {
      throw new ZipRefusedError(`The ZIP is refused: ${quoted(entry.path)} is in it twice.`);
    }
    names.add(entry.path);
    if ((entry.flags & 1) !== 0 || entry.compressionMethod === 99) {
      throw new ZipRefusedError(`The ZIP is refused: ${quoted(entry.path)} is encrypted. Make the ZIP again without a password.`);
    }
    if (entry.type === 'File' && entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED) {
      throw new ZipRefusedError(
        `The ZIP is refused: ${quoted(entry.path)} is packed with method ${entry.compressionMethod}; only "stored" and "deflate" (what every ZIP tool makes by default) are read.`,
      );
    }
    if (entry.uncompressedSize > RATIO_FLOOR_BYTES && entry.uncompressedSize > limits.maxRatio * Math.max(1, entry.compressedSize)) {
      throw new ZipRefusedError(
        `The ZIP is refused: ${quoted(entry.path)} would unpack ${Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize))} times its packed size (at most ${limits.maxRatio}): that is a ZIP bomb, not a photo or a CSV.`,
      );
    }
    declared += entry.uncompressedSize;
  }
  if (declared > limits.maxUnpackedBytes) {
    throw new ZipRefusedError(
      `The ZIP is refused: its entries would unpack to ${declared} bytes, more than the ${limits.maxUnpackedBytes} one upload may hold.`,
    );
  }
}

/** The packed bytes of an entry, found through its local header. */
function packedOf(bytes: Buffer, entry: CentralDirectoryEntry): Buffer {
  const at = entry.offsetToLocalFileHeader;
  if (at + 30 > bytes.length || bytes.readUInt32LE(at) !== LOCAL_HEADER) {
    throw new ZipRefusedError(`The ZIP is damaged: the entry ${quoted(entry.path)} is not where its table of contents says.`);
  }
  const start = at + 30 + bytes.readUInt16LE(at + 26) + bytes.readUInt16LE(at + 28);
  if (start + entry.compressedSize > bytes.length) {
    throw new ZipRefusedError(`The ZIP is damaged: the entry ${quoted(entry.path)} is cut short.`);
  }
  return bytes.subarray(start, start + entry.compressedSize);
}

/**
 * Unpacks an entry into memory, never past its declared size: zlib stops at `maxOutputLength`,
 * so a header that understates a bomb is caught by the bytes themselves, not trusted.
 */
async function unpack(packed: Buffer, entry: CentralDirectoryEntry): Promise<Buffer> {
  const lie = () =>
    new ZipRefusedError(
      `The ZIP is refused: ${quoted(entry.path)} unpacks to something else than its header says (${entry.uncompressedSize} bytes).`,
    );
  let bytes: Buffer;
  if (entry.compressionMethod === STORED) {
    bytes = packed;
  } else {
    try {
      bytes = await inflate(packed, { maxOutputLength: Math.max(1, entry.uncompressedSize) });
    } catch (err) {
      if (err instanceof RangeError || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw lie();
      }
      throw new ZipRefusedError(`The ZIP is damaged: ${quoted(entry.path)} cannot be unpacked.`);
    }
  }
  if (bytes.length !== entry.uncompressedSize) {
    throw lie();
  }
  if (crc32(bytes) >>> 0 !== entry.crc32 >>> 0) {
    throw new ZipRefusedError(`The ZIP is damaged: ${quoted(entry.path)} fails its checksum.`);
  }
  return bytes;
}

/**
 * Reads a ZIP held in memory (nothing is written to disk) through its central directory: every
 * name, encryption flag, method, declared size and ratio is checked before anything is unpacked,
 * then each file is unpacked with a byte cap. `limitOf(name)` is the most one file of that name
 * may be: a larger one is returned packed-and-refused (`tooLarge`), not unpacked. Throws
 * ZipRefusedError for an archive that cannot be taken as a whole.
 */
export async function readZip(bytes: Buffer, limits: ZipLimits, limitOf: (name: string) => number): Promise<ZipEntry[]> {
  const entries = await directoryOf(bytes);
  checkDirectory(entries, limits);
  const files: ZipEntry[] = [];
  let unpacked = 0;
  for (const entry of entries) {
    if (entry.type === 'Directory') {
      continue;
    }
    const limit = limitOf(entry.path);
    if (entry.uncompressedSize > limit) {
      files.push({ name: entry.path, tooLarge: { size: entry.uncompressedSize, limit } });
      continue;
    }
    const content = await unpack(packedOf(bytes, entry), entry);
    unpacked += content.length;
    if (unpacked > limits.maxUnpackedBytes) {
      throw new ZipRefusedError(`The ZIP is refused: it unpacks to more than the ${limits.maxUnpackedBytes} bytes one upload may hold.`);
    }
    files.push({ name: entry.path, bytes: content });
  }
  return files;
}

/** Does this upload look like a ZIP (its first bytes, whatever its name says)? */
export const looksLikeZip = (bytes: Buffer) => bytes.length >= 4 && bytes.readUInt32LE(0) === LOCAL_HEADER;
