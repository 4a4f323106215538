import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import JSZip from 'jszip';
import { openBulkZip } from '../../src/permanent/photos/bulk-zip.js';
import { photoTypeOf } from '../../src/permanent/photos/photo-type.js';
import { readZip, unsafeName, ZipRefusedError, type ZipLimits } from '../../src/imports/zip-archive.js';
import { decodeCp437, decodeEntryName } from '../../src/imports/zip-names.js';
import { ImportFileError } from '../../src/imports/import.errors.js';
import { JPEG, PNG, unicodePathField, writeZip } from '../support/zip-writer.js';

const LIMITS: ZipLimits = { maxEntries: 10, maxUnpackedBytes: 1_000_000, maxRatio: 100 };
const anySize = () => 1_000_000;

async function refusal(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a refusal');
}

describe('Reading a ZIP in memory (src/imports/zip-archive.ts)', () => {
  it('when entries are stored or deflated, then each comes back with its exact bytes', async () => {
    const photo = randomBytes(5000);
    const files = await readZip(
      writeZip([
        { name: 'a.csv', data: 'Username\r\nanna\r\n' },
        { name: 'photos/anna.jpg', data: photo, method: 'store' },
      ]),
      LIMITS,
      anySize,
    );
    expect(files.map((f) => ('bytes' in f ? [f.name, f.bytes.length] : [f.name, 'too large']))).to.deep.equal([
      ['a.csv', 16],
      ['photos/anna.jpg', 5000],
    ]);
    expect('bytes' in files[1]! && files[1].bytes.equals(photo)).to.equal(true);
  });

  it('when a real tool (JSZip, with data descriptors and folders) made the ZIP, then its CSV and photos come back', async () => {
    const zip = new JSZip();
    zip.file('export/users.csv', 'Username\r\nanna\r\n');
    zip.folder('photos')!.file('anna.jpg', JPEG(2000));
    const bytes = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', streamFiles: true });
    const opened = await openBulkZip(bytes, { ...LIMITS, csvMaxBytes: 10_000, photoMaxBytes: 4000 });
    expect(opened.csv.name).to.equal('export/users.csv');
    expect(opened.photos.map((p) => [p.entry, p.photo?.contentType ?? null])).to.deep.equal([
      ['export/users.csv', null],
      ['photos/anna.jpg', 'image/jpeg'],
    ]);
  });

  it('when the archive ends with a comment, then it is still read', async () => {
    const plain = writeZip([{ name: 'a.csv', data: 'Username\r\nanna\r\n' }]);
    const comment = Buffer.from('Made by the exam office export, term 2026/2, do not edit by hand. '.repeat(20));
    plain.writeUInt16LE(comment.length, plain.length - 2);
    const files = await readZip(Buffer.concat([plain, comment]), LIMITS, anySize);
    expect(files.map((f) => f.name)).to.deep.equal(['a.csv']);
  });

  it('when a name climbs out, starts at a root or uses a backslash, then it is named unsafe', () => {
    expect(unsafeName('photos/../../x.jpg')).to.contain('climbs out');
    expect(unsafeName('../x.csv')).to.contain('climbs out');
    expect(unsafeName('/etc/passwd')).to.contain('absolute path');
    expect(unsafeName('C:/x.csv')).to.contain('absolute path');
    expect(unsafeName('photos\\anna.jpg')).to.contain('backslash');
    expect(unsafeName('photos/anna\u0000.jpg')).to.contain('control character');
    expect(unsafeName('photos/anna..jpg')).to.equal(null);
    expect(unsafeName('photos/ånna.jpg')).to.equal(null);
  });

  it('when the archive has too many entries, too many bytes, a lying size, a bad checksum or an odd method, then it is refused naming why', async () => {
    const many = writeZip(Array.from({ length: 11 }, (_, i) => ({ name: `f${i}.txt`, data: 'x' })));
    expect((await refusal(readZip(many, LIMITS, anySize))).message).to.contain('holds 11 entries; at most 10');

    const big = writeZip([
      { name: 'a.bin', data: randomBytes(600_000), method: 'store' },
      { name: 'b.bin', data: randomBytes(600_000), method: 'store' },
    ]);
    expect((await refusal(readZip(big, LIMITS, anySize))).message).to.contain('would unpack to 1200000 bytes');

    // The header says 10 bytes, the data inflates to a megabyte: zlib stops at 10 and the lie is caught.
    const lying = writeZip([{ name: 'photos/anna.jpg', data: Buffer.alloc(1_000_000), declaredSize: 10 }]);
    expect((await refusal(readZip(lying, LIMITS, anySize))).message).to.contain(
      'unpacks to something else than its header says (10 bytes)',
    );

    const overstated = writeZip([{ name: 'a.csv', data: 'short', declaredSize: 50, method: 'store' }]);
    expect((await refusal(readZip(overstated, LIMITS, anySize))).message).to.contain('something else than its header says');

    const damaged = writeZip([{ name: 'a.csv', data: 'Username\r\nanna\r\n', method: 'store' }]);
    const at = 30 + 'a.csv'.length;
    damaged.writeUInt8(damaged.readUInt8(at) ^ 0xff, at);
    expect((await refusal(readZip(damaged, LIMITS, anySize))).message).to.contain('fails its checksum');

    const odd = writeZip([{ name: 'a.csv', data: 'x', method: 'store' }]);
    odd.writeUInt16LE(14, odd.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 10);
    expect((await refusal(readZip(odd, LIMITS, anySize))).message).to.contain('packed with method 14');

    const twice = writeZip([
      { name: 'a.csv', data: 'x' },
      { name: 'a.csv', data: 'y' },
    ]);
    expect((await refusal(readZip(twice, LIMITS, anySize))).message).to.contain('"a.csv" is in it twice');

    const long = writeZip([{ name: `photos/${'a'.repeat(1000)}.jpg`, data: 'x' }]);
    expect((await refusal(readZip(long, LIMITS, anySize))).message).to.contain('longer than 1000 characters');
    expect(await refusal(readZip(twice, LIMITS, anySize))).to.be.instanceOf(ZipRefusedError);
  });

  it('when an entry is larger than its kind may be, then it is returned as too large without being unpacked', async () => {
    const files = await readZip(writeZip([{ name: 'photos/a.jpg', data: randomBytes(3000) }]), LIMITS, () => 2000);
    expect(files).to.deep.equal([{ name: 'photos/a.jpg', tooLarge: { size: 3000, limit: 2000 } }]);
  });
});

