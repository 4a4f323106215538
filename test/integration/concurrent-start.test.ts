import { expect } from 'chai';
import { startChildExamgate, tempDir, type ChildExamgate } from '../support/child-examgate.js';
import { separateDatabaseUrl } from '../support/test-database.js';

const databaseUrl = process.env.TEST_DATABASE_URL ?? '';

// Several processes on one server is how examgate scales out; a SQLite file is one machine's.
if (databaseUrl.startsWith('postgres')) {
  describe('several examgate processes started at once on an empty PostgreSQL', function () {
    this.timeout(120_000);
    let work: ReturnType<typeof tempDir>;
    let children: ChildExamgate[] = [];
    before(() => {
      work = tempDir('examgate-concurrent-');
    });
    after(async () => {
      await Promise.all(children.map((c) => c.stop()));
      work.remove();
    });

    it('when three start together (systemd starting its units at boot, a fresh upgrade), then every one migrates or waits, and all become ready', async () => {
      const url = await separateDatabaseUrl('concurrent');
      const started = await Promise.allSettled(
        [1, 2, 3].map(() => startChildExamgate({ cwd: work.dir, env: { NODE_ENV: 'test', DATABASE_URL: url } })),
      );
      children = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      const failures = started.flatMap((s) => (s.status === 'rejected' ? [String(s.reason)] : []));
      expect(failures, failures.join('\n---\n')).to.deep.equal([]);
      for (const child of children) {
        expect((await fetch(`${child.url}/readyz`)).status).to.equal(200);
      }
    });
  });
}
