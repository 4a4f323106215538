import { expect } from 'chai';
import type { InvalidMailSettingsError } from '../../src/mail/mail-settings-input.js';
import { parseMailSettingsForm, readMailSettingsForm } from '../../src/mail/mail-settings-input.js';
import { parseSender, settingsFromEnvironment, type MailSettings } from '../../src/mail/mail-settings.js';
import { describeFailure } from '../../src/mail/smtp-transport.js';

const FORM = {
  host: 'smtp.uni.example',
  port: '',
  security: 'starttls',
  username: '',
  password: '',
  fromAddress: 'exams@uni.example',
  fromName: '',
};

describe('e-mail settings: the environment, the form and the relay’s errors', () => {
  it('when SMTP_URL is smtp://, smtps:// or says security=none, then security and the usual port follow; user and password are decoded', () => {
    expect(settingsFromEnvironment(undefined, undefined)).to.equal(null);
    expect(settingsFromEnvironment('smtp://relay%40uni:p%40ss@smtp.uni.example', 'Exam Office <exams@uni.example>')).to.deep.equal({
      host: 'smtp.uni.example',
      port: 587,
      security: 'starttls',
      username: 'relay@uni',
      password: 'p@ss',
      fromAddress: 'exams@uni.example',
      fromName: 'Exam Office',
    });
    expect(settingsFromEnvironment('smtps://smtp.uni.example', 'exams@uni.example')).to.include({
      port: 465,
      security: 'tls',
      username: null,
      fromName: null,
    });
    expect(settingsFromEnvironment('smtp://localhost:2525?security=none', 'exams@uni.example')).to.include({
      port: 2525,
      security: 'none',
    });
    expect(() => settingsFromEnvironment('smtp://localhost', undefined)).to.throw('MAIL_FROM must be an e-mail address');
  });

  it('when a sender is named or bare, then it is read; anything else is refused', () => {
    expect(parseSender('"Exam Office" <exams@uni.example>')).to.deep.equal({ address: 'exams@uni.example', name: 'Exam Office' });
    expect(parseSender('exams@uni.example')).to.deep.equal({ address: 'exams@uni.example', name: null });
    expect(parseSender('exams at uni')).to.equal(null);
    expect(parseSender('<a@b> <c@d>')).to.equal(null);
  });

  it('when the form is blank on port and password, then the usual port is used and the stored password kept; new or removed when asked', () => {
    expect(parseMailSettingsForm(readMailSettingsForm(FORM))).to.include({ port: 587 });
    expect(parseMailSettingsForm(readMailSettingsForm({ ...FORM, security: 'tls' })).port).to.equal(465);
    expect(parseMailSettingsForm(readMailSettingsForm(FORM)).password).to.deep.equal({ kind: 'keep' });
    expect(parseMailSettingsForm(readMailSettingsForm({ ...FORM, password: ' spaced ' })).password).to.deep.equal({
      kind: 'set',
      password: ' spaced ',
    });
    expect(parseMailSettingsForm(readMailSettingsForm({ ...FORM, clearPassword: 'on' })).password).to.deep.equal({ kind: 'clear' });
  });

  it('when fields break the rules, then every problem is named at once', () => {
    try {
      parseMailSettingsForm(
        readMailSettingsForm({
          ...FORM,
          host: '',
          port: '0',
          fromAddress: '',
          fromName: 'A "quoted" name',
          password: 'x',
          clearPassword: 'on',
        }),
      );
      expect.fail('refused');
    } catch (err) {
      expect((err as InvalidMailSettingsError).problems.map((p) => p.field)).to.deep.equal([
        'host',
        'port',
        'fromAddress',
        'fromName',
        'password',
      ]);
    }
  });

  it('when the relay refuses, then the stored error names the server and its answer, never the password; a refused recipient (5xx) is permanent, a refused login or a 4xx is not', () => {
    const settings: MailSettings = {
      host: 'smtp.uni.example',
      port: 587,
      security: 'starttls',
      username: 'u',
      password: 'Hunter-2',
      fromAddress: 'a@b.c',
      fromName: null,
    };
    const auth = describeFailure({ code: 'EAUTH', responseCode: 535, response: '535 Authentication failed for u/Hunter-2' }, settings);
    expect(auth.message).to.equal(
      'The SMTP server refused the user name or password (smtp.uni.example:587): 535 Authentication failed for u/[hidden]',
    );
    expect(auth.permanent, 'the settings can be fixed: the message waits').to.equal(false);
    const grey = describeFailure({ code: 'EENVELOPE', responseCode: 451, response: '451 Try later' }, settings);
    expect(grey.permanent).to.equal(false);
    expect(describeFailure({ code: 'EENVELOPE', responseCode: 550, response: '550 No such user' }, settings).permanent).to.equal(true);
    const refused = describeFailure({ code: 'ESOCKET', message: 'connect ECONNREFUSED 127.0.0.1:587' }, settings);
    expect(refused.message).to.match(/^The SMTP server could not be reached/);
    expect(describeFailure(new Error('x'.repeat(2000)), settings).message.length).to.equal(500);
  });
});
