import { expect } from 'chai';
import { ROLE_LEARNER } from '../../src/lms-sim/index.js';
import { resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { buildExamForm, createExam, instructorOf, launchSession } from '../support/course-session.js';

describe('Tests (exams) in a course', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });
  beforeEach(() => resetLaunchState(world));

  it('when an instructor creates a test, then it is a draft of their course shown in its time zone', async () => {
    const teacher = await instructorOf(world, { id: 'exams-1', title: 'Algebra' });
    const id = await createExam(teacher, {
      title: 'Final <exam>',
      opensAt: '2026-06-01T09:00',
      closesAt: '2026-06-01T12:00',
      timeZone: 'Europe/Oslo',
      durationMinutes: '90',
      deliveryUrl: 'https://delivery.example.edu/start',
      candidateIdPolicy: 'anonymous',
      isDemo: 'on',
    });
    const page = await teacher.get(`/app/exams/${id}`);
    expect(page.response.status).to.equal(200);
    expect(page.body).to.contain('Final &lt;exam&gt;');
    expect(page.body).to.contain('draft');
    expect(page.body).to.contain('09:00 (Europe/Oslo)');
    expect(page.body).to.contain('90 minutes');
    expect(page.body).to.contain('Anonymous sequential numbers');
    expect(page.body).to.contain('demo test');
    const [row] = (await world.examgate.sequelize.query('SELECT opens_at FROM exams WHERE id = :id', {
      replacements: { id },
      type: 'SELECT',
    })) as Array<{ opens_at: string | Date }>;
    // 09:00 in Oslo in June (CEST, UTC+2) is 07:00 UTC.
    expect(new Date(row!.opens_at).toISOString()).to.equal('2026-06-01T07:00:00.000Z');

    const list = await teacher.get('/app/exams');
    expect(list.body).to.contain(`/app/exams/${id}`);
  });

  it('when an instructor edits a test, then the form shows the stored values in the test zone and saves the change', async () => {
    const teacher = await instructorOf(world, { id: 'exams-2' });
    const id = await createExam(teacher, { opensAt: '2026-03-29T01:30', timeZone: 'Europe/Oslo' });
    const form = await teacher.get(`/app/exams/${id}/edit`);
    expect(form.body).to.contain('value="2026-03-29T01:30"');
    const saved = await teacher.post(
      `/app/exams/${id}`,
      buildExamForm({ title: 'Renamed', durationMinutes: '45' }),
      `/app/exams/${id}/edit`,
    );
    expect(saved.url).to.equal(`${world.url}/app/exams/${id}?done=saved`);
    expect(saved.body).to.contain('Renamed');
    expect(saved.body).to.contain('45 minutes');
  });

  const badInputs: Array<[string, Record<string, string>, string]> = [
    ['an empty title', { title: '  ' }, 'Give the test a title of 1 to 255 characters.'],
    [
      'a javascript: delivery URL',
      { deliveryUrl: 'javascript:alert(1)' },
      'The delivery URL must start with https:// or http://, not javascript:.',
    ],
    [
      'an ftp delivery URL',
      { deliveryUrl: 'ftp://files.example.edu/x' },
      'The delivery URL must start with https:// or http://, not ftp:.',
    ],
    ['a relative finish URL', { finishRedirectUrl: '/done' }, 'The finish redirect URL must be a full address'],
    ['an unknown time zone', { timeZone: 'Mars/Olympus' }, '"Mars/Olympus" is not a time zone'],
    [
      'a window that closes before it opens',
      { opensAt: '2026-06-01T12:00', closesAt: '2026-06-01T09:00' },
      'The window must close after it opens.',
    ],
    ['a malformed opening time', { opensAt: 'tomorrow' }, 'Opens at must be a date and time'],
    ['a duration of zero', { durationMinutes: '0' }, 'Duration must be a whole number of minutes'],
    ['an unknown candidate-ID policy', { candidateIdPolicy: 'shoe_size' }, 'Choose how candidate IDs are made'],
  ];
  for (const [what, overrides, message] of badInputs) {
    it(`when a test is saved with ${what}, then the form comes back with a 400 and says what is wrong, and nothing is stored`, async () => {
      const teacher = await instructorOf(world, { id: `exams-bad-${what.length}` });
      const before = await world.examgate.sequelize.query('SELECT COUNT(*) AS n FROM exams', { type: 'SELECT' });
      const result = await teacher.post('/app/exams', buildExamForm(overrides), '/app/exams/new');
      expect(result.response.status).to.equal(400);
      expect(result.body).to.contain(message.replace(/"/g, '&quot;'));
      const after = await world.examgate.sequelize.query('SELECT COUNT(*) AS n FROM exams', { type: 'SELECT' });
      expect(after).to.deep.equal(before);
    });
  }

  it('when an instructor activates, closes and deletes a test, then each step follows draft → active → closed', async () => {
    const teacher = await instructorOf(world, { id: 'exams-3' });
    const id = await createExam(teacher);
    const closeDraft = await teacher.post(`/app/exams/${id}/close`, {}, `/app/exams/${id}/candidates`);
    expect(closeDraft.response.status).to.equal(409);
    expect(closeDraft.body).to.contain('Only an active test can be closed. This one is draft.');

    expect((await teacher.post(`/app/exams/${id}/activate`, {}, `/app/exams/${id}`)).body).to.contain('active');
    const deleteActive = await teacher.post(`/app/exams/${id}/delete`, {}, `/app/exams/${id}/candidates`);
    expect(deleteActive.response.status).to.equal(409);
    expect(deleteActive.body).to.contain('Close the test before deleting it');

    expect((await teacher.post(`/app/exams/${id}/close`, {}, `/app/exams/${id}/candidates`)).body).to.contain('closed');
    const editClosed = await teacher.post(`/app/exams/${id}`, buildExamForm(), `/app/exams/${id}/candidates`);
    expect(editClosed.response.status).to.equal(409);

    const deleted = await teacher.post(`/app/exams/${id}/delete`, {}, `/app/exams/${id}/candidates`);
    expect(deleted.url).to.equal(`${world.url}/app/exams?done=deleted`);
    expect((await teacher.get(`/app/exams/${id}`)).response.status).to.equal(404);
  });

  it('when a form is posted without its CSRF token, then it is refused and nothing changes', async () => {
    const teacher = await instructorOf(world, { id: 'exams-4' });
    const id = await createExam(teacher);
    const result = await teacher.browser.follow(`${world.url}/app/exams/${id}/activate`, { method: 'POST', form: {} });
    expect(result.response.status).to.equal(403);
    expect((await teacher.get(`/app/exams/${id}`)).body).to.contain('draft');
  });

  describe('walls between courses and platforms', () => {
    let examOfA: string;
    before(async () => {
      examOfA = await createExam(await instructorOf(world, { id: 'wall-A' }), { title: 'Secret of A' });
    });

    const pathsOf = (id: string) => [`/app/exams/${id}`, `/app/exams/${id}/edit`, `/app/exams/${id}/candidates`];

    it('when an instructor of course B opens anything of course A, then it is 404 and A is not listed', async () => {
      const teacherB = await instructorOf(world, { id: 'wall-B' });
      for (const path of pathsOf(examOfA)) {
        const page = await teacherB.get(path);
        expect(page.response.status, path).to.equal(404);
        expect(page.body).not.to.contain('Secret of A');
      }
      const posted = await teacherB.post(`/app/exams/${examOfA}/activate`);
      expect(posted.response.status).to.equal(404);
      expect((await teacherB.get('/app/exams')).body).not.to.contain('Secret of A');
    });

    it('when the same course id arrives from another platform, then it is another course and A stays hidden', async () => {
      const stranger = await instructorOf(world, { id: 'wall-A' }, { lms: world.otherLms });
      for (const path of pathsOf(examOfA)) {
        expect((await stranger.get(path)).response.status, path).to.equal(404);
      }
      expect((await stranger.get('/app/exams')).body).not.to.contain('Secret of A');
    });

    it('when a learner of course A types staff URLs, then every one is 403', async () => {
      const learner = await launchSession(world, { user: { sub: 'student-a' }, roles: [ROLE_LEARNER], context: { id: 'wall-A' } });
      for (const path of ['/app/exams', '/app/exams/new', ...pathsOf(examOfA)]) {
        const page = await learner.get(path);
        expect(page.response.status, path).to.equal(403);
        expect(page.body).to.contain('This page is for the staff of the course.');
      }
    });
  });
});
