import { expect } from 'chai';
import type { AuditService } from '../../src/audit/audit.service.js';
import type { UnitOfWork } from '../../src/db/unit-of-work.js';
import { InvalidSettingsError } from '../../src/settings/settings.errors.js';
import { parseSettingsForm, readSettingsForm } from '../../src/settings/settings-input.js';
import type { SettingsRepository } from '../../src/settings/settings.repository.js';
import { SystemSettings } from '../../src/settings/settings.service.js';
import { effective, INSTALLATION, NOTHING_SET, type SettingsValues } from '../../src/settings/settings.js';

const problemsOf = (body: Record<string, string>, allowHttp = true) => {
  try {
    parseSettingsForm(readSettingsForm(body), { allowHttp });
    return [];
  } catch (err) {
    return (err as InvalidSettingsError).problems;
  }
};

describe('system settings: fallbacks and the form', () => {
  it('when a platform sets a field, then it wins; else the installation; else the environment or the built-in default', () => {
    const installation: SettingsValues = { ...NOTHING_SET, finishRedirectUrl: 'https://all.example/', csvDelimiter: ';', slipLink: false };
    const platform: SettingsValues = { ...NOTHING_SET, csvDelimiter: ',', linkLifetimeHours: 12 };
    expect(effective(platform, installation, { finishRedirectUrl: 'https://env.example/' })).to.deep.equal({
      finishRedirectUrl: 'https://all.example/',
      linkLifetimeHours: 12,
      csvDelimiter: ',',
      slips: { password: true, entryCode: true, link: false },
    });
    expect(effective(NOTHING_SET, NOTHING_SET, { finishRedirectUrl: 'https://env.example/' })).to.deep.equal({
      finishRedirectUrl: 'https://env.example/',
      linkLifetimeHours: null,
      csvDelimiter: 'auto',
      slips: { password: true, entryCode: true, link: true },
    });
  });

  it('when the form is blank, then nothing is set; its choices read as values', () => {
    expect(parseSettingsForm(readSettingsForm({}), { allowHttp: false })).to.deep.equal(NOTHING_SET);
    const values = parseSettingsForm(
      readSettingsForm({
        finishRedirectUrl: ' https://done.example/x ',
        linkLifetimeHours: '8760',
        csvDelimiter: 'comma',
        slipPassword: 'hide',
        slipLink: 'show',
      }),
      { allowHttp: false },
    );
    expect(values).to.deep.equal({
      finishRedirectUrl: 'https://done.example/x',
      linkLifetimeHours: 8760,
      csvDelimiter: ',',
      slipPassword: false,
      slipEntryCode: null,
      slipLink: true,
    });
  });

  it('when production forbids plain http, then an http finish URL is refused naming https only', () => {
    expect(problemsOf({ finishRedirectUrl: 'http://done.example' }, false)).to.deep.equal([
      { field: 'finishRedirectUrl', message: 'The finish redirect URL must start with https://, not http:.' },
    ]);
    expect(problemsOf({ finishRedirectUrl: 'http://done.example' }, true)).to.deep.equal([]);
  });

  it('when a choice is one the form never offers, then it is refused at its field', () => {
    expect(problemsOf({ slipEntryCode: 'maybe', csvDelimiter: 'tab' }).map((p) => p.field)).to.deep.equal([
      'csvDelimiter',
      'slipEntryCode',
    ]);
  });
});

describe('system settings: the in-memory copy', () => {
  function service() {
    let clock = 1_000_000;
    const stored = new Map<string, SettingsValues>();
    const calls = { reads: 0 };
    const repository = {
      transaction: <T>(work: (unit: UnitOfWork) => Promise<T>) => work({} as UnitOfWork),
      all: async () => {
        calls.reads += 1;
        return new Map(stored);
      },
      save: async (scope: string, values: SettingsValues) => {
        stored.set(scope, values);
      },
    } as unknown as SettingsRepository;
    const audit = { record: async () => undefined } as unknown as AuditService;
    const settings = new SystemSettings(repository, audit, {
      fallbacks: { finishRedirectUrl: null },
      cacheMs: 10_000,
      platformName: async () => 'LMS',
      now: () => clock,
    });
    return { settings, stored, calls, tick: (ms: number) => (clock += ms) };
  }

  it('when read again within the cache time, then the table is not read again; after it, it is, and another process’s change shows', async () => {
    const { settings, stored, calls, tick } = service();
    expect((await settings.forPlatform('p1')).csvDelimiter).to.equal('auto');
    await settings.forPlatform('p2');
    expect(calls.reads).to.equal(1);
    // Another process writes to the shared table: this one sees it once its copy is older than the cache time.
    stored.set(INSTALLATION, { ...NOTHING_SET, csvDelimiter: ';' });
    tick(9_999);
    expect((await settings.forPlatform('p1')).csvDelimiter).to.equal('auto');
    tick(1);
    expect((await settings.forPlatform('p1')).csvDelimiter).to.equal(';');
    expect(calls.reads).to.equal(2);
  });

  it('when this process saves, then its next read has the change at once', async () => {
    const { settings } = service();
    expect((await settings.forPlatform('p1')).linkLifetimeHours).to.equal(null);
    await settings.save('p1', { ...NOTHING_SET, linkLifetimeHours: 5 }, { actor: { kind: 'admin' }, via: 'admin-page' });
    expect((await settings.forPlatform('p1')).linkLifetimeHours).to.equal(5);
  });

  it('when a save would leave slips with no way in, then it is refused and nothing is written', async () => {
    const { settings, stored } = service();
    stored.set(INSTALLATION, { ...NOTHING_SET, slipEntryCode: false, slipLink: false });
    const by = { actor: { kind: 'admin' as const }, via: 'admin-page' as const };
    const refused = await settings.save('p1', { ...NOTHING_SET, slipPassword: false }, by).catch((err: unknown) => err);
    expect(refused).to.be.instanceOf(InvalidSettingsError);
    expect(stored.has('p1')).to.equal(false);
  });
});
