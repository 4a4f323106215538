import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Response } from 'express';

export interface DownloadFile {
  contentType: string;
  /** The name the browser saves the file under (any text; made safe here). */
  filename: string;
}

/** The client closed the connection before the file was complete. */
export class DownloadAbortedError extends Error {
  constructor() {
    super('The client closed the connection before the download was complete.');
    this.name = 'DownloadAbortedError';
  }
}

/** An ASCII fallback name and the real one (RFC 6266 / 5987), so a title in any script survives. */
function disposition(filename: string): string {
  const ascii = filename.normalize('NFKD').replace(/[^A-Za-z0-9._-]+/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * Waits until `out` wants more, or fails when the client went away (a destroyed response never
 * drains: without this the export would wait for ever). `source` is what says drain, when the
 * writer writes into a stream piped to `out`.
 */
export async function drained(out: Writable, source: NodeJS.EventEmitter = out): Promise<void> {
  if (out.destroyed) {
    throw new DownloadAbortedError();
  }
  const stop = new AbortController();
  try {
    await Promise.race([
      once(source, 'drain', { signal: stop.signal }),
      once(out, 'close', { signal: stop.signal }).then(() => Promise.reject(new DownloadAbortedError())),
    ]);
  } finally {
    stop.abort();
  }
}

/** Fails when `out` closes before it finished (the client went away); stays pending otherwise. */
export function closedEarly(out: Writable): Promise<never> {
  return new Promise((_resolve, reject) => {
    out.once('close', () => {
      if (!out.writableFinished) {
        reject(new DownloadAbortedError());
      }
    });
  });
}

/**
 * Reads the first batch before anything is sent: a refusal or a failure up to there is still
 * an ordinary error page, not a broken download.
 */
export async function primed<T>(source: AsyncIterable<T>): Promise<AsyncIterable<T>> {
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  return {
    async *[Symbol.asyncIterator]() {
      try {
        for (let next = first; !next.done; next = await iterator.next()) {
          yield next.value;
        }
      } finally {
        await iterator.return?.();
      }
    },
  };
}

/**
 * Sends a streamed download: the headers, then whatever `write` writes to the response. A
 * failure after the first byte cannot become an error page any more, so the connection is cut:
 * the browser shows a failed download, never a silently short file.
 */
export async function sendDownload<T>(res: Response, file: DownloadFile, write: (out: Writable) => Promise<T>): Promise<T> {
  res.status(200);
  res.set({ 'Content-Type': file.contentType, 'Content-Disposition': disposition(file.filename), 'Cache-Control': 'no-store' });
  try {
    return await write(res);
  } catch (err) {
    if (!res.headersSent) {
      res.removeHeader('Content-Disposition');
      throw err;
    }
    res.destroy(err instanceof Error ? err : new Error(String(err)));
    throw err;
  }
}
