/**
 * A mocha reporter: the usual spec output, then each test file's wall time (hooks and tests
 * apart), slowest first, so the suite's time can be put where it goes:
 *   npx mocha --reporter ./test/support/file-timings.cts test/integration
 * FILE_TIMINGS_TOP (default 20) limits the table; FILE_TIMINGS_JSON=path also writes every
 * file's numbers as JSON. CommonJS (.cts) because mocha require()s reporters and Node 20
 * cannot require an ES module; tsx compiles it like the tests.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS module imports with require (see above)
import fs = require('node:fs');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
import path = require('node:path');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
import Mocha = require('mocha');

interface FileTime {
  file: string;
  totalMs: number;
  hookMs: number;
  testMs: number;
  tests: number;
  slowest: { title: string; ms: number }[];
}

const ROOT = '(root hooks)';
const { EVENT_HOOK_BEGIN, EVENT_HOOK_END, EVENT_TEST_BEGIN, EVENT_TEST_END, EVENT_RUN_END } = Mocha.Runner.constants;

class FileTimings extends Mocha.reporters.Spec {
  private readonly files = new Map<string, FileTime>();
  private current = ROOT;
  private inHook = false;
  private since = process.hrtime.bigint();

  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    runner.on(EVENT_HOOK_BEGIN, (hook: Mocha.Hook) => {
      this.tick();
      this.current = fileOf(hook);
      this.inHook = true;
    });
    runner.on(EVENT_HOOK_END, () => {
      this.tick();
      this.inHook = false;
    });
    runner.on(EVENT_TEST_BEGIN, (test: Mocha.Test) => {
      this.tick();
      this.current = fileOf(test);
    });
    runner.on(EVENT_TEST_END, (test: Mocha.Test) => {
      this.tick();
      const entry = this.entry(fileOf(test));
      const ms = test.duration ?? 0;
      entry.tests += 1;
      entry.testMs += ms;
      entry.slowest = [...entry.slowest, { title: test.fullTitle(), ms }].sort((a, b) => b.ms - a.ms).slice(0, 3);
    });
    runner.once(EVENT_RUN_END, () => {
      this.tick();
      this.print();
    });
  }

  private entry(file: string): FileTime {
    let entry = this.files.get(file);
    if (!entry) {
      entry = { file, totalMs: 0, hookMs: 0, testMs: 0, tests: 0, slowest: [] };
      this.files.set(file, entry);
    }
    return entry;
  }

  /** The time since the last event belongs to the file whose runnable ran last (between files: the next one's hooks). */
  private tick(): void {
    const now = process.hrtime.bigint();
    const ms = Number(now - this.since) / 1e6;
    this.since = now;
    const entry = this.entry(this.current);
    entry.totalMs += ms;
    if (this.inHook) {
      entry.hookMs += ms;
    }
  }

  private print(): void {
    const rows = [...this.files.values()].sort((a, b) => b.totalMs - a.totalMs);
    const all = rows.reduce((sum, r) => sum + r.totalMs, 0);
    const top = Number(process.env.FILE_TIMINGS_TOP ?? 20);
    const s = (ms: number) => (ms / 1000).toFixed(1).padStart(7);
    const log = Mocha.reporters.Base.consoleLog;
    log('\n  Wall time per file (s):  total   hooks   tests  #tests  file');
    for (const r of rows.slice(0, top)) {
      log(`                         ${s(r.totalMs)} ${s(r.hookMs)} ${s(r.testMs)} ${String(r.tests).padStart(7)}  ${r.file}`);
    }
    log(`                         ${s(all)} in ${rows.length} files\n`);
    if (process.env.FILE_TIMINGS_JSON) {
      fs.writeFileSync(process.env.FILE_TIMINGS_JSON, JSON.stringify(rows, null, 2));
    }
  }
}

function fileOf(runnable: Mocha.Runnable): string {
  return runnable.file ? path.relative(process.cwd(), runnable.file) : ROOT;
}

export = FileTimings;
