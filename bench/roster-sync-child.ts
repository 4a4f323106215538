/**
 * One database's roster-sync figures, measured in a process of its own (ltijs is a
 * process-wide singleton): examgate's production build (dist/, NODE_ENV=production) started
 * in-process as main.ts starts it, an https simulated LMS with a 5000-member course, syncs
 * started the way an instructor starts them. Prints one JSON line.
 *
 * The parent sets NODE_EXTRA_CA_CERTS (the bench's CA) and BENCH_TLS_KEY / BENCH_TLS_CERT (files).
 * Durations come from the job rows (started_at → finished_at): the sync itself, without
 * the wait for a runner to pick the job up. BENCH_ROSTER_PAGE_SIZE is the page examgate asks
 * for (NRPS_PAGE_SIZE); BENCH_ROSTER_REQUEST_COST_MS is what each NRPS request costs the
 * simulated LMS whatever its size, as a Moodle course's does.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { QueryTypes } from 'sequelize';
import type * as BootstrapModule from '../src/bootstrap.js';
import type * as ConfigModule from '../src/config.js';
import type * as LoggerModule from '../src/logger.js';
import { Browser, ROLE_INSTRUCTOR, ROLE_LEARNER, type RosterMember } from '../src/lms-sim/index.js';
import { toolConfiguration } from '../src/platforms/tool-configuration.js';
import { startHttpsLms } from '../test/support/https-lms.js';

/** examgate's compiled modules (bench/build.ts made them): the code measured is the production build's. */
async function fromBuild<T>(module: string): Promise<T> {
  return (await import(pathToFileURL(path.resolve(import.meta.dirname, '..', 'dist', 'src', module)).href)) as T;
}
const { bootstrap } = await fromBuild<typeof BootstrapModule>('bootstrap.js');
const { loadConfig } = await fromBuild<typeof ConfigModule>('config.js');
const { createLogger } = await fromBuild<typeof LoggerModule>('logger.js');

const MEMBERS = Number(process.env.BENCH_ROSTER_MEMBERS ?? 5000);
const RUNS = Number(process.env.BENCH_ROSTER_RUNS ?? 3);
const PAGE_SIZE = Number(process.env.BENCH_ROSTER_PAGE_SIZE ?? 1000);
const REQUEST_COST_MS = Number(process.env.BENCH_ROSTER_REQUEST_COST_MS ?? 0);

const server = createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const config = loadConfig({
  ...process.env,
  NODE_ENV: 'production',
  PUBLIC_URL: url,
  SECRET_KEY: 'bench-roster-secret-0123456789abcdef012345',
  LOG_LEVEL: 'silent',
  NRPS_PAGE_SIZE: String(PAGE_SIZE),
  // A charged request of a big page must not time out where it would not in production.
  NRPS_PAGE_TIMEOUT_SECONDS: '20',
});
const examgate = await bootstrap(config, createLogger(config));
server.on('request', examgate.app);
const https = await startHttpsLms(
  { clientId: 'bench-client', deploymentId: 'bench-deployment', pageSize: 100 },
  { key: readFileSync(String(process.env.BENCH_TLS_KEY), 'utf8'), cert: readFileSync(String(process.env.BENCH_TLS_CERT), 'utf8') },
);
const lms = https.lms;
lms.chargeNrpsRequests(REQUEST_COST_MS);
const nrpsRequestsSince = (count: number) => lms.requestLog.slice(count).filter((r) => r.path.startsWith('/nrps/')).length;
const tool = toolConfiguration(url);
lms.configureTool({ loginUrl: tool.loginUrl, launchUrl: tool.redirectUrl, jwksUrl: tool.jwksUrl });
await examgate.platforms.register(lms.registration, { actor: { kind: 'system' }, via: 'startup' });

const roster: RosterMember[] = Array.from({ length: MEMBERS }, (_, i) => ({
  user_id: `m-${i}`,
  roles: [ROLE_LEARNER],
  status: 'Active',
  name: `Member ${i}`,
  email: `member${i}@example.edu`,
}));
lms.setRoster('bench-course', roster);

const browser = new Browser();
await lms.launch(browser, { user: { sub: 'bench-teacher' }, roles: [ROLE_INSTRUCTOR], context: { id: 'bench-course' } });
const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';

async function settled(examId: string, after: Date): Promise<{ ms: number; result: Record<string, number> }> {
  for (;;) {
    const [job] = await examgate.sequelize.query<{
      status: string;
      started_at: string;
      finished_at: string;
      result: string;
      error: string;
    }>(
      `SELECT status, started_at, finished_at, result, error FROM jobs WHERE subject_id = :examId AND created_at >= :after ORDER BY created_at DESC`,
      { replacements: { examId, after }, type: QueryTypes.SELECT },
    );
    if (job?.status === 'failed') {
      throw new Error(`sync failed: ${job.error}`);
    }
    if (job?.status === 'succeeded') {
      return { ms: new Date(job.finished_at).getTime() - new Date(job.started_at).getTime(), result: JSON.parse(job.result) };
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const lastWrite = async (examId: string) =>
  (
    await examgate.sequelize.query<{ n: number; latest: string }>(
      'SELECT COUNT(*) AS n, MAX(updated_at) AS latest FROM candidates WHERE exam_id = :examId',
      {
        replacements: { examId },
        type: QueryTypes.SELECT,
      },
    )
  )[0];

const runs = [];
for (let run = 0; run < RUNS; run += 1) {
  const form = await browser.follow(`${url}/app/exams/new`);
  const before = new Date(Date.now() - 1000);
  const logBefore = lms.requestLog.length;
  // Opening the new test starts its first sync, as it does for an instructor.
  const created = await browser.follow(`${url}/app/exams`, {
    method: 'POST',
    form: { _csrf: csrfOf(form.body), title: `Bench ${run}`, timeZone: 'UTC', candidateIdPolicy: 'anonymous', rosterRoles: 'learners' },
  });
  // The new test's page, with the "created" message in its query.
  const examId = /\/app\/exams\/([0-9a-f-]{36})(?:\?|$)/.exec(created.url)?.[1];
  if (!examId) {
    throw new Error(`could not create a test: ${created.response.status} at ${created.url}: ${created.body.slice(0, 300)}`);
  }
  const first = await settled(examId, before);
  const firstRequests = nrpsRequestsSince(logBefore);
  const written = await lastWrite(examId);
  const page = await browser.follow(`${url}/app/exams/${examId}/candidates`);
  const resyncFrom = new Date();
  const logBeforeResync = lms.requestLog.length;
  await browser.follow(`${url}/app/exams/${examId}/roster-sync`, { method: 'POST', form: { _csrf: csrfOf(page.body) } });
  const resync = await settled(examId, resyncFrom);
  const resyncRequests = nrpsRequestsSince(logBeforeResync);
  const after = await lastWrite(examId);
  runs.push({
    firstMs: first.ms,
    firstResult: first.result,
    firstRequests,
    resyncMs: resync.ms,
    resyncResult: resync.result,
    resyncRequests,
    resyncWroteCandidates: JSON.stringify(after) !== JSON.stringify(written),
  });
}
process.stdout.write(`${JSON.stringify({ members: MEMBERS, pageSize: PAGE_SIZE, requestCostMs: REQUEST_COST_MS, runs })}\n`);
await https.close();
server.closeAllConnections();
server.close();
await examgate.close();
process.exit(0);
