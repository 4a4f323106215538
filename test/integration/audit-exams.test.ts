import { expect } from 'chai';
import { ROLE_INSTRUCTOR, ROLE_LEARNER } from '../../src/lms-sim/index.js';
import { resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { auditOfExam, auditRows } from '../support/audit.js';
import { buildExamForm, createExam, csrfOf, instructorOf, launchSession, type CourseSession } from '../support/course-session.js';

describe('Audit trail of tests', () => {
  let world: TestWorld;
  let n = 0;
  let teacher: CourseSession;
  let context: { id: string; title: string };
  before(async () => {
    world = await startWorld();
    platformId = (await world.examgate.platforms.findByIssuerAndClientId(world.lms.issuer, world.lms.clientId))!.id;
  });
  beforeEach(async () => {
    await resetLaunchState(world);
    n += 1;
    context = { id: `audit-exams-${n}`, title: 'Chemistry' };
    world.lms.setRoster(context.id, []);
    teacher = await instructorOf(world, context, { user: { sub: 'teacher-audit', name: 'Rosalind Franklin' } });
  });

  let platformId = '';
  const lmsPlatformId = () => platformId;

  it('when an instructor creates, edits, activates, closes and deletes a test, then each step writes one entry naming them, the page and only what changed', async () => {
    const examId = await createExam(teacher, { title: 'Organic', timeZone: 'Europe/Berlin' });
    const edit = await teacher.post(
      `/app/exams/${examId}`,
      buildExamForm({ title: 'Organic II', timeZone: 'Europe/Berlin' }),
      `/app/exams/${examId}/edit`,
    );
    expect(edit.response.status, edit.body).to.equal(200);
    for (const step of ['activate', 'close', 'delete']) {
      const done = await teacher.post(
        `/app/exams/${examId}/${step}`,
        {},
        step === 'activate' ? `/app/exams/${examId}` : `/app/exams/${examId}/${step}`,
      );
      expect(done.response.status, done.body).to.equal(200);
    }

    const entries = await auditOfExam(world, examId);
    expect(entries.map((e) => e.action)).to.deep.equal(['create', 'update', 'activate', 'close', 'delete']);
    for (const entry of entries) {
      expect(entry).to.include({
        actor_kind: 'lms-user',
        actor_platform_id: lmsPlatformId(),
        actor_sub: 'teacher-audit',
        actor_name: 'Rosalind Franklin',
        via: 'page',
        entity_type: 'exam',
        entity_id: examId,
        platform_id: lmsPlatformId(),
      });
    }
    const [created, updated, activated, closed, deleted] = entries;
    expect(created!.changes.title).to.deep.equal({ from: null, to: 'Organic' });
    expect(created!.changes.status).to.deep.equal({ from: null, to: 'draft' });
    expect(updated!.changes).to.deep.equal({ title: { from: 'Organic', to: 'Organic II' } });
    expect(activated!.changes).to.deep.equal({ status: { from: 'draft', to: 'active' } });
    expect(closed!.changes).to.deep.equal({ status: { from: 'active', to: 'closed' } });
    expect(deleted!.label).to.equal('Organic II');
  });

  it('when a test is created from the deep-linking picker, then its creation is recorded as the instructor’s', async () => {
    const picker = await world.lms.launch(teacher.browser, {
      user: { sub: 'teacher-audit', name: 'Rosalind Franklin' },
      roles: [ROLE_INSTRUCTOR],
      context,
      messageType: 'LtiDeepLinkingRequest',
      resourceLink: null,
    });
    const answer = await teacher.browser.follow(`${world.url}/app/deep-link`, {
      method: 'POST',
      form: { _csrf: csrfOf(picker.body), title: 'Placed by picker' },
    });
    expect(answer.response.status, answer.body).to.equal(200);
    const [entry, ...more] = await auditRows(world, `entity_type = 'exam' AND label = :label`, { label: 'Placed by picker' });
    expect(more).to.have.length(0);
    expect(entry).to.include({ action: 'create', actor_sub: 'teacher-audit', via: 'page' });
  });

  it('when an instructor chooses where the test opens, then the form explains it, the page shows it and the History records the change', async () => {
    const examId = await createExam(teacher, { title: 'Opening' });
    const form = await teacher.get(`/app/exams/${examId}/edit`);
    expect(form.body).to.contain('<label for="openIn">Open the test in</label>');
    expect(form.body).to.contain('<select id="openIn" name="openIn" aria-describedby="openIn-hint">');
    expect(form.body).to.contain('<option value="new_tab" selected>A new tab (the course page stays open)</option>');
    expect(form.body).to.match(
      /<p id="openIn-hint" class="muted">Where Start opens the delivery engine when examgate runs inside the course page/,
    );
    expect((await teacher.get(`/app/exams/${examId}`)).body).to.contain(
      '<dt>Open the test in</dt><dd>a new tab (when examgate runs inside the course page)</dd>',
    );

    const saved = await teacher.post(
      `/app/exams/${examId}`,
      buildExamForm({ title: 'Opening', openIn: 'whole_window' }),
      `/app/exams/${examId}/edit`,
    );
    expect(saved.body).to.contain('<dd>the whole window, replacing the course page (when examgate runs inside the course page)</dd>');
    const refused = await teacher.post(
      `/app/exams/${examId}`,
      buildExamForm({ title: 'Opening', openIn: 'the_frame' }),
      `/app/exams/${examId}/edit`,
    );
    expect(refused.response.status).to.equal(400);
    expect(refused.body).to.contain(
      '<p class="field-error" id="openIn-error">Choose where the test opens when examgate runs inside the course page',
    );
    expect(refused.body).to.contain('aria-describedby="openIn-hint openIn-error" aria-invalid="true"');

    const [, updated, ...more] = await auditOfExam(world, examId);
    expect(more).to.have.length(0);
    expect(updated!.changes).to.deep.equal({ openIn: { from: 'new_tab', to: 'whole_window' } });
    const history = await teacher.get(`/app/exams/${examId}/history`);
    expect(history.body).to.contain('open the test in: new_tab → whole_window');
  });

  it('when an edit changes nothing, or a change is refused, then no entry is written', async () => {
    const examId = await createExam(teacher, { title: 'Stable' });
    const same = await teacher.post(`/app/exams/${examId}`, buildExamForm({ title: 'Stable' }), `/app/exams/${examId}/edit`);
    expect(same.response.status).to.equal(200);
    const invalid = await teacher.post(`/app/exams/${examId}`, buildExamForm({ title: '' }), `/app/exams/${examId}/edit`);
    expect(invalid.response.status).to.equal(400);
    const closeDraft = await teacher.post(`/app/exams/${examId}/close`, {}, `/app/exams/${examId}/candidates`);
    expect(closeDraft.response.status).to.equal(409);
    await teacher.post(`/app/exams/${examId}/activate`, {}, `/app/exams/${examId}`);
    const deleteActive = await teacher.post(`/app/exams/${examId}/delete`, {}, `/app/exams/${examId}/candidates`);
    expect(deleteActive.response.status).to.equal(409);
    expect((await auditOfExam(world, examId)).map((e) => e.action)).to.deep.equal(['create', 'activate']);
  });

  it('when the audit entry cannot be written, then the change itself is rolled back', async () => {
    const examId = await createExam(teacher, { title: 'Atomic' });
    await world.examgate.sequelize.query('ALTER TABLE audit_entries RENAME TO audit_entries_away');
    try {
      const refused = await teacher.post(`/app/exams/${examId}`, buildExamForm({ title: 'Half written' }), `/app/exams/${examId}/edit`);
      expect(refused.response.status).to.equal(500);
      const activate = await teacher.post(`/app/exams/${examId}/activate`, {}, `/app/exams/${examId}`);
      expect(activate.response.status).to.equal(500);
    } finally {
      await world.examgate.sequelize.query('ALTER TABLE audit_entries_away RENAME TO audit_entries');
    }
    const page = await teacher.get(`/app/exams/${examId}`);
    expect(page.body).to.contain('<h1>Atomic</h1>');
    expect(page.body).to.contain('<span class="status">draft</span>');
    expect((await auditOfExam(world, examId)).map((e) => e.action)).to.deep.equal(['create']);
  });

  describe('the History page', () => {
    it('when staff of the course open it, then it lists the changes newest first, times in the test zone, before → after', async () => {
      const examId = await createExam(teacher, { title: 'Physics', timeZone: 'America/New_York' });
      await teacher.post(
        `/app/exams/${examId}`,
        buildExamForm({ title: 'Physics <b>2</b>', timeZone: 'America/New_York' }),
        `/app/exams/${examId}/edit`,
      );
      const examPage = await teacher.get(`/app/exams/${examId}`);
      expect(examPage.body).to.contain(`href="/app/exams/${examId}/history"`);

      const history = await teacher.get(`/app/exams/${examId}/history`);
      expect(history.response.status).to.equal(200);
      expect(history.body).to.contain('<title>History · Physics &lt;b&gt;2&lt;/b&gt; · examgate</title>');
      expect(history.body).to.contain('2 changes, newest first; page 1 of 1.');
      const rows = history.body.split('<tr>').slice(2);
      expect(rows[0]).to.contain(': update');
      expect(rows[0]).to.contain('title: Physics → Physics &lt;b&gt;2&lt;/b&gt;');
      expect(rows[0]).to.contain('Rosalind Franklin (LMS user teacher-audit)');
      expect(rows[0]).to.contain('examgate page');
      expect(rows[0]).to.contain('(America/New_York)</time>');
      expect(rows[1]).to.contain(': create');
      expect(history.body).not.to.match(/>\d{4}-\d{2}-\d{2}T/);
    });

    it('when there are more than 50 changes, then they are paged and the older page links back', async () => {
      const examId = await createExam(teacher, { title: 'Many' });
      const by = { actor: { kind: 'system' as const }, via: 'roster-sync' as const };
      const changes = Array.from({ length: 54 }, (_, i) => ({
        entityType: 'candidate' as const,
        entityId: `c-${i}`,
        action: 'add',
        label: `C${String(i).padStart(3, '0')}`,
        examId,
        changes: { candidateId: { from: null, to: `C${i}` } },
      }));
      await world.examgate.audit.record(by, changes);
      const first = await teacher.get(`/app/exams/${examId}/history`);
      expect(first.body).to.contain('55 changes, newest first; page 1 of 2.');
      expect(first.body).to.contain('C053');
      expect(first.body).to.contain('href="?page=2">Older changes</a>');
      const second = await teacher.get(`/app/exams/${examId}/history?page=2`);
      expect(second.body).to.contain('page 2 of 2.');
      expect(second.body).to.contain(': create');
      expect(second.body).to.contain('href="?page=1">Newer changes</a>');
    });

    it('when an instructor of another course or a learner of this one asks for it, then it is 404 and 403', async () => {
      const examId = await createExam(teacher, { title: 'Walled' });
      const other = await instructorOf(world, { id: `audit-other-${n}`, title: 'Other' });
      for (const path of [`/app/exams/${examId}/history`, `/app/exams/${examId}/history/download`]) {
        const response = await other.get(path);
        expect(response.response.status, path).to.equal(404);
        expect(response.body).not.to.contain('Walled');
      }
      const learner = await launchSession(world, { user: { sub: 'student-9' }, roles: [ROLE_LEARNER], context });
      for (const path of [`/app/exams/${examId}/history`, `/app/exams/${examId}/history/download`]) {
        expect((await learner.get(path)).response.status, path).to.equal(403);
      }
    });
  });
});
