import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { QueryTypes, Sequelize } from 'sequelize';
import { parseDatabaseUrl } from '../../src/db/database.js';
import { migrations } from '../../src/db/migrations/index.js';
import { connectSequelize } from '../../src/db/sequelize.js';
import { openInAndHandedOff } from '../../src/db/migrations/0008-open-in-and-handed-off.js';

/** A database of its own for the run's dialect: a SQLite file, or a PostgreSQL database beside the test database. */
async function scratchDatabase(): Promise<{ sequelize: Sequelize; drop(): Promise<void> }> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    const dir = mkdtempSync(path.join(tmpdir(), 'examgate-migration-'));
    const sequelize = await connectSequelize(parseDatabaseUrl(`sqlite:${path.join(dir, 'db.sqlite')}`));
    return {
      sequelize,
      drop: async () => {
        await sequelize.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const scratch = new URL(url);
  scratch.pathname = `${scratch.pathname}_migration_0008`;
  const name = scratch.pathname.slice(1);
  const admin = new Sequelize(url, { logging: false });
  await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
  await admin.query(`CREATE DATABASE "${name}"`);
  const sequelize = await connectSequelize(parseDatabaseUrl(scratch.href));
  return {
    sequelize,
    drop: async () => {
      await sequelize.close();
      await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
      await admin.close();
    },
  };
}

describe('migration 0008: where a test opens, and attempts handed off before they start', () => {
  let db: Awaited<ReturnType<typeof scratchDatabase>>;
  const now = new Date('2030-06-15T07:00:00.000Z');
  const later = new Date('2030-06-15T07:30:00.000Z');

  before(async () => {
    db = await scratchDatabase();
    const qi = db.sequelize.getQueryInterface();
    for (const migration of migrations.slice(0, migrations.indexOf(openInAndHandedOff))) {
      await migration.up(qi);
    }
    // Rows as the release before wrote them: "started" was recorded at hand-off time.
    await qi.bulkInsert('lms_platforms', [platformRow()]);
    await qi.bulkInsert('courses', [{ id: 'course-1', platform_id: 'platform-1', context_id: 'c', created_at: now, updated_at: now }]);
    await qi.bulkInsert('exams', [examRow()]);
    await qi.bulkInsert('candidates', [
      candidateRow('waiting', 'not_started', null, null),
      candidateRow('running', 'started', now, null),
      candidateRow('done', 'finished', now, later),
    ]);
    await openInAndHandedOff.up(qi);
  });
  after(() => db?.drop());

  const candidates = () =>
    db.sequelize.query<{ id: string; attempt_state: string; handed_off_at: string | Date | null; started_at: string | Date | null }>(
      'SELECT id, attempt_state, handed_off_at, started_at FROM candidates ORDER BY id',
      { type: QueryTypes.SELECT },
    );
  const iso = (value: string | Date | null) => (value === null ? null : new Date(value).toISOString());

  it('when it runs over a test and attempts under way, then the test opens in a new tab and each attempt was handed off when it started', async () => {
    const [exam] = await db.sequelize.query<{ open_in: string }>('SELECT open_in FROM exams', { type: QueryTypes.SELECT });
    expect(exam!.open_in).to.equal('new_tab');
    const rows = (await candidates()).map((c) => ({
      id: c.id,
      state: c.attempt_state,
      handedOff: iso(c.handed_off_at),
      started: iso(c.started_at),
    }));
    expect(rows).to.deep.equal([
      { id: 'done', state: 'finished', handedOff: now.toISOString(), started: now.toISOString() },
      { id: 'running', state: 'started', handedOff: now.toISOString(), started: now.toISOString() },
      { id: 'waiting', state: 'not_started', handedOff: null, started: null },
    ]);
  });

  it('when it is reverted, then an attempt only handed off is started again, as the release before knew it', async () => {
    await db.sequelize.query(
      "UPDATE candidates SET attempt_state = 'handed_off', handed_off_at = :later, started_at = NULL WHERE id = 'waiting'",
      {
        replacements: { later },
      },
    );
    await openInAndHandedOff.down(db.sequelize.getQueryInterface());
    const rows = await db.sequelize.query<{ id: string; attempt_state: string; started_at: string | Date | null }>(
      "SELECT id, attempt_state, started_at FROM candidates WHERE id = 'waiting'",
      { type: QueryTypes.SELECT },
    );
    expect(rows.map((r) => ({ state: r.attempt_state, started: iso(r.started_at) }))).to.deep.equal([
      { state: 'started', started: later.toISOString() },
    ]);
    // Every candidate of the one test is still there: the composite unique indexes stayed composite.
    expect(await db.sequelize.query('SELECT id FROM candidates', { type: QueryTypes.SELECT })).to.have.length(3);
    const columns = await db.sequelize.getQueryInterface().describeTable('candidates');
    expect(columns).not.to.have.property('handed_off_at');
    expect(await db.sequelize.getQueryInterface().describeTable('exams')).not.to.have.property('open_in');
  });

  function platformRow() {
    return {
      id: 'platform-1',
      ...PLATFORM_COLUMNS,
      created_at: now,
      updated_at: now,
    };
  }
  function examRow() {
    return {
      id: 'exam-1',
      course_id: 'course-1',
      title: 'Old test',
      description: '',
      status: 'active',
      time_zone: 'UTC',
      candidate_id_policy: 'lms_id',
      roster_roles: 'learners',
      enrol_on_launch: true,
      max_candidates: 1500,
      is_demo: false,
      next_anonymous_number: 1,
      created_at: now,
      updated_at: now,
    };
  }
  function candidateRow(id: string, state: string, startedAt: Date | null, finishedAt: Date | null) {
    return {
      id,
      exam_id: 'exam-1',
      candidate_id: id,
      source: 'manual',
      extra_time_minutes: 0,
      status: 'active',
      edited_fields: '',
      attempt_state: state,
      attempt_ref: state === 'not_started' ? null : `ref-${id}`,
      started_at: startedAt,
      finished_at: finishedAt,
      created_at: now,
      updated_at: now,
    };
  }
});

/** The NOT NULL columns of lms_platforms as migrations 0001–0006 leave them. */
const PLATFORM_COLUMNS = {
  issuer: 'https://lms.example.edu',
  client_id: 'client',
  name: 'LMS',
  preset: 'generic',
  ltijs_platform_id: 'ltijs-1',
  auth_url: 'https://lms.example.edu/auth',
  token_url: 'https://lms.example.edu/token',
  jwks_url: 'https://lms.example.edu/jwks',
};
