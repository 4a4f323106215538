import { expect } from 'chai';
import { resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { instructorOf } from '../support/course-session.js';
import { decodeSlipQr, seat, slipsOf, testWithOneTimeUsers } from '../support/handout.js';
import { openWaysIn, waysInRows } from '../support/ways-in.js';
import { shownCredentials } from '../support/one-time.js';

describe('Login slips and the invigilator sheet: one slip per candidate, by room, QR codes that read back', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });
  beforeEach(() => resetLaunchState(world));

  const slipsPath = (examId: string, query = '') => `/app/exams/${examId}/slips${query}`;

  it('when two candidates get slips, then each slip holds exactly its own username, password, code and link, and nothing of the other', async () => {
    const { teacher, examId } = await testWithOneTimeUsers(world, 2);
    const page = await teacher.get(slipsPath(examId));
    expect(page.response.status).to.equal(200);
    const slips = slipsOf(page.body);
    expect(slips).to.have.length(2);
    const ways = waysInRows((await openWaysIn(teacher, examId)).body);
    const logins = shownCredentials((await teacher.get(`/app/exams/${examId}/candidates`)).body);
    expect(page.body).to.contain('Thu 10 Dec 2026, 09:00 to 12:00 (Europe/Oslo)');
    for (const [i, slip] of slips.entries()) {
      const other = slips[1 - i]!;
      const way = ways.find((w) => w.id === slip.id)!;
      expect(slip.candidateId).to.equal(way.candidateId);
      expect(slip.code).to.equal(way.code);
      expect(slip.link).to.equal(way.link);
      expect(logins).to.deep.include({ username: slip.username, password: slip.password });
      for (const foreign of [other.username, other.password, other.code, other.link, other.candidateId]) {
        expect(slip.html, `slip ${slip.candidateId} shows ${foreign}`).not.to.contain(foreign!);
      }
      expect(decodeSlipQr(slip.svg!)).to.equal(slip.link);
    }
    expect(page.body).to.contain(`${world.url}/login`).and.contain(`${world.url}/enter`);
  });

  it('when candidates sit in several rooms, then slips run by building, room and candidate ID, each room on its own pages, and one room can be printed', async () => {
    const { teacher, examId, rows } = await testWithOneTimeUsers(world, 12);
    const places: Array<[string, string]> = [
      ['North', 'Room 10'],
      ['North', 'Room 2'],
      ['Annex', 'B'],
      ['North', 'Room 10'],
      ['Annex', 'A'],
      ['North', 'Room 2'],
    ];
    for (const [i, [building, room]] of places.entries()) {
      await seat(teacher, examId, rows[i]!.id, { building, room });
    }
    await seat(teacher, examId, rows[6]!.id, { extraTimeMinutes: '25' });
    const byId = new Map(rows.map((r) => [r.id, r.candidate_id]));
    const page = await teacher.get(slipsPath(examId));
    const order = slipsOf(page.body).map((s) => byId.get(s.id));
    // Annex A, Annex B, North Room 2 (C-0002, C-0006), North Room 10 (C-0001, C-0004), then the unseated by candidate ID.
    expect(order).to.deep.equal([
      'C-0005',
      'C-0003',
      'C-0002',
      'C-0006',
      'C-0001',
      'C-0004',
      'C-0007',
      'C-0008',
      'C-0009',
      'C-0010',
      'C-0011',
      'C-0012',
    ]);
    const sheets = [...page.body.matchAll(/<section class="sheet layout-grid" aria-label="Page \d+, ([^"]+)">/g)].map((m) => m[1]);
    expect(sheets).to.deep.equal(['Annex, room A', 'Annex, room B', 'North, room Room 2', 'North, room Room 10', 'No room given']);
    expect(page.body).to.contain('extra time 25 min');

    const room = await teacher.get(slipsPath(examId, '?building=North&room=Room%202'));
    expect(slipsOf(room.body).map((s) => byId.get(s.id))).to.deep.equal(['C-0002', 'C-0006']);
    expect(room.body).to.contain('2 slips');
    const single = await teacher.get(slipsPath(examId, '?layout=single'));
    expect([...single.body.matchAll(/<section class="sheet layout-single"/g)]).to.have.length(12);
  });

  it('when a fresh slip for one candidate is asked for, then the page holds that slip alone; a candidate of another test is 404', async () => {
    const { teacher, examId, rows } = await testWithOneTimeUsers(world, 3);
    const page = await teacher.get(slipsPath(examId, `?candidate=${rows[1]!.id}`));
    const slips = slipsOf(page.body);
    expect(slips.map((s) => s.id)).to.deep.equal([rows[1]!.id]);
    expect(page.body).to.contain('a fresh slip for this candidate only');
    for (const other of [rows[0]!, rows[2]!]) {
      expect(page.body).not.to.contain(other.username!).and.not.to.contain(other.candidate_id);
    }
    const elsewhere = await testWithOneTimeUsers(world, 1);
    const foreign = await teacher.get(slipsPath(examId, `?candidate=${elsewhere.rows[0]!.id}`));
    expect(foreign.response.status).to.equal(404);
    expect(foreign.body).not.to.contain(elsewhere.rows[0]!.username!);
  });

  it('when the test is a draft, then slips and sheet are refused with the reason; staff of another course get 404', async () => {
    const draft = await testWithOneTimeUsers(world, 2, false);
    for (const path of [
      slipsPath(draft.examId),
      `/app/exams/${draft.examId}/invigilator-sheet`,
      `/app/exams/${draft.examId}/handout/${draft.rows[0]!.id}`,
    ]) {
      const refused = await draft.teacher.get(path);
      expect(refused.response.status, path).to.equal(409);
      expect(refused.body, path).to.contain('ready once the test is active: a draft has no usernames, passwords, links or codes yet');
    }
    expect((await draft.teacher.get(`/app/exams/${draft.examId}`)).body).not.to.contain('/slips');

    const active = await testWithOneTimeUsers(world, 1);
    expect((await active.teacher.get(`/app/exams/${active.examId}`)).body)
      .to.contain(`href="/app/exams/${active.examId}/slips"`)
      .and.contain(`href="/app/exams/${active.examId}/invigilator-sheet"`);
    const stranger = await instructorOf(world, { id: 'handout-elsewhere', title: 'History' }, { user: { sub: 'teacher-x' } });
    for (const path of [
      slipsPath(active.examId),
      `/app/exams/${active.examId}/invigilator-sheet`,
      `/app/exams/${active.examId}/handout/${active.rows[0]!.id}`,
    ]) {
      const result = await stranger.get(path);
      expect(result.response.status, path).to.equal(404);
      expect(result.body, path).not.to.contain(active.rows[0]!.username!);
    }
  });

  it('when a withdrawn candidate is among them, then they get no slip and are not on the invigilator sheet; the sheet counts each room', async () => {
    const { teacher, examId, rows } = await testWithOneTimeUsers(world, 4);
    await seat(teacher, examId, rows[0]!.id, { building: 'Main', room: '101' });
    await seat(teacher, examId, rows[1]!.id, { building: 'Main', room: '101', extraTimeMinutes: '30' });
    await seat(teacher, examId, rows[2]!.id, { building: 'Main', room: '102' });
    await teacher.post(`/app/exams/${examId}/candidates/${rows[3]!.id}/withdraw`);
    expect(slipsOf((await teacher.get(slipsPath(examId))).body)).to.have.length(3);
    const sheet = await teacher.get(`/app/exams/${examId}/invigilator-sheet`);
    expect(sheet.response.status).to.equal(200);
    const rooms = [
      ...sheet.body.matchAll(/<section class="sheet" aria-labelledby="room-\d+" data-room="([^"]+)">([\s\S]*?)<\/section>/g),
    ].map(([, name, inner]) => ({
      name,
      count: /<span data-count>(\d+)<\/span>/.exec(inner!)?.[1],
      lines: [
        ...inner!.matchAll(
          /<tr data-candidate="[^"]+"><td>\d+<\/td><td>([^<]+)<\/td><td>[^<]*<\/td><td>([^<]+)<\/td><td class="signature"><\/td><\/tr>/g,
        ),
      ].map((m) => `${m[1]} ${m[2]}`),
    }));
    expect(rooms).to.deep.equal([
      { name: 'Main, room 101', count: '2', lines: ['C-0001 none', 'C-0002 30 min'] },
      { name: 'Main, room 102', count: '1', lines: ['C-0003 none'] },
    ]);
    const one = await teacher.get(`/app/exams/${examId}/invigilator-sheet?building=Main&room=102`);
    expect(one.body).to.contain('data-room="Main, room 102"').and.not.to.contain('data-room="Main, room 101"');
  });

  it('when a test has 1500 one-time users, then the slips page renders all 1500 and a sample of their QR codes reads back to their links', async function () {
    this.timeout(180_000);
    const { teacher, examId } = await testWithOneTimeUsers(world, 1500);
    const started = Date.now();
    const page = await teacher.get(slipsPath(examId));
    const took = Date.now() - started;
    expect(page.response.status).to.equal(200);
    const slips = slipsOf(page.body);
    expect(slips).to.have.length(1500);
    expect(new Set(slips.map((s) => s.link)).size).to.equal(1500);
    expect([...page.body.matchAll(/<section class="sheet layout-grid"/g)]).to.have.length(188);
    for (const slip of [slips[0]!, slips[377]!, slips[940]!, slips[1499]!]) {
      expect(decodeSlipQr(slip.svg!), slip.candidateId).to.equal(slip.link);
    }
    console.log(`      (1500 slips in ${took} ms, ${Math.round(page.body.length / 1024)} KiB of HTML)`);
  });
});
