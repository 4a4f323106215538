import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { resetLaunchState, startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';
import { createExam, instructorOf, learnerLaunch, placeExam, type CourseSession } from '../support/course-session.js';
import { settledSync } from '../support/roster.js';
import { commitPreview } from '../support/one-time.js';
import { uploadSsoFile } from '../support/sso.js';

describe('CSV import (SSO) through the candidates page, and the imported candidate’s first LMS launch', () => {
  let world: TestWorld;
  let n = 0;
  before(async () => {
    world = await startWorld();
  });
  beforeEach(() => resetLaunchState(world));

  async function placedTest(lms = world.lms): Promise<{ teacher: CourseSession; examId: string; link: Record<string, unknown> }> {
    n += 1;
    const context = { id: `sso-import-${n}`, title: 'Biology' };
    lms.setRoster(context.id, []);
    const teacher = await instructorOf(world, context, { lms });
    const examId = await createExam(teacher, { title: 'Biology midterm', durationMinutes: '90', enrolOnLaunch: '' });
    await settledSync(world, examId);
    await teacher.post(`/app/exams/${examId}/activate`, {}, `/app/exams/${examId}`);
    const custom = await placeExam(world, teacher, examId, context, lms);
    return { teacher, examId, link: { context, resourceLink: { id: `sso-import-rl-${n}`, title: 'Midterm' }, custom, lms } };
  }
  const rowsOf = (examId: string) =>
    world.examgate.sequelize.query<{
      candidate_id: string;
      sso_user_id: string;
      extra_time_minutes: number;
      building: string | null;
      room: string | null;
      lms_user_id: string | null;
    }>(
      'SELECT candidate_id, sso_user_id, extra_time_minutes, building, room, lms_user_id FROM candidates WHERE exam_id = :examId ORDER BY candidate_id',
      { replacements: { examId }, type: QueryTypes.SELECT },
    );

  it('when a teacher uploads an SSO file, then the preview lists adds and rejections with line and reason; the commit adds them; the first launch lands in the lobby as that candidate', async () => {
    const { teacher, examId, link } = await placedTest();
    const page = await teacher.get(`/app/exams/${examId}/candidates`);
    expect(page.body).to.contain('<h2 id="sso-heading">CSV import (SSO)</h2>');
    const platform = (await world.examgate.platforms.findByIssuerAndClientId(world.lms.issuer, world.lms.clientId))!;
    expect(page.body).to.contain(`<option value="lms">${platform.name} (LMS identity, matched on the LMS user id)</option>`);
    const file = [
      'Candidate ID;SSO user ID;Extra time;Building name;Room name',
      'B-1;sub-b1;25;Main;A1',
      'B-2;sub-b2;;;Lab 3',
      'B-3;SUB-B1;0;;',
      'B-4;sub-b4;30 min;;',
      '',
    ].join('\r\n');
    const preview = await uploadSsoFile(world, teacher, examId, 'lms', 'midterm-sso.csv', file);
    expect(preview.response.status, preview.body.slice(0, 500)).to.equal(200);
    expect(preview.url).to.match(new RegExp(`/app/exams/${examId}/candidates/sso/lms/imports/[0-9a-f-]{36}$`));
    expect(preview.body)
      .to.contain('Import preview: midterm-sso.csv')
      .and.contain('2 to add')
      .and.contain('2 rejected')
      .and.contain('2 of 1500 after this import');
    expect(preview.body).to.contain('SSO user ID &quot;SUB-B1&quot; is also on line 2 of this file (letter case does not count).');
    expect(preview.body).to.contain('Extra time must be a whole number of minutes from 0 to 1440.');
    expect(await rowsOf(examId)).to.deep.equal([]);

    const report = await commitPreview(teacher, preview);
    expect(report.body).to.contain('Imported: 2 added, 0 updated, 0 unchanged, 2 rejected.');
    expect(await rowsOf(examId)).to.deep.equal([
      { candidate_id: 'B-1', sso_user_id: 'sub-b1', extra_time_minutes: 25, building: 'Main', room: 'A1', lms_user_id: null },
      { candidate_id: 'B-2', sso_user_id: 'sub-b2', extra_time_minutes: 0, building: null, room: 'Lab 3', lms_user_id: null },
    ]);
    const list = await teacher.get(`/app/exams/${examId}/candidates?source=sso`);
    expect(list.body).to.contain('SSO <code data-sso-user>sub-b1</code>').and.contain('LMS identity, not launched yet');
    expect(list.body).to.contain('id="sso-reports"').and.contain('midterm-sso.csv');

    const lobby = await learnerLaunch(world, { sub: 'sub-b1', name: 'Barbara McClintock' }, link);
    expect(lobby.landing.body).to.contain('<h1>Biology midterm</h1>').and.contain('Candidate ID: <strong>B-1</strong>');
    expect(lobby.landing.body).to.contain('90 minutes + 25 minutes extra time = 115 minutes').and.contain('data-state="open"');
    expect((await rowsOf(examId))[0]!.lms_user_id).to.equal('sub-b1');

    const again = await uploadSsoFile(world, teacher, examId, 'lms', 'midterm-sso.csv', file);
    expect(again.body).to.contain('0 to add').and.contain('2 to skip').and.contain('id="nothing-to-do"');
  });

  it('when the auth type is not the platform’s, the test is another course’s, or the file has no header, then the upload is refused and nothing is added', async () => {
    const { teacher, examId } = await placedTest();
    const other = await placedTest();
    const [otherPlatform] = (await world.examgate.platforms.list()).filter((p) => p.issuer === world.otherLms.issuer);
    const foreign = await world.examgate.ssoSetups.register(otherPlatform!.id, 'Foreign SSO', TEST_SETUP);
    const wrongType = await uploadSsoFile(world, teacher, examId, foreign.id, 'a.csv', 'Candidate ID,SSO user ID,extra time\nX,x,0\n');
    expect(wrongType.response.status).to.equal(404);
    const unknown = await uploadSsoFile(world, teacher, examId, 'nonsense', 'a.csv', 'Candidate ID,SSO user ID,extra time\nX,x,0\n');
    expect(unknown.response.status).to.equal(404);
    const otherCourse = await teacher.get(`/app/exams/${other.examId}/candidates/sso/lms/imports/00000000-0000-0000-0000-000000000000`);
    expect(otherCourse.response.status).to.equal(404);
    const headerless = await uploadSsoFile(world, teacher, examId, 'lms', 'b.csv', 'X,x,0\n');
    expect(headerless.response.status).to.equal(400);
    expect(headerless.body).to.contain('id="sso-import-file-error"').and.contain('aria-invalid="true"').and.contain('Header missing');
    expect(await rowsOf(examId)).to.deep.equal([]);
  });
});
