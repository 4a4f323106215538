import { generateKeyPairSync, sign, verify } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import pg from 'pg';
import sqlite3 from 'sqlite3';
import { TOOLS_DIR } from './build.js';
import type { BenchDatabase } from './databases.js';
import { freePort, ToolProcess } from './tool-process.js';

/** What one part of the floor costs, in CPU milliseconds of the process doing it. */
export interface FloorFigures {
  rs256VerifyMs: number;
  httpExchangeMs: number;
  rowWriteMs: number;
}

const REPEAT = 2000;

/** CPU ms per call of `work`, run `times` times one after another in this process. */
async function cpuPerCall(times: number, work: (i: number) => unknown): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < times; i += 1) {
    await work(i);
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / times;
}

/** One RS256 verification of an id_token-sized JWT with a 2048-bit key, as a launch needs once. */
async function rs256Verify(): Promise<number> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingInput = Buffer.from(`${'h'.repeat(100)}.${'p'.repeat(1300)}`);
  const signature = sign('sha256', signingInput, privateKey);
  return cpuPerCall(REPEAT, () => verify('sha256', signingInput, publicKey, signature));
}

/** A bare node:http server's CPU per request and answer (keep-alive, as browsers and proxies talk). */
async function httpExchange(): Promise<number> {
  const port = await freePort();
  const server = await ToolProcess.start({
    entry: path.join(TOOLS_DIR, 'floor-http-server.js'),
    name: 'floor-http',
    ready: 'ipc',
    env: { PORT: String(port) },
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const get = () =>
    new Promise<void>((resolve, reject) => {
      http
        .get(`http://127.0.0.1:${port}/`, { agent }, (response) => {
          response.resume();
          response.on('end', resolve);
        })
        .on('error', reject);
    });
  try {
    await Promise.all(Array.from({ length: 200 }, get));
    const before = await server.cpuMs();
    for (let i = 0; i < REPEAT; i += 16) {
      await Promise.all(Array.from({ length: 16 }, get));
    }
    return ((await server.cpuMs()) - before) / REPEAT;
  } finally {
    agent.destroy();
    await server.stop();
  }
}

/** One single-row INSERT through the driver alone (no ORM), as a launch must write a few. */
async function rowWrite(db: BenchDatabase): Promise<number> {
  const url = await db.fresh('floor');
  const table = 'CREATE TABLE floor_rows (id TEXT PRIMARY KEY, payload TEXT NOT NULL, expires_at BIGINT NOT NULL)';
  const payload = 'x'.repeat(300);
  if (db.kind === 'postgres') {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(table);
      return await cpuPerCall(REPEAT, (i) =>
        client.query('INSERT INTO floor_rows (id, payload, expires_at) VALUES ($1, $2, $3)', [`row-${i}`, payload, Date.now()]),
      );
    } finally {
      await client.end();
    }
  }
  const database = new sqlite3.Database(url.slice('sqlite:'.length));
  const run = (sql: string, params: unknown[] = []) =>
    new Promise<void>((resolve, reject) => database.run(sql, params, (err: Error | null) => (err ? reject(err) : resolve())));
  try {
    // examgate's own SQLite settings (src/db/sequelize.ts), so the floor is the same engine's.
    await run('PRAGMA journal_mode = WAL');
    await run('PRAGMA synchronous = NORMAL');
    await run(table);
    return await cpuPerCall(REPEAT, (i) =>
      run('INSERT INTO floor_rows (id, payload, expires_at) VALUES (?, ?, ?)', [`row-${i}`, payload, Date.now()]),
    );
  } finally {
    await new Promise<void>((resolve) => database.close(() => resolve()));
  }
}

/** The physical floor's parts on this machine and database. */
export async function measureFloor(db: BenchDatabase): Promise<FloorFigures> {
  return { rs256VerifyMs: await rs256Verify(), httpExchangeMs: await httpExchange(), rowWriteMs: await rowWrite(db) };
}
