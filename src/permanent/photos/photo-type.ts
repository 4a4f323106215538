/** The photo types a candidate photo may be, by what the bytes are (never by the file's name). */
export type PhotoType = 'image/jpeg' | 'image/png';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** JPEG (FF D8 FF, then a marker) or PNG (its 8-byte signature, then the IHDR chunk); null for anything else. */
export function photoTypeOf(bytes: Buffer): PhotoType | null {
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return 'image/jpeg';
  }
  if (bytes.length >= 16 && bytes.subarray(0, 8).equals(PNG_SIGNATURE) && bytes.subarray(12, 16).toString('latin1') === 'IHDR') {
    return 'image/png';
  }
  return null;
}

/** What the bytes look like instead, for a refusal ("a GIF image", "text"). */
export function describeBytes(bytes: Buffer): string {
  if (bytes.length === 0) {
    return 'it is empty';
  }
  const head = bytes.subarray(0, 8).toString('latin1');
  if (head.startsWith('GIF8')) {
    return 'its bytes are a GIF image';
  }
  if (head.startsWith('RIFF') && bytes.subarray(8, 12).toString('latin1') === 'WEBP') {
    return 'its bytes are a WebP image';
  }
  if (head.startsWith('%PDF')) {
    return 'its bytes are a PDF';
  }
  if (bytes.subarray(4, 12).toString('latin1').startsWith('ftyp')) {
    return 'its bytes are a HEIC/MP4 file (an iPhone photo? export it as JPEG)';
  }
  return 'its bytes are neither a JPEG nor a PNG image';
}
