import { availableParallelism } from 'node:os';

/**
 * Sizes libuv's thread pool before anything starts it (main.ts imports this first). scrypt,
 * SQLite's queries, file reads and DNS all run on that pool (4 threads by default): the
 * password hashing job runs one scrypt per core, so the pool needs one thread per core plus
 * room for the rest, or a hashing batch would hold every thread and a query wait behind it.
 * A value set by hand is kept (the job then hashes with one thread fewer than the pool).
 */
if (!process.env.UV_THREADPOOL_SIZE) {
  process.env.UV_THREADPOOL_SIZE = String(Math.max(4, availableParallelism() + 2));
}
