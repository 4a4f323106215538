import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { commitBulk, previewBulk } from '../support/bulk-upload.js';
import { startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { adminAccount, institutionSignIn, platformIdOf } from '../support/institution.js';

/** The rows a page's table lists: the usernames of its "add" list, or the raw lines of its rejections. */
const listedNames = (html: string, prefix: string) => [...html.matchAll(new RegExp(`>(${prefix}\\d{3})[,<]`, 'g'))].map((m) => m[1]);

describe('Import pages: what they list of a big file, and the report CSV with every row', function () {
  this.timeout(120_000);
  let world: TestWorld;
  let cookie: string;

  before(async () => {
    world = await startWorld();
    await adminAccount(world, await platformIdOf(world));
    cookie = (await institutionSignIn(world, 'exam-office')).cookie;
  });
  beforeEach(async () => {
    for (const table of ['permanent_password_queue', 'permanent_password_handouts', 'import_parts', 'imports', 'permanent_users']) {
      await world.examgate.sequelize.query(`DELETE FROM ${table}`);
    }
  });

  // 205 additions and 203 rejections (a space in the username), interleaved.
  const file = () => {
    const rows: string[] = ['Username,Password'];
    for (let i = 0; i < 205; i += 1) {
      rows.push(`ok${String(i).padStart(3, '0')},Good-Pass${i}x`);
      if (i < 203) {
        rows.push(`bad ${String(i).padStart(3, '0')},Good-Pass${i}x`);
      }
    }
    return `${rows.join('\r\n')}\r\n`;
  };

  it('when a preview has more than 200 lines of an outcome, then the page lists the first 200 of each and counts the rest; the CSV has every row; a preview stored without its list is read whole, with the same page', async () => {
    const preview = await previewBulk(world, cookie, file());
    expect(preview.status).to.equal(200);
    const added = listedNames(preview.text, 'ok');
    expect(added).to.deep.equal(Array.from({ length: 200 }, (_, i) => `ok${String(i).padStart(3, '0')}`));
    expect(preview.text).to.contain('… and 5 more, in the CSV.').and.contain('… and 3 more, in the CSV.');
    expect(listedNames(preview.text, 'bad ')).to.have.length(200);

    const csv = await request(world.url).get(`${preview.path}/report.csv`).set('cookie', cookie);
    expect(csv.status).to.equal(200);
    const lines = csv.text.replace('\ufeff', '').trim().split(/\r\n/);
    expect(lines).to.have.length(1 + 205 + 203);
    expect(lines.filter((l) => l.includes('ok204'))).to.have.length(1);
    expect(lines.filter((l) => l.includes('bad 202'))).to.have.length(1);

    // As a preview stored before `listed` was kept: the page reads every line instead, and shows the same.
    await world.examgate.sequelize.query('UPDATE imports SET listed = NULL');
    const old = await request(world.url).get(preview.path).set('cookie', cookie);
    expect(old.status).to.equal(200);
    const strip = (html: string) => html.replace(/name="_csrf" value="[^"]+"/g, '');
    expect(strip(old.text)).to.equal(strip(preview.text));

    const committed = await commitBulk(world, cookie, { path: preview.path, text: old.text });
    expect(committed.status).to.equal(303);
    const report = await request(world.url).get(String(committed.headers.location)).set('cookie', cookie);
    expect(listedNames(report.text, 'ok')).to.have.length(200);
    expect(report.text).to.contain('… and 5 more, in the CSV.');
  });
  it('when a preview was stored before its lines and payload were kept in parts (whole, in imports.lines and imports.payload), then it still shows, commits every row and gives its report CSV', async () => {
    const preview = await previewBulk(world, cookie, file());
    expect(preview.status).to.equal(200);
    const { sequelize } = world.examgate;
    const id = preview.path.split('/').pop()!;
    // The preview as the version before migration 0026 stored it: every line and the payload as one JSON text each, no parts.
    const whole = async (part: string) => {
      const rows = await sequelize.query<{ body: string }>(
        'SELECT body FROM import_parts WHERE import_id = :id AND part = :part ORDER BY seq',
        {
          replacements: { id, part },
          type: QueryTypes.SELECT,
        },
      );
      return JSON.stringify(rows.flatMap((r) => JSON.parse(r.body) as unknown[]));
    };
    const lines = await whole('lines');
    const payload = await whole('payload');
    await sequelize.query('UPDATE imports SET lines = :lines, payload = :payload, listed = NULL WHERE id = :id', {
      replacements: { id, lines, payload },
    });
    await sequelize.query('DELETE FROM import_parts WHERE import_id = :id', { replacements: { id } });

    const old = await request(world.url).get(preview.path).set('cookie', cookie);
    expect(old.status).to.equal(200);
    expect(listedNames(old.text, 'ok')).to.have.length(200);
    const committed = await commitBulk(world, cookie, { path: preview.path, text: old.text });
    expect(committed.status).to.equal(303);
    const [stored] = await sequelize.query<{ n: number | string }>("SELECT COUNT(*) AS n FROM permanent_users WHERE username LIKE 'ok%'", {
      type: QueryTypes.SELECT,
    });
    expect(Number(stored?.n)).to.equal(205);
    const [after] = await sequelize.query<{ payload: string | null }>('SELECT payload FROM imports WHERE id = :id', {
      replacements: { id },
      type: QueryTypes.SELECT,
    });
    expect(after?.payload, 'the payload (sealed passwords) goes with the commit').to.equal(null);
    const csv = await request(world.url).get(`${preview.path}/report.csv`).set('cookie', cookie);
    const rows = csv.text.replace('\ufeff', '').trim().split(/\r\n/);
    expect(rows).to.have.length(1 + 205 + 203);
    expect(rows.filter((l) => l.includes(',added,'))).to.have.length(205);
  });

  it('when a preview is committed, then its payload parts go with the commit and its lines stay for the report', async () => {
    const preview = await previewBulk(world, cookie, file());
    const id = preview.path.split('/').pop()!;
    const { sequelize } = world.examgate;
    const parts = () =>
      sequelize.query<{ part: string; n: number | string }>(
        'SELECT part, COUNT(*) AS n FROM import_parts WHERE import_id = :id GROUP BY part ORDER BY part',
        {
          replacements: { id },
          type: QueryTypes.SELECT,
        },
      );
    expect((await parts()).map((p) => [p.part, Number(p.n)])).to.deep.equal([
      ['lines', 1],
      ['payload', 1],
    ]);
    expect((await commitBulk(world, cookie, preview)).status).to.equal(303);
    expect((await parts()).map((p) => [p.part, Number(p.n)])).to.deep.equal([['lines', 1]]);
  });
});
