import { expect } from 'chai';
import type { Candidate } from '../../src/candidates/candidate.js';
import { planSsoRows } from '../../src/candidates/sso-import.plan.js';
import { ssoRowSchema, type SsoRow } from '../../src/candidates/sso-row.schema.js';

const cells = (values: Partial<Record<'candidateId' | 'ssoUserId' | 'extraTimeMinutes' | 'building' | 'room', string>>) => ({
  candidateId: '',
  ssoUserId: '',
  extraTimeMinutes: '',
  building: '',
  room: '',
  ...values,
});

function stored(overrides: Partial<Candidate>): Candidate {
  return {
    id: `id-${overrides.candidateId ?? 'x'}`,
    examId: 'e1',
    candidateId: 'x',
    source: 'sso',
    lmsUserId: null,
    name: null,
    email: null,
    sisId: null,
    extraTimeMinutes: 0,
    building: null,
    room: null,
    ssoAuthType: 'lms',
    ssoUserId: null,
    status: 'active',
    withdrawnReason: null,
    editedFields: [],
    attempt: {
      state: 'not_started',
      ref: null,
      deliveryUrl: null,
      returnUrl: null,
      way: null,
      handedOffAt: null,
      startedAt: null,
      finishedAt: null,
      score: null,
    },
    gradeStatus: null,
    resourceLinkId: null,
    ...overrides,
  };
}

const row = (
  candidateId: string,
  ssoUserId: string,
  extraTimeMinutes = 0,
  building: string | null = null,
  room: string | null = null,
): SsoRow => ({
  candidateId,
  ssoUserId,
  extraTimeMinutes,
  building,
  room,
});

describe('SSO candidate file: row schema (Candidate ID, SSO user ID, extra time[, Building name, Room name])', () => {
  it('when a row has the three columns and a seat, then it means that candidate; a room without a building keeps the building empty', () => {
    expect(
      ssoRowSchema.parseRow(
        cells({ candidateId: 'K-1', ssoUserId: 'ann@uni.example', extraTimeMinutes: '15', building: 'Main', room: 'A1' }),
      ),
    ).to.deep.equal({
      ok: true,
      row: { candidateId: 'K-1', ssoUserId: 'ann@uni.example', extraTimeMinutes: 15, building: 'Main', room: 'A1' },
    });
    expect(ssoRowSchema.parseRow(cells({ candidateId: 'K-2', ssoUserId: 'u-2', room: 'B2' }))).to.deep.equal({
      ok: true,
      row: { candidateId: 'K-2', ssoUserId: 'u-2', extraTimeMinutes: 0, building: null, room: 'B2' },
    });
  });

  it('when a cell is wrong, then the row is rejected naming the column and why', () => {
    const verdicts = [
      cells({ candidateId: '', ssoUserId: 'u' }),
      cells({ candidateId: 'x'.repeat(501), ssoUserId: 'u' }),
      cells({ candidateId: 'A', ssoUserId: '' }),
      cells({ candidateId: 'A', ssoUserId: 'u'.repeat(501) }),
      cells({ candidateId: 'A', ssoUserId: 'u\tv' }),
      ...['abc', '-5', '1.5', '30 min', '1441'].map((extra) => cells({ candidateId: 'A', ssoUserId: 'u', extraTimeMinutes: extra })),
      cells({ candidateId: 'A', ssoUserId: 'u', room: 'r'.repeat(256) }),
    ].map((c) => ssoRowSchema.parseRow(c));
    expect(verdicts.map((v) => (v.ok ? 'ok' : `${v.column}: ${v.reason}`))).to.deep.equal([
      'Candidate ID: Give the candidate an ID of 1 to 500 characters.',
      'Candidate ID: A candidate ID is at most 500 characters.',
      'SSO user ID: The SSO user ID is empty: give the ID the person signs in with (their LMS user id, SIS id or e-mail).',
      'SSO user ID: An SSO user ID is at most 500 characters.',
      'SSO user ID: An SSO user ID cannot hold control characters (tabs, line breaks and the like).',
      ...Array(5).fill('Extra time: Extra time must be a whole number of minutes from 0 to 1440.'),
      'Room name: The room name is at most 255 characters.',
    ]);
  });

  it('when the header is matched, then the seed’s column names and common aliases are known, building and room optional', () => {
    const byKey = Object.fromEntries(ssoRowSchema.columns.map((c) => [c.key, c]));
    expect(ssoRowSchema.columns.map((c) => c.label)).to.deep.equal([
      'Candidate ID',
      'SSO user ID',
      'Extra time',
      'Building name',
      'Room name',
    ]);
    expect(ssoRowSchema.columns.filter((c) => !c.required).map((c) => c.key)).to.deep.equal(['building', 'room']);
    expect(byKey.candidateId!.aliases).to.include('Kandidatnummer');
    expect(ssoRowSchema.uniqueKey!(row('K-1', 'u'))).to.equal('K-1');
  });
});

