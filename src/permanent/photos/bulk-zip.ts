import { createHash } from 'node:crypto';
import { usernameKey } from '../../access/username-rules.js';
import { ImportFileError } from '../../imports/import.errors.js';
import { readZip, ZipRefusedError, type ZipEntry, type ZipLimits } from '../../imports/zip-archive.js';
import { describeBytes, photoTypeOf, type PhotoType } from './photo-type.js';

/** One photo entry of an upload's ZIP as staged for its preview: taken (bytes) or refused (reason). */
export interface StagedPhoto {
  entry: string;
  /** The username the name gives (photos/<username>.jpg), as a key; null when the name gives none. */
  usernameKey: string | null;
  size: number;
  photo: { contentType: PhotoType; bytes: Buffer; sha256: string } | null;
  refused: string | null;
  /** The users' CSV itself (listed with the photos so the preview names every file of the ZIP). */
  isCsv?: true;
}

export interface BulkZipSettings extends ZipLimits {
  /** The largest CSV (IMPORT_MAX_BYTES). */
  csvMaxBytes: number;
  /** The largest photo (PHOTO_MAX_BYTES). */
  photoMaxBytes: number;
}

export interface BulkZip {
  csv: { name: string; bytes: Buffer };
  photos: StagedPhoto[];
}

const PHOTO_NAME = /^photos\/([^/]+)\.(jpe?g|png)$/i;
/** What archivers add on their own (macOS's resource forks, Finder and Explorer caches): passed over in silence. */
const NOISE = /(^|\/)(__MACOSX\/|\.DS_Store$|Thumbs\.db$|desktop\.ini$)/i;
const isCsv = (name: string) => /\.csv$/i.test(name) && !name.startsWith('photos/');
const megabytes = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
/** For messages only: entries themselves are kept whole (readZip refuses names over MAX_NAME_CHARS). */
const cut = (name: string) => Array.from(name).slice(0, 200).join('');

function refusedPhoto(entry: string, size: number, reason: string, key: string | null = null): StagedPhoto {
  return { entry, usernameKey: key, size, photo: null, refused: reason };
}

/** One photo entry: its name and its bytes decide (never the extension alone). */
function photoOf(file: ZipEntry, photoMaxBytes: number): StagedPhoto {
  const match = PHOTO_NAME.exec(file.name);
  if (!match) {
    return refusedPhoto(
      file.name,
      'bytes' in file ? file.bytes.length : file.tooLarge.size,
      'not a photo: name photos as photos/<username>.jpg or .png (no sub-folders)',
    );
  }
  const key = usernameKey(match[1]!);
  if ('tooLarge' in file) {
    return refusedPhoto(
      file.name,
      file.tooLarge.size,
      `is ${megabytes(file.tooLarge.size)} (${file.tooLarge.size} bytes); a photo may be at most ${megabytes(photoMaxBytes)} (${photoMaxBytes} bytes)`,
      key,
    );
  }
  const contentType = photoTypeOf(file.bytes);
  if (!contentType) {
    return refusedPhoto(file.name, file.bytes.length, `not a JPEG or PNG photo: ${describeBytes(file.bytes)}`, key);
  }
  return {
    entry: file.name,
    usernameKey: key,
    size: file.bytes.length,
    photo: { contentType, bytes: file.bytes, sha256: createHash('sha256').update(file.bytes).digest('hex') },
    refused: null,
  };
}

/**
 * A bulk upload's ZIP: exactly one CSV (anywhere but photos/) and candidate photos as
 * photos/<username>.jpg|png. The archive as a whole is refused (ImportFileError naming the
 * entry) for a path that climbs out, encryption, a bomb, no CSV or more than one; a single bad
 * photo (too large, not really JPEG/PNG, badly named, a second one for a username) is only
 * refused itself, with its reason for the preview.
 */
export async function openBulkZip(bytes: Buffer, settings: BulkZipSettings): Promise<BulkZip> {
  let files: ZipEntry[];
  try {
    files = await readZip(bytes, settings, (name) =>
      NOISE.test(name) ? 0 : isCsv(name) ? settings.csvMaxBytes : name.startsWith('photos/') ? settings.photoMaxBytes : 0,
    );
  } catch (err) {
    if (err instanceof ZipRefusedError) {
      throw new ImportFileError(err.message);
    }
    throw err;
  }
  files = files.filter((f) => !NOISE.test(f.name));
  const csvs = files.filter((f) => isCsv(f.name));
  if (csvs.length !== 1) {
    throw new ImportFileError(
      csvs.length === 0
        ? 'The ZIP holds no CSV file: put the users’ CSV in it (beside a photos/ folder).'
        : `The ZIP holds ${csvs.length} CSV files (${csvs.map((f) => `"${cut(f.name)}"`).join(', ')}): put exactly one in it.`,
    );
  }
  const csv = csvs[0]!;
  if ('tooLarge' in csv) {
    throw new ImportFileError(
      `"${cut(csv.name)}" in the ZIP is ${megabytes(csv.tooLarge.size)}; a CSV may be at most ${megabytes(csv.tooLarge.limit)}.`,
    );
  }
  const photos: StagedPhoto[] = [{ entry: csv.name, usernameKey: null, size: csv.bytes.length, photo: null, refused: null, isCsv: true }];
  const taken = new Map<string, string>();
  for (const file of files) {
    if (file === csv) {
      continue;
    }
    if (!file.name.startsWith('photos/')) {
      photos.push(
        refusedPhoto(
          file.name,
          'bytes' in file ? file.bytes.length : file.tooLarge.size,
          'not read: only one CSV and photos/<username>.jpg|png belong in the ZIP',
        ),
      );
      continue;
    }
    const photo = photoOf(file, settings.photoMaxBytes);
    const first = photo.usernameKey === null ? undefined : taken.get(photo.usernameKey);
    if (photo.photo && first) {
      photos.push(refusedPhoto(file.name, photo.size, `a second photo for the same username (${first} is used)`, photo.usernameKey));
      continue;
    }
    if (photo.photo && photo.usernameKey !== null) {
      taken.set(photo.usernameKey, photo.entry);
    }
    photos.push(photo);
  }
  return { csv: { name: csv.name, bytes: csv.bytes }, photos };
}
