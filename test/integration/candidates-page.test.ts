import { expect } from 'chai';
import { resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { createExam, instructorOf, type CourseSession } from '../support/course-session.js';
import { buildLearners, candidatesOf, settledSync } from '../support/roster.js';

describe('Candidates page', () => {
  let world: TestWorld;
  let teacher: CourseSession;
  let examId: string;
  let page: string;
  before(async () => {
    world = await startWorld();
    await resetLaunchState(world);
    world.lms.setRoster('candidates-page', [
      ...buildLearners(120),
      { user_id: 'html', roles: ['Learner'], name: '<b>Bold</b> & co', email: 'bold@example.edu' },
    ]);
    teacher = await instructorOf(world, { id: 'candidates-page' });
    examId = await createExam(teacher, { candidateIdPolicy: 'full_name' });
    await settledSync(world, examId);
    page = `/app/exams/${examId}/candidates`;
  });

  const idOf = async (search: string) =>
    /candidates\/([0-9a-f-]{36})\/edit/.exec((await teacher.get(`${page}?q=${encodeURIComponent(search)}`)).body)![1]!;

  it('when the page opens, then it shows the live count against the cap, the last sync and the first page of 50', async () => {
    const result = await teacher.get(page);
    expect(result.body).to.contain('121 of 1500');
    expect(result.body).to.match(/Last synced: <time datetime="[^"]+">/);
    expect(result.body).to.contain('121 members read, 121 added');
    expect(result.body).to.contain('page 1 of 3');
    expect(result.body.match(/<tr>\s*<td>/g)).to.have.length(50);
    expect(result.body).to.contain('&lt;b&gt;Bold&lt;/b&gt; &amp; co');
    expect(result.body).to.contain('bold@example.edu');
  });

  it('when searching by name or e-mail, then only matches are listed; the last page holds the rest', async () => {
    const byEmail = await teacher.get(`${page}?q=learner77%40`);
    expect(byEmail.body).to.contain('1 match;');
    expect(byEmail.body).to.contain('Learner 77');
    const last = await teacher.get(`${page}?page=3`);
    expect(last.body.match(/<tr>\s*<td>/g)).to.have.length(21);
  });

  it('when the search holds _, % or \\, then they are matched literally, not as wildcards', async () => {
    const searchExam = await createExam(teacher, { title: 'Search' });
    const searchPage = `/app/exams/${searchExam}/candidates`;
    for (const candidateId of ['first_last', 'firstXlast', '50% off', 'back\\slash']) {
      await teacher.post(searchPage, { candidateId }, searchPage);
    }
    for (const [search, expected] of [
      ['first_last', 'first_last'],
      ['50%', '50% off'],
      ['back\\s', 'back&#92;slash'],
    ] as const) {
      const result = await teacher.get(`${searchPage}?q=${encodeURIComponent(search)}`);
      expect(result.body, search).to.contain('1 match;');
      expect(result.body, search).to.contain(expected);
    }
  });

  it('when a candidate is added by hand, then it is a manual candidate; a duplicate or empty ID is refused with a message', async () => {
    const added = await teacher.post(page, { candidateId: 'Walk-in 1', extraTimeMinutes: '15', building: 'Main', room: '101' }, page);
    expect(added.response.status).to.equal(200);
    expect(added.body).to.contain('122 of 1500');
    const rows = await candidatesOf(world, examId);
    expect(rows.find((r) => r.candidate_id === 'Walk-in 1')).to.include({ source: 'manual', extra_time_minutes: 15, room: '101' });

    const duplicate = await teacher.post(page, { candidateId: 'Walk-in 1' }, page);
    expect(duplicate.response.status).to.equal(400);
    expect(duplicate.body).to.contain('Candidate ID &quot;Walk-in 1&quot; is already used on this test');
    const empty = await teacher.post(page, { candidateId: '   ' }, page);
    expect(empty.body).to.contain('Give the candidate an ID of 1 to 500 characters.');
    const tooLong = await teacher.post(page, { candidateId: 'x'.repeat(501) }, page);
    expect(tooLong.body).to.contain('A candidate ID is at most 500 characters.');
    const badTime = await teacher.post(page, { candidateId: 'Walk-in 2', extraTimeMinutes: '-5' }, page);
    expect(badTime.body).to.contain('Extra time must be a whole number of minutes from 0 to 1440.');
    expect(await candidatesOf(world, examId)).to.have.length(122);
  });

  it('when the source filter is offered, then it lists only the sources this test’s candidates have', async () => {
    const sourceOptions = (body: string) =>
      [...(/<select id="source"[^>]*>([\s\S]*?)<\/select>/.exec(body)?.[1] ?? '').matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]);
    // The roster and the walk-in added above: no one-time, SSO or permanent candidate exists yet.
    expect(sourceOptions((await teacher.get(page)).body)).to.deep.equal(['', 'roster', 'manual']);
    const empty = await createExam(teacher, { title: 'Nobody yet' });
    expect(sourceOptions((await teacher.get(`/app/exams/${empty}/candidates`)).body)).to.deep.equal(['']);
    // A source asked for in the address stays visible (and selected), so the page says what it shows.
    const asked = await teacher.get(`${page}?source=sso`);
    expect(sourceOptions(asked.body)).to.deep.equal(['', 'roster', 'sso', 'manual']);
    expect(asked.body).to.contain('<option value="sso" selected>').and.contain('0 matches;');
  });

  it('when the roster was synced, then "Last synced" is a time in the test’s zone, not raw UTC', async () => {
    world.lms.setRoster('candidates-page-zone', buildLearners(2));
    const zoned = await instructorOf(world, { id: 'candidates-page-zone' });
    const tokyo = await createExam(zoned, { title: 'Tokyo', timeZone: 'Asia/Tokyo' });
    await settledSync(world, tokyo);
    const body = (await zoned.get(`/app/exams/${tokyo}/candidates`)).body;
    const [, iso, text] = /Last synced: <time datetime="([^"]+)">([^<]+)<\/time>/.exec(body) ?? [];
    expect(new Date(iso!).toISOString(), 'the datetime attribute stays machine-readable').to.equal(iso);
    expect(text)
      .to.contain('(Asia/Tokyo)')
      .and.not.match(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    const tokyoHour = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit' }).format(
      new Date(iso!),
    );
    expect(text).to.contain(tokyoHour);
  });

  it('when filtering by source and status, then the list narrows to them', async () => {
    const manual = await teacher.get(`${page}?source=manual`);
    expect(manual.body).to.contain('Walk-in 1');
    expect(manual.body).not.to.contain('Learner 1<');
    const id = await idOf('Learner 5');
    await teacher.post(`${page}/${id}/withdraw`, {}, page);
    const withdrawn = await teacher.get(`${page}?status=withdrawn`);
    expect(withdrawn.body).to.contain('1 match;');
    expect(withdrawn.body).to.contain('withdrawn by staff');
    await teacher.post(`${page}/${id}/restore`, {}, page);
    expect((await teacher.get(`${page}?status=withdrawn`)).body).to.contain('0 matches;');
  });

  it('when a candidate is edited, then only the sent fields change; a clash with another ID is refused', async () => {
    const id = await idOf('Learner 9');
    const editPage = `${page}/${id}/edit`;
    const saved = await teacher.post(
      `${page}/${id}`,
      { candidateId: 'Desk 9', extraTimeMinutes: '30', building: 'North', room: 'N1' },
      editPage,
    );
    expect(saved.url).to.equal(`${world.url}${page}?done=saved`);
    const row = (await candidatesOf(world, examId)).find((r) => r.lms_user_id === 'u-9');
    expect(row).to.include({ candidate_id: 'Desk 9', extra_time_minutes: 30, room: 'N1' });
    const clash = await teacher.post(`${page}/${id}`, { candidateId: 'Walk-in 1' }, editPage);
    expect(clash.response.status).to.equal(400);
    expect(clash.body).to.contain('is already used on this test');
  });

  it('when a candidate of another test is addressed through this test, then it is 404', async () => {
    const other = await createExam(teacher, { title: 'Other' });
    const id = await idOf('Learner 3');
    const result = await teacher.get(`/app/exams/${other}/candidates/${id}/edit`);
    expect(result.response.status).to.equal(404);
  });

  it('when the roster sync is watched, then its progress is JSON for this test only', async () => {
    const started = await teacher.browser.request(`${world.url}/app/exams/${examId}/roster-sync`, {
      method: 'POST',
      headers: { accept: 'application/json' },
      form: { _csrf: /name="_csrf" value="([^"]+)"/.exec((await teacher.get(page)).body)![1]! },
    });
    expect(started.status).to.equal(202);
    const { job } = (await started.json()) as { job: string };
    await settledSync(world, examId);
    const progress = (await (await teacher.browser.request(`${world.url}/app/exams/${examId}/roster-sync/${job}`)).json()) as Record<
      string,
      unknown
    >;
    expect(progress).to.include({ status: 'succeeded', membersRead: 121 });
    const other = await createExam(teacher, { title: 'Elsewhere' });
    expect((await teacher.browser.request(`${world.url}/app/exams/${other}/roster-sync/${job}`)).status).to.equal(404);
  });
});