describe('SSO candidate file: the plan against the test', () => {
  const plan = (rows: SsoRow[], candidates: Candidate[] = [], maxCandidates = 1500) =>
    planSsoRows({ authType: 'lms', stored: candidates, maxCandidates, rows: rows.map((r, i) => ({ line: i + 2, row: r })) });

  it('when SSO users are new, on the test unchanged, or on it with another seat, then they are added, skipped or updated', () => {
    const result = plan(
      [row('K-1', 'new@uni.example'), row('K-2', 'SAME@uni.example', 10, 'Main', 'A1'), row('K-3', 'moved', 20, null, 'B2')],
      [
        stored({ candidateId: 'K-2', ssoUserId: 'same@uni.example', extraTimeMinutes: 10, building: 'Main', room: 'A1' }),
        stored({ candidateId: 'K-3', ssoUserId: 'moved', extraTimeMinutes: 0, building: 'Main', room: 'A1' }),
      ],
    );
    expect(result.rejected).to.deep.equal([]);
    expect(result.planned.map((p) => [p.line, p.plan, p.note ?? ''])).to.deep.equal([
      [2, 'add', ''],
      [3, 'skip', 'already on this test, unchanged'],
      [4, 'update', 'extra time 0 → 20 min, building Main → (none), room A1 → B2'],
    ]);
    expect(result.cap).to.deep.equal({ limit: 1500, after: 3 });
  });

  it('when a file repeats an SSO user ID (in any letter case) or a candidate ID, then the repeat is rejected naming the first line', () => {
    const result = plan([row('K-1', 'ann@uni.example'), row('K-2', 'ANN@uni.example'), row('K-1', 'bob')]);
    expect(result.planned.map((p) => p.line)).to.deep.equal([2]);
    expect(result.rejected).to.deep.equal([
      {
        line: 3,
        column: 'SSO user ID',
        reason: 'SSO user ID "ANN@uni.example" is also on line 2 of this file (letter case does not count).',
      },
      { line: 4, column: 'Candidate ID', reason: 'Candidate ID "K-1" is also on line 2 of this file.' },
    ]);
  });

  it('when a candidate ID is taken on the test, or an SSO user is there under another ID, then the row is rejected with the clash', () => {
    const result = plan(
      [row('R-1', 'new'), row('K-9', 'known')],
      [stored({ candidateId: 'R-1', source: 'roster', ssoAuthType: null }), stored({ candidateId: 'K-1', ssoUserId: 'known' })],
    );
    expect(result.rejected).to.deep.equal([
      { line: 2, column: 'Candidate ID', reason: 'Candidate ID "R-1" is already used on this test.' },
      {
        line: 3,
        column: 'Candidate ID',
        reason:
          'SSO user ID "known" is already candidate "K-1" on this test; change a candidate ID on the candidate\'s Edit page, not by import.',
      },
    ]);
  });

  it('when the same SSO user ID belongs to another auth type, then it is a different person', () => {
    const result = plan([row('K-2', 'u-1')], [stored({ candidateId: 'K-1', ssoUserId: 'u-1', ssoAuthType: 'setup-a' })]);
    expect(result.planned.map((p) => p.plan)).to.deep.equal(['add']);
  });

  it('when new candidates would pass the cap, then those beyond it are rejected and the cap line says where the test ends up', () => {
    const result = plan(
      [row('K-1', 'a'), row('K-2', 'b'), row('K-3', 'c')],
      [stored({ candidateId: 'K-0', ssoUserId: 'z' }), stored({ candidateId: 'W', ssoUserId: 'w', status: 'withdrawn' })],
      3,
    );
    expect(result.planned.map((p) => p.row.candidateId)).to.deep.equal(['K-1', 'K-2']);
    expect(result.rejected).to.deep.equal([
      { line: 4, column: '', reason: 'The test is full: at most 3 candidates, and the lines above take every place left.' },
    ]);
    expect(result.cap).to.deep.equal({ limit: 3, after: 3 });
  });
});
