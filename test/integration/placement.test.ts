import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { ROLE_INSTRUCTOR, submitAutoPostForm } from '../../src/lms-sim/index.js';
import { auditOfExam } from '../support/audit.js';
import { createExam, csrfOf, instructorOf, learnerLaunch, placeExam, type CourseSession } from '../support/course-session.js';
import { resetLaunchState, startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';

interface ExamRow {
  id: string;
  title: string;
  time_zone: string;
  opens_at: string | Date | null;
  closes_at: string | Date | null;
  duration_minutes: number | null;
}

const iso = (value: string | Date | null) => (value === null ? null : new Date(value).toISOString());

describe('Placing a test: "Select content" with the essentials, in the platform’s time zone', () => {
  let world: TestWorld;
  let platformId: string;
  let n = 0;
  before(async () => {
    world = await startWorld();
    platformId = (await world.examgate.platforms.findByIssuerAndClientId(world.lms.issuer, world.lms.clientId))!.id;
    await world.examgate.platforms.setDefaultTimeZone(platformId, 'Europe/Oslo', TEST_SETUP);
  });
  beforeEach(() => resetLaunchState(world));
  after(() => world.examgate.platforms.setDefaultTimeZone(platformId, 'UTC', TEST_SETUP));

  const examsOf = (contextId: string) =>
    world.examgate.sequelize.query<ExamRow>(
      `SELECT e.id, e.title, e.time_zone, e.opens_at, e.closes_at, e.duration_minutes FROM exams e
         JOIN courses c ON c.id = e.course_id WHERE c.context_id = :contextId ORDER BY e.created_at`,
      { replacements: { contextId }, type: QueryTypes.SELECT },
    );

  /** A teacher's "Select content" in a fresh course: the picker page. */
  async function picker() {
    n += 1;
    const context = { id: `placement-${n}`, title: 'Geology' };
    const teacher = await instructorOf(world, context, { messageType: 'LtiDeepLinkingRequest', resourceLink: null });
    return { teacher, context, page: teacher.landing.body };
  }
  const submit = (teacher: CourseSession, page: string, form: Record<string, string>) =>
    teacher.browser.follow(`${world.url}/app/deep-link`, { method: 'POST', form: { _csrf: csrfOf(page), ...form } });

  it('when a teacher opens "Select content", then "Create a new test" asks for the essentials, the zone starting as the platform’s', async () => {
    const { page } = await picker();
    expect(page).to.contain('<h2 id="new-heading">Create a new test</h2>');
    for (const name of ['title', 'opensAt', 'closesAt', 'timeZone', 'durationMinutes']) {
      expect(page, name)
        .to.match(new RegExp(`<label for="${name}">`))
        .and.match(new RegExp(`id="${name}" name="${name}"`));
    }
    expect(page).to.match(/id="timeZone" name="timeZone" value="Europe\/Oslo"/);
    expect(page).to.match(/id="durationMinutes" name="durationMinutes" min="1" value="60"/);
  });

  it('when the teacher creates and places a test with its essentials, then it is stored with them and the LMS gets a link to it', async () => {
    const { teacher, context, page } = await picker();
    const answer = await submit(teacher, page, {
      title: 'Rocks final',
      opensAt: '2030-06-03T09:00',
      closesAt: '2030-06-03T12:00',
      timeZone: 'Europe/Oslo',
      durationMinutes: '90',
    });
    const form = submitAutoPostForm(answer.body);
    expect(form?.action, answer.body.slice(0, 500)).to.equal(`${world.lms.baseUrl}/deep-link-return`);
    const before = world.lms.deepLinkResponses.length;
    await teacher.browser.follow(form!.action, { method: 'POST', form: form!.fields });
    const items = world.lms.deepLinkResponses[before]!.claims['https://purl.imsglobal.org/spec/lti-dl/claim/content_items'] as Array<{
      title: string;
      custom: Record<string, string>;
    }>;
    const [exam, ...others] = await examsOf(context.id);
    expect(others).to.have.length(0);
    expect(items.map((i) => [i.title, i.custom.examgate_exam])).to.deep.equal([['Rocks final', exam!.id]]);
    // 09:00 and 12:00 in Oslo in June (UTC+2).
    expect({ ...exam, opens_at: iso(exam!.opens_at), closes_at: iso(exam!.closes_at) }).to.deep.include({
      title: 'Rocks final',
      time_zone: 'Europe/Oslo',
      opens_at: '2030-06-03T07:00:00.000Z',
      closes_at: '2030-06-03T10:00:00.000Z',
      duration_minutes: 90,
    });
  });

  it('when the time zone is left empty, then the new test takes the platform’s default, and its window is read in it', async () => {
    const { teacher, context, page } = await picker();
    const answer = await submit(teacher, page, { title: 'Zoneless', opensAt: '2030-01-10T08:00', timeZone: '', durationMinutes: '' });
    expect(answer.response.status, answer.body.slice(0, 300)).to.equal(200);
    const [exam] = await examsOf(context.id);
    expect(exam).to.include({ time_zone: 'Europe/Oslo', duration_minutes: null });
    expect(iso(exam!.opens_at)).to.equal('2030-01-10T07:00:00.000Z');
  });

  const refusals: Array<[string, Record<string, string>, string, RegExp]> = [
    ['no title', { title: '  ' }, 'title', /Give the test a title/],
    ['an unknown time zone', { timeZone: 'Europe/Atlantis' }, 'timeZone', /is not a time zone/],
    [
      'a window that closes before it opens',
      { opensAt: '2030-06-03T12:00', closesAt: '2030-06-03T09:00' },
      'closesAt',
      /close after it opens/,
    ],
    ['a malformed opening time', { opensAt: 'tomorrow at nine' }, 'opensAt', /date and time like/],
    ['a duration of zero', { durationMinutes: '0' }, 'durationMinutes', /whole number of minutes/],
  ];
  for (const [name, wrong, field, message] of refusals) {
    it(`when the essentials have ${name}, then the page comes back with a 400, linked to its field, the values kept and no test made`, async () => {
      const { teacher, context, page } = await picker();
      const typed = { title: 'Typed <title>', opensAt: '', closesAt: '', timeZone: 'Europe/Oslo', durationMinutes: '45', ...wrong };
      const answer = await submit(teacher, page, typed);
      expect(answer.response.status).to.equal(400);
      expect(answer.body)
        .to.contain('There is a problem')
        .and.match(new RegExp(`<a href="#${field}">`));
      expect(answer.body).to.match(message);
      expect(answer.body).to.match(new RegExp(`id="${field}" name="${field}"[^>]*aria-invalid="true"`));
      expect(answer.body).to.match(new RegExp(`id="${field}-error"`));
      expect(answer.body).to.contain(`value="${typed.title.replace('<', '&lt;').replace('>', '&gt;')}"`);
      expect(answer.body).to.contain(`value="${typed.durationMinutes}"`);
      expect(answer.body, 'nothing goes back to the LMS').not.to.contain('name="JWT"');
      expect(await examsOf(context.id)).to.have.length(0);
    });
  }

  it('when a teacher opens the new-test page, then its time zone is the platform’s default too', async () => {
    const teacher = await instructorOf(world, { id: 'placement-new-form' });
    expect((await teacher.get('/app/exams/new')).body).to.match(/id="timeZone" name="timeZone" value="Europe\/Oslo"/);
    const other = await instructorOf(world, { id: 'placement-new-form' }, { lms: world.otherLms });
    expect((await other.get('/app/exams/new')).body, 'another platform keeps its own (UTC)').to.match(
      /id="timeZone" name="timeZone" value="UTC"/,
    );
  });
});

describe('Choosing the test of a link that leads to none', () => {
  let world: TestWorld;
  let n = 0;
  before(async () => {
    world = await startWorld();
  });
  beforeEach(() => resetLaunchState(world));

  function course() {
    n += 1;
    return { context: { id: `link-choice-${n}`, title: 'Astronomy' }, resourceLink: { id: `unplaced-${n}`, title: 'Week 3 quiz' } };
  }
  const bindingOf = (resourceLinkId: string) =>
    world.examgate.sequelize.query<{ exam_id: string; ags_lineitem_url: string | null; ags_lineitems_url: string | null }>(
      'SELECT exam_id, ags_lineitem_url, ags_lineitems_url FROM exam_resource_links WHERE resource_link_id = :resourceLinkId',
      { replacements: { resourceLinkId }, type: QueryTypes.SELECT },
    );
  const choose = (teacher: CourseSession, form: Record<string, string>) => teacher.post('/app/link', form, '/app/link');

  it('when a teacher opens the link, then they are asked to choose its test among the course’s, or to create one', async () => {
    const { context, resourceLink } = course();
    const setup = await instructorOf(world, context, { resourceLink: null, messageType: 'LtiDeepLinkingRequest' });
    await createExam(setup, { title: 'Planets' });
    const teacher = await instructorOf(world, context, { resourceLink });
    expect(teacher.landing.url).to.equal(`${world.url}/app/link`);
    expect(teacher.landing.body).to.contain('<h1>Choose the test for this link</h1>');
    expect(teacher.landing.body).to.contain('“Week 3 quiz”').and.contain('<strong>Astronomy</strong>');
    expect(teacher.landing.body).to.match(/<label for="exam-[0-9a-f-]{36}">Planets/);
    expect(teacher.landing.body).to.contain('Use this test for the link').and.contain('Create the test for this link');
    expect(teacher.landing.body).not.to.contain('copied from another course');
  });

  it('when the teacher picks a test, then the link opens it from now on, as a placed link: students land in its lobby, History says so', async () => {
    const { context, resourceLink } = course();
    const teacher = await instructorOf(world, context, { resourceLink, user: { sub: 'teacher-choice', name: 'Vera Rubin' } });
    const examId = await createExam(teacher, { title: 'Moons' });
    const chosen = await choose(teacher, { examId });
    expect(chosen.url).to.equal(`${world.url}/app/exams/${examId}?done=placed`);
    expect(chosen.body).to.contain('role="status">The link “Week 3 quiz” now opens this test');
    const [binding, ...more] = await bindingOf(resourceLink.id);
    expect(more).to.have.length(0);
    // The gradebook endpoints of the launch, as the first launch of a placed link records them.
    expect(binding).to.include({ exam_id: examId });
    expect(binding!.ags_lineitems_url).to.equal(`${world.lms.baseUrl}/ags/${context.id}/lineitems`);

    const again = await instructorOf(world, context, { resourceLink });
    expect(again.landing.url, 'the teacher now lands on the test').to.equal(`${world.url}/app/exams/${examId}`);
    const student = await learnerLaunch(world, { sub: 'student-choice', name: 'Student' }, { context, resourceLink });
    expect(student.landing.body).to.contain('id="lobby-state"').and.contain('Moons');

    const placed = (await auditOfExam(world, examId)).filter((e) => e.action === 'place');
    expect(placed).to.have.length(1);
    expect(placed[0]).to.include({ entity_type: 'exam', actor_sub: 'teacher-choice', actor_name: 'Vera Rubin', via: 'page' });
    expect(placed[0]!.changes).to.deep.equal({ resourceLink: { from: null, to: `Week 3 quiz (${resourceLink.id})` } });
    expect((await teacher.get(`/app/exams/${examId}/history`)).body)
      .to.contain('LMS link')
      .and.contain('Week 3 quiz');
  });

  it('when the teacher creates the test on the page, with its essentials, then it is made and the link opens it', async () => {
    const { context, resourceLink } = course();
    const teacher = await instructorOf(world, context, { resourceLink });
    const created = await choose(teacher, { title: 'Comets', opensAt: '2031-02-01T10:00', timeZone: 'Asia/Tokyo', durationMinutes: '30' });
    const examId = /\/app\/exams\/([0-9a-f-]{36})\?done=placed$/.exec(created.url)?.[1];
    expect(examId, created.body.slice(0, 400)).to.be.a('string');
    expect(created.body).to.contain('<h1>Comets</h1>').and.contain('Asia/Tokyo').and.contain('30 minutes');
    expect((await bindingOf(resourceLink.id))[0]).to.include({ exam_id: examId });
    const student = await learnerLaunch(world, { sub: 'student-comets' }, { context, resourceLink });
    expect(student.landing.body).to.contain('Comets');
  });

  it('when the essentials are wrong, then the page comes back with the error at its field and the link stays unplaced', async () => {
    const { context, resourceLink } = course();
    const teacher = await instructorOf(world, context, { resourceLink });
    const refused = await choose(teacher, { title: 'Nebulae', timeZone: 'Mars/Olympus_Mons' });
    expect(refused.response.status).to.equal(400);
    expect(refused.body).to.contain('<h1>Choose the test for this link</h1>').and.contain('<a href="#timeZone">');
    expect(refused.body).to.contain('value="Nebulae"').and.contain('value="Mars/Olympus_Mons"');
    expect(await bindingOf(resourceLink.id)).to.have.length(0);
  });

  it('when a link copied with its course carries a test of the old course, then the teacher chooses one of the new course and it sticks', async () => {
    const oldCourse = course();
    const oldTeacher = await instructorOf(world, oldCourse.context, { resourceLink: oldCourse.resourceLink });
    const oldExam = await createExam(oldTeacher, { title: 'Last year' });
    const custom = await placeExam(world, oldTeacher, oldExam, oldCourse.context);

    // The LMS copied the course: new course and link ids, the old custom parameter.
    const copy = course();
    const teacher = await instructorOf(world, copy.context, { resourceLink: copy.resourceLink, custom });
    expect(teacher.landing.url).to.equal(`${world.url}/app/link`);
    expect(teacher.landing.body).to.contain('copied from another course').and.not.contain('Last year');
    const examId = await createExam(teacher, { title: 'This year' });
    expect((await choose(teacher, { examId })).response.status).to.equal(200);

    const again = await instructorOf(world, copy.context, { resourceLink: copy.resourceLink, custom });
    expect(again.landing.url, 'the copied custom parameter no longer wins').to.equal(`${world.url}/app/exams/${examId}`);
    const student = await learnerLaunch(world, { sub: 'student-copy' }, { context: copy.context, resourceLink: copy.resourceLink, custom });
    expect(student.landing.body).to.contain('This year').and.not.contain('Last year');
    const old = await instructorOf(world, oldCourse.context, { resourceLink: { id: 'old-placed' }, custom });
    expect(old.landing.url, 'the old course’s link still opens its own test').to.equal(`${world.url}/app/exams/${oldExam}`);
  });

  it('when the link already leads to a test, then the page sends the teacher there and another choice is refused with a message', async () => {
    const { context, resourceLink } = course();
    const teacher = await instructorOf(world, context, { resourceLink });
    const first = await createExam(teacher, { title: 'First' });
    const second = await createExam(teacher, { title: 'Second' });
    await choose(teacher, { examId: first });
    expect((await teacher.get('/app/link')).url).to.equal(`${world.url}/app/exams/${first}`);
    const page = await teacher.get(`/app/exams/${first}`);
    const refused = await teacher.browser.follow(`${world.url}/app/link`, {
      method: 'POST',
      form: { _csrf: csrfOf(page.body), examId: second },
    });
    expect(refused.response.status).to.equal(409);
    expect(refused.body).to.contain('This link already leads to “First”');
    expect((await bindingOf(resourceLink.id))[0]).to.include({ exam_id: first });
  });

  it('when someone tries what they may not, then a learner gets 403, a test of another course 404, a form without CSRF 403', async () => {
    const { context, resourceLink } = course();
    const student = await learnerLaunch(world, { sub: 'student-probe' }, { context, resourceLink });
    expect(student.landing.body).to.contain('does not lead to a test yet');
    expect((await student.get('/app/link')).response.status).to.equal(403);

    const elsewhere = await instructorOf(world, { id: 'link-choice-elsewhere' });
    const foreign = await createExam(elsewhere, { title: 'Not yours' });
    const teacher = await instructorOf(world, context, { resourceLink });
    const refused = await choose(teacher, { examId: foreign });
    expect(refused.response.status).to.equal(404);
    const forged = await teacher.browser.follow(`${world.url}/app/link`, { method: 'POST', form: { examId: foreign } });
    expect(forged.response.status).to.equal(403);
    expect(await bindingOf(resourceLink.id)).to.have.length(0);

    const picker = await instructorOf(world, context, {
      resourceLink: null,
      messageType: 'LtiDeepLinkingRequest',
      roles: [ROLE_INSTRUCTOR],
    });
    expect((await picker.get('/app/link')).response.status, 'a deep-linking session has no link to give a test').to.equal(400);
  });
});
