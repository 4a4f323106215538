import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

export interface MachineInfo {
  date: string;
  cpuModel: string;
  cores: number;
  memoryGiB: string;
  platform: string;
  node: string;
  /** Server version, when a PostgreSQL run took place. */
  postgres?: string;
  /** The git commit measured, and whether the working tree differed from it. */
  commit: string;
}

const REPO = path.resolve(import.meta.dirname, '..');

/** `abc1234` or `abc1234 + uncommitted changes` (BENCHMARKS.md itself, the bench's output, does not count). */
export function describeCommit(): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO, encoding: 'utf8' }).trim();
  try {
    const commit = git('rev-parse', '--short=12', 'HEAD');
    const changed = git('status', '--porcelain', '--', '.', ':(exclude)BENCHMARKS.md');
    return changed ? `${commit} + uncommitted changes` : commit;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

/** What the figures were measured on, from node:os. */
export function describeMachine(postgres?: string): MachineInfo {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus.length,
    memoryGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    postgres,
    commit: describeCommit(),
  };
}

/** Busy fraction of all cores between two os.cpus() snapshots (0..1). */
export function machineBusy(before: os.CpuInfo[], after: os.CpuInfo[]): number {
  let busy = 0;
  let total = 0;
  after.forEach((cpu, i) => {
    const prev = before[i];
    if (!prev) {
      return;
    }
    const times = (c: os.CpuInfo) => c.times.user + c.times.nice + c.times.sys + c.times.irq;
    const all = (c: os.CpuInfo) => times(c) + c.times.idle;
    busy += times(cpu) - times(prev);
    total += all(cpu) - all(prev);
  });
  return total > 0 ? busy / total : 0;
}
