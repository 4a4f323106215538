import type { TestCertificateFiles, TestCertificates } from '../test/support/tls/certificates.js';
import type { BenchDatabase } from './databases.js';
import type { SectionReport } from './report.js';

/** What every section gets from bench/run.ts. */
export interface BenchContext {
  /** --quick: a short run to see that everything works; figures are not for the record. */
  quick: boolean;
  /** The databases this run covers (SQLite always; PostgreSQL when reachable). */
  databases: BenchDatabase[];
  /** Databases that were asked for but could not be used, with the reason. */
  skippedDatabases: Array<{ label: string; reason: string }>;
  /** --cpu-prof DIR: tool processes write V8 CPU profiles there when they stop. */
  cpuProfileDir?: string;
  /** --compare-checkout DIR (repeatable): also measure the examgate of other working copies (before/after a change). */
  compareCheckouts: string[];
  /** Numeric overrides from the command line (--runs, --launches, --concurrency), if given. */
  overrides: { runs?: number; launches?: number; concurrency?: number };
  /** A CA made for this run and a certificate for 127.0.0.1: the https LMSs examgate's production build insists on. */
  tls: TestCertificates & TestCertificateFiles;
  /** Progress for the person watching (stderr). */
  log(message: string): void;
}

/**
 * One part of BENCHMARKS.md. bench/sections/index.ts lists them; `--only <id>` runs a subset
 * and the report keeps the other sections from their last run.
 */
export interface BenchSection {
  id: string;
  title: string;
  run(ctx: BenchContext): Promise<SectionReport>;
}