describe('A bulk upload ZIP (src/permanent/photos/bulk-zip.ts)', () => {
  const settings = { ...LIMITS, csvMaxBytes: 10_000, photoMaxBytes: 4000 };

  it('when photos are misnamed, doubled, or something else sits beside them, then only those entries are refused', async () => {
    const zip = await openBulkZip(
      writeZip([
        { name: 'users.csv', data: 'Username\r\nanna\r\n' },
        { name: 'photos/anna.jpg', data: JPEG() },
        { name: 'photos/Anna.png', data: PNG() },
        { name: 'photos/class/bob.jpg', data: JPEG() },
        { name: 'photos/carl.gif', data: JPEG() },
        { name: 'notes.txt', data: 'hello' },
      ]),
      settings,
    );
    expect(zip.csv.name).to.equal('users.csv');
    expect(zip.photos.map((p) => [p.entry, p.photo?.contentType ?? null, p.refused])).to.deep.equal([
      ['users.csv', null, null],
      ['photos/anna.jpg', 'image/jpeg', null],
      ['photos/Anna.png', null, 'a second photo for the same username (photos/anna.jpg is used)'],
      ['photos/class/bob.jpg', null, 'not a photo: name photos as photos/<username>.jpg or .png (no sub-folders)'],
      ['photos/carl.gif', null, 'not a photo: name photos as photos/<username>.jpg or .png (no sub-folders)'],
      ['notes.txt', null, 'not read: only one CSV and photos/<username>.jpg|png belong in the ZIP'],
    ]);
  });

  it('when the CSV is too large, then the whole ZIP is refused with the CSV named', async () => {
    const err = await refusal(openBulkZip(writeZip([{ name: 'users.csv', data: 'x'.repeat(20_000) }]), settings));
    expect(err).to.be.instanceOf(ImportFileError);
    expect(err.message).to.contain('"users.csv" in the ZIP is');
  });

  it('when bytes claim to be a photo, then only JPEG and PNG magic numbers count', () => {
    expect(photoTypeOf(JPEG())).to.equal('image/jpeg');
    expect(photoTypeOf(PNG())).to.equal('image/png');
    expect(photoTypeOf(Buffer.from('GIF89a......'))).to.equal(null);
    expect(photoTypeOf(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).to.equal(null);
    expect(photoTypeOf(Buffer.alloc(0))).to.equal(null);
  });
});

describe('ZIP entry names that are not UTF-8 (src/imports/zip-names.ts)', () => {
  /** "photos/jürgen.jpg" as Windows' Explorer writes it: code page 437, where ü is 0x81. */
  const cp437Name = Buffer.concat([Buffer.from('photos/j'), Buffer.from([0x81]), Buffer.from('rgen.jpg')]);
  /** The few code page 437 letters these tests write (the table itself is checked byte by byte below). */
  const CP437_OF: Record<string, number> = { ü: 0x81, é: 0x82, å: 0x86, Ö: 0x99, ß: 0xe1 };
  /** As a binary string (one character per byte): what JSZip's encodeFileName returns. */
  const toCp437 = (text: string) => Array.from(text, (c) => String.fromCharCode(CP437_OF[c] ?? c.charCodeAt(0))).join('');
  const names = async (zip: Buffer) => (await readZip(zip, LIMITS, anySize)).map((f) => f.name);

  it('when bytes are code page 437, then the letters a username may have come out as those letters', () => {
    const bytes = [0x80, 0x81, 0x82, 0x84, 0x86, 0x8e, 0x8f, 0x90, 0x91, 0x92, 0x94, 0x98, 0x99, 0x9a, 0xa4, 0xa5, 0xe1];
    expect(decodeCp437(Uint8Array.from(bytes))).to.equal('ÇüéäåÄÅÉæÆöÿÖÜñÑß');
    expect(decodeCp437(Uint8Array.from([0x41, 0x7a, 0x2e, 0x5f, 0xb3, 0xff]))).to.equal('Az._│\u00a0');
    expect(Array.from(decodeCp437(Uint8Array.from(Array.from({ length: 256 }, (_, i) => i))))).to.have.length(256);
  });

  it('when the UTF-8 flag is set, then the name is UTF-8 (JSZip’s default, which also writes the Unicode Path field)', async () => {
    const zip = new JSZip();
    zip.file('users.csv', 'Username\r\njürgen\r\n');
    zip.file('photos/jürgen.jpg', JPEG());
    const bytes = await zip.generateAsync({ type: 'nodebuffer' });
    expect(await names(bytes)).to.deep.equal(['users.csv', 'photos/jürgen.jpg']);
    expect(decodeEntryName({ nameBytes: Buffer.from('photos/jürgen.jpg'), flags: 0x800, extra: Buffer.alloc(0) })).to.deep.equal({
      name: 'photos/jürgen.jpg',
      from: 'utf-8',
    });
  });

  it('when the flag is clear and the Unicode Path field matches the name, then the field’s name is used (JSZip with a code page 437 name)', async () => {
    const zip = new JSZip();
    zip.file('users.csv', 'Username\r\njürgen\r\n');
    zip.file('photos/jürgen.jpg', JPEG());
    zip.file('photos/Öster-åsa.png', PNG());
    const bytes = await zip.generateAsync({ type: 'nodebuffer', encodeFileName: toCp437 });
    expect(bytes.includes(cp437Name), 'the header holds the code page 437 name').to.equal(true);
    expect(await names(bytes)).to.deep.equal(['users.csv', 'photos/jürgen.jpg', 'photos/Öster-åsa.png']);

    // The field wins over code page 437 even where the two differ (here on purpose, to tell them apart).
    const field = unicodePathField('photos/jürgen-from-field.jpg', cp437Name);
    expect(decodeEntryName({ nameBytes: cp437Name, flags: 0, extra: field })).to.deep.equal({
      name: 'photos/jürgen-from-field.jpg',
      from: 'unicode-path',
    });
  });

  it('when the flag is clear and there is no field, or a stale one, then the name is code page 437', async () => {
    const stale = unicodePathField('photos/someone-else.jpg', cp437Name, Buffer.from('photos/old-name.jpg'));
    const zip = writeZip([
      { name: 'users.csv', data: 'Username\r\njürgen\r\n', utf8: false },
      { name: 'photos/jürgen.jpg', nameBytes: cp437Name, utf8: false, data: JPEG() },
      { name: 'photos/ße.jpg', nameBytes: Buffer.from(toCp437('photos/ße.jpg'), 'latin1'), utf8: false, data: JPEG(), extra: stale },
    ]);
    expect(await names(zip)).to.deep.equal(['users.csv', 'photos/jürgen.jpg', 'photos/ße.jpg']);
    const opened = await openBulkZip(zip, { ...LIMITS, csvMaxBytes: 10_000, photoMaxBytes: 4000 });
    expect(opened.photos.map((p) => [p.entry, p.usernameKey])).to.deep.equal([
      ['users.csv', null],
      ['photos/jürgen.jpg', 'jürgen'],
      ['photos/ße.jpg', 'ße'],
    ]);
  });

  it('when a name is marked UTF-8 but its bytes are not, then the ZIP is refused naming the entry', async () => {
    const broken = writeZip([
      { name: 'users.csv', data: 'Username\r\njürgen\r\n' },
      { name: 'photos/jürgen.jpg', nameBytes: cp437Name, data: JPEG() },
    ]);
    const err = await refusal(readZip(broken, LIMITS, anySize));
    expect(err).to.be.instanceOf(ZipRefusedError);
    expect(err.message).to.equal(
      'The ZIP is refused: entry 2, "photos/j\ufffdrgen.jpg" is marked as having a UTF-8 name, but the name’s bytes are not UTF-8 (shown with \ufffd where they break). Rename the file, or make the ZIP again.',
    );
    const bulk = await refusal(openBulkZip(broken, { ...LIMITS, csvMaxBytes: 10_000, photoMaxBytes: 4000 }));
    expect(bulk).to.be.instanceOf(ImportFileError);
    expect(bulk.message).to.contain('entry 2, "photos/j\ufffdrgen.jpg" is marked as having a UTF-8 name');
  });

  it('when a matching Unicode Path field holds bytes that are not UTF-8, then the ZIP is refused naming the entry', async () => {
    const field = unicodePathField('x', cp437Name);
    const bad = Buffer.concat([field.subarray(0, 2), Buffer.from([0x07, 0x00]), field.subarray(4, 9), Buffer.from([0x6a, 0xfc])]);
    const zip = writeZip([
      { name: 'users.csv', data: 'Username\r\n' },
      { name: 'photos/jürgen.jpg', nameBytes: cp437Name, utf8: false, data: JPEG(), extra: bad },
    ]);
    expect((await refusal(readZip(zip, LIMITS, anySize))).message).to.contain(
      'entry 2, "photos/jürgen.jpg" carries a Unicode name (Info-ZIP’s field) whose bytes are not UTF-8',
    );
  });
});
