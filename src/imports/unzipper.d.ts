// The part of unzipper 0.10 examgate uses: reading a ZIP's central directory from a buffer.
// The package ships no types; entries are inflated by src/imports/zip-archive.ts itself (node:zlib),
// so only the directory's fields are declared.
declare module 'unzipper' {
  export interface CentralDirectoryEntry {
    /** The name read as UTF-8, whatever the entry says (zip-archive.ts decodes it again from `pathBuffer`). */
    path: string;
    /** The name's bytes as the central directory holds them. */
    pathBuffer: Buffer;
    /** 'Directory' when the name ends in a slash and it holds nothing. */
    type: 'File' | 'Directory';
    /** General purpose bit flags: bit 0 = encrypted, bit 11 = UTF-8 name. */
    flags: number;
    /** 0 = stored, 8 = deflated, 99 = AES (WinZip). */
    compressionMethod: number;
    compressedSize: number;
    uncompressedSize: number;
    crc32: number;
    offsetToLocalFileHeader: number;
  }
  export interface CentralDirectory {
    files: CentralDirectoryEntry[];
    numberOfRecords: number;
    /** Where the central directory starts in the buffer (its records follow one another from there). */
    offsetToStartOfCentralDirectory: number;
  }
  export const Open: {
    /** `tailSize`: how many bytes at the end are searched for the end record (80 unless said; a ZIP comment sits there too). */
    buffer(buffer: Buffer, options?: { tailSize?: number }): Promise<CentralDirectory>;
  };
}
