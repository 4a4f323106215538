import { expect } from 'chai';
import { changedFields } from '../../src/audit/audit.js';
import { BOM, auditCsv, csvCell } from '../../src/audit/audit-csv.js';
import type { AuditEntry } from '../../src/audit/audit.js';

describe('Audit CSV', () => {
  it('when a cell starts with = + - @ tab or CR, then it gets a leading apostrophe so spreadsheets show it as text', () => {
    for (const value of ['=1+1', '+1', '-1', '@A1', '\tx', '\rx']) {
      expect(csvCell(value).replace(/^"|"$/g, '')).to.equal(`'${value}`);
    }
    expect(csvCell('plain')).to.equal('plain');
    expect(csvCell('1-2')).to.equal('1-2');
  });

  it('when a cell holds a comma, quote or line break, then it is quoted with doubled quotes', () => {
    expect(csvCell('a,b')).to.equal('"a,b"');
    expect(csvCell('say "hi"')).to.equal('"say ""hi"""');
    expect(csvCell('two\nlines')).to.equal('"two\nlines"');
  });

  it('when entries are written, then the file starts with a BOM and a header, and each entry is one CRLF line', async () => {
    const entry: AuditEntry = {
      seq: 1,
      at: new Date('2026-03-29T00:30:00Z'),
      by: { actor: { kind: 'admin', ref: 'sign-in 12ab34cd' }, via: 'admin-page' },
      entityType: 'platform',
      entityId: 'p-1',
      action: 'update',
      label: 'Moodle',
      platformId: 'p-1',
      examId: null,
      changes: { newDeploymentPolicy: { from: null, to: 'hold' } },
    };
    async function* batches() {
      yield [entry];
    }
    let text = '';
    for await (const chunk of auditCsv(batches(), 'Europe/London')) {
      text += chunk;
    }
    expect(text.startsWith(`${BOM}Time,Time (UTC),Who,How,Entity,Entity id,Name,Action,Changes\r\n`)).to.equal(true);
    const lines = text.slice(1).split('\r\n');
    expect(lines).to.have.length(3);
    expect(lines[1]).to.equal(
      '"Sun 29 Mar 2026, 00:30 (Europe/London)",2026-03-29T00:30:00.000Z,Administrator (sign-in 12ab34cd),admin page,Platform,p-1,Moodle,update,new deployments: (none) → hold',
    );
  });

  it('when only some fields differ, then only those are recorded, and fields not listed are never looked at', () => {
    const before = { title: 'A', status: 'draft', secret: 'x' };
    const after = { title: 'B', status: 'draft', secret: 'y' };
    expect(changedFields(before, after, ['title', 'status'])).to.deep.equal({ title: { from: 'A', to: 'B' } });
    expect(changedFields(null, { when: new Date('2026-01-01T00:00:00Z') }, ['when'])).to.deep.equal({
      when: { from: null, to: '2026-01-01T00:00:00.000Z' },
    });
  });
});
