import os from 'node:os';

export interface MachineInfo {
  date: string;
  cpuModel: string;
  cores: number;
  memoryGiB: string;
  platform: string;
  node: string;
  /** Server version, when a PostgreSQL run took place. */
  postgres?: string;
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
