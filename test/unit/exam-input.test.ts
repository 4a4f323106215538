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
