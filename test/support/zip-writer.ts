import { crc32, deflateRawSync } from 'node:zlib';

/** One entry of a hand-made ZIP; the `declare`/`flags` knobs let a test build archives that lie or that tools refuse to make. */
export interface ZipWriterEntry {
  name: string;
  data: Buffer | string;
  /** 'deflate' unless said. */
  method?: 'deflate' | 'store';
  /** The uncompressed size the headers claim (a bomb understates it). */
  declaredSize?: number;
  /** Extra general-purpose flag bits (1 = encrypted). */
  flags?: number;
  /** The name's bytes as written (a Windows archiver's code page 437, or broken UTF-8); `name` encoded as UTF-8 unless said. */
  nameBytes?: Buffer;
  /** Whether bit 11 (UTF-8 name) is set: true unless said. */
  utf8?: boolean;
  /** Extra fields, written in the local header and the central directory alike. */
  extra?: Buffer;
}

/**
 * Writes a ZIP by hand (local headers, central directory, end record) so the tests control
 * every field; `archiver` would refuse to lie about sizes or mark an entry encrypted.
 */
export function writeZip(entries: readonly ZipWriterEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const data = Buffer.isBuffer(entry.data) ? entry.data : Buffer.from(entry.data, 'utf8');
    const method = entry.method === 'store' ? 0 : 8;
    const packed = method === 8 ? deflateRawSync(data) : data;
    const name = entry.nameBytes ?? Buffer.from(entry.name, 'utf8');
    const extra = entry.extra ?? Buffer.alloc(0);
    const size = entry.declaredSize ?? data.length;
    const flags = (entry.utf8 === false ? 0 : 0x800) | (entry.flags ?? 0);
    const crc = crc32(data) >>> 0;

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(extra.length, 28);
    locals.push(local, name, extra, packed);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name, extra);
    offset += local.length + name.length + extra.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** The smallest real JPEG and PNG headers a photo check accepts (the bytes after them do not matter to it). */
export const JPEG = (size = 64) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(Math.max(0, size - 4), 7)]);
export const PNG = (size = 64) =>
  Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
    Buffer.from('IHDR', 'latin1'),
    Buffer.alloc(Math.max(0, size - 16), 3),
  ]);

/** Info-ZIP's Unicode Path extra field (0x7075) for a header name of these bytes; `crcOf` lets a test make a stale one. */
export function unicodePathField(utf8Name: string, headerName: Buffer, crcOf: Buffer = headerName): Buffer {
  const name = Buffer.from(utf8Name, 'utf8');
  const field = Buffer.alloc(9);
  field.writeUInt16LE(0x7075, 0);
  field.writeUInt16LE(5 + name.length, 2);
  field.writeUInt8(1, 4);
  field.writeUInt32LE(crc32(crcOf) >>> 0, 5);
  return Buffer.concat([field, name]);
}
