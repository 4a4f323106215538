import { LoadBalancer } from '../../test/support/load-balancer.js';
import type { BenchContext } from '../section.js';
import { freePort, type ToolProcess } from '../tool-process.js';
import { startExamgateProcess } from './launch-tools.js';

/** Several examgate processes on one database behind one address. */
export interface ExamgateCluster {
  /** The balancer's address: every process's PUBLIC_URL. */
  url: string;
  processes: ToolProcess[];
  stop(): Promise<void>;
}

/**
 * `count` processes of the production build on `databaseUrl` (already migrated and set up by
 * another examgate), behind the bench's balancer spreading requests round robin, as README's
 * "Several processes" deploys them behind a proxy (nginx's default is round robin too). A
 * request may thus land on another process than the one before it, which then reads from the
 * database what the first one kept in memory (e.g. the session it just started).
 */
export async function startExamgateCluster(
  count: 2,
  databaseUrl: string,
  ctx: Pick<BenchContext, 'cpuProfileDir' | 'tls'>,
): Promise<ExamgateCluster> {
  const balancerPort = await freePort();
  const publicUrl = `http://127.0.0.1:${balancerPort}`;
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  const started = await Promise.allSettled(
    ports.map((port, i) => startExamgateProcess({ ctx, name: `examgate-${i + 1}-of-${count}`, port, publicUrl, databaseUrl })),
  );
  const processes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(processes.map((p) => p.stop()));
    throw failed.reason;
  }
  const balancer = new LoadBalancer({ a: `http://127.0.0.1:${ports[0]}`, b: `http://127.0.0.1:${ports[1]}` }, balancerPort);
  balancer.mode = 'round-robin';
  await balancer.start();
  return {
    url: balancer.url,
    processes,
    stop: async () => {
      await balancer.close();
      await Promise.all(processes.map((p) => p.stop()));
    },
  };
}
