import type { Response } from 'express';
import { drained } from './streamed-download.js';

/**
 * Streams a CSV download chunk by chunk, waiting whenever the client reads slower than the
 * database answers. A failure after the first byte cannot become an error page any more, so
 * the connection is cut: the browser shows a failed download, never a silently short file.
 */
export async function sendCsv(res: Response, filename: string, chunks: AsyncIterable<string>): Promise<void> {
  res.status(200);
  res.set({
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
    'Cache-Control': 'no-store',
  });
  try {
    for await (const chunk of chunks) {
      if (!res.write(chunk)) {
        // Fails rather than waits for ever when the client went away.
        await drained(res);
      }
    }
    res.end();
  } catch (err) {
    if (!res.headersSent) {
      throw err;
    }
    res.destroy(err instanceof Error ? err : new Error(String(err)));
  }
}
