import { expect } from 'chai';
import { examFormValues } from '../../src/exams/exam.presenter.js';
import { InvalidExamError } from '../../src/exams/exam.errors.js';
import { parseExamInput } from '../../src/exams/exam-input.js';

describe('test settings input', () => {
  const input = (overrides: Record<string, string> = {}) => ({ ...examFormValues(null), title: 'Final', ...overrides });

  it('when examgate runs in production, then delivery and finish URLs must be https', () => {
    for (const field of ['deliveryUrl', 'finishRedirectUrl']) {
      expect(() => parseExamInput(input({ [field]: 'http://engine.example.edu/' }), { allowHttp: false }), field)
        .to.throw(InvalidExamError, 'must start with https://, not http:.')
        .with.property('field', field);
      expect(parseExamInput(input({ [field]: 'https://engine.example.edu/' }), { allowHttp: false })[field as 'deliveryUrl']).to.equal(
        'https://engine.example.edu/',
      );
    }
  });

  it('when a URL carries credentials, then it is refused', () => {
    expect(() => parseExamInput(input({ deliveryUrl: 'https://user:pw@engine.example.edu/' }), { allowHttp: true })).to.throw(
      'must not contain a user name or password',
    );
  });

  it('when the time zone is left empty, then the window is read in UTC', () => {
    const fields = parseExamInput(input({ timeZone: '', opensAt: '2026-06-01T09:00' }), { allowHttp: true });
    expect(fields.timeZone).to.equal('UTC');
    expect(fields.opensAt?.toISOString()).to.equal('2026-06-01T09:00:00.000Z');
  });

  it('when the time zone is left empty and the platform has a default zone, then the window is read in that zone', () => {
    const fields = parseExamInput(input({ timeZone: ' ', opensAt: '2026-06-01T09:00' }), {
      allowHttp: true,
      defaultTimeZone: 'Europe/Oslo',
    });
    expect(fields.timeZone).to.equal('Europe/Oslo');
    expect(fields.opensAt?.toISOString()).to.equal('2026-06-01T07:00:00.000Z');
  });
});

describe('where a test opens (exam setting "Open the test in")', () => {
  const input = (overrides: Record<string, string> = {}) => ({ ...examFormValues(null), title: 'Final', ...overrides });

  it('when a new test is made, then it opens in a new tab; the whole window can be chosen', () => {
    expect(parseExamInput(input(), { allowHttp: true }).openIn).to.equal('new_tab');
    expect(parseExamInput(input({ openIn: 'whole_window' }), { allowHttp: true }).openIn).to.equal('whole_window');
  });

  it('when the form sends another value (an old target such as the frame itself), then it is refused naming the field', () => {
    for (const openIn of ['same_frame', '_self', '', 'NEW_TAB']) {
      expect(() => parseExamInput(input({ openIn }), { allowHttp: true }), openIn)
        .to.throw(InvalidExamError, 'Choose where the test opens when examgate runs inside the course page')
        .with.property('field', 'openIn');
    }
  });
});
