import { expect } from 'chai';
import { CandidateBatchError } from '../../src/candidates/candidate.errors.js';
import { parseOneTimeFile } from '../../src/candidates/one-time-file.js';
import { nextSeries } from '../../src/candidates/candidate-batch.js';

const problems = (text: string | Buffer) => {
  try {
    parseOneTimeFile(Buffer.isBuffer(text) ? text : Buffer.from(text));
  } catch (err) {
    expect(err).to.be.instanceOf(CandidateBatchError);
    return (err as CandidateBatchError).problems.map((p) => p.message);
  }
  throw new Error('the file was accepted');
};

describe('one-time users file (Candidate ID, extra time)', () => {
  it('when the file has a header and lines with , or ;, a BOM, quotes and blank lines, then every line is a row', () => {
    const comma = parseOneTimeFile(Buffer.from('\uFEFFCandidate ID,Extra time\r\nA-1,15\r\n\r\n"B, 2",\r\n'));
    expect(comma).to.deep.equal([
      { candidateId: 'A-1', extraTimeMinutes: 15, line: 2 },
      { candidateId: 'B, 2', extraTimeMinutes: 0, line: 4 },
    ]);
    const semicolon = parseOneTimeFile(Buffer.from('Candidate ID;extra time\nC;30\n'));
    expect(semicolon).to.deep.equal([{ candidateId: 'C', extraTimeMinutes: 30, line: 2 }]);
  });

  it('when the file is Windows-1252 (Excel), then its letters arrive as they were', () => {
    const rows = parseOneTimeFile(Buffer.from([...Buffer.from('Candidate ID,extra time\nJos'), 0xe9, 0x0a]));
    expect(rows[0]!.candidateId).to.equal('José');
  });

  it('when lines are wrong, then every problem is named with its line and field, and nothing is returned', () => {
    const file = [
      'Candidate ID,extra time',
      ',5',
      `${'x'.repeat(501)},0`,
      'A,-5',
      'B,1.5',
      'C,soon',
      'D,0',
      'D,0',
      'E,0,extra',
      'F\u0007G,0',
    ].join('\n');
    expect(problems(file)).to.deep.equal([
      'Line 2: give the candidate an ID of 1 to 500 characters.',
      'Line 3: a candidate ID is at most 500 characters.',
      'Line 4: extra time must be a whole number of minutes from 0 to 1440.',
      'Line 5: extra time must be a whole number of minutes from 0 to 1440.',
      'Line 6: extra time must be a whole number of minutes from 0 to 1440.',
      'Line 8: candidate ID "D" is also on line 7.',
      'Line 9: has more than two columns (Candidate ID, extra time).',
      'Line 10: a candidate ID cannot hold control characters (tabs, line breaks and the like).',
    ]);
  });

  it('when the file is empty, has no header or no data rows, then it says which', () => {
    expect(problems('')).to.deep.equal(['The file is empty. It needs a header line and a line per candidate.']);
    expect(problems('A-1,5\nA-2,0')).to.deep.equal(['Line 1: the first line must be the header "Candidate ID, extra time".']);
    expect(problems('Candidate ID,extra time\r\n\r\n')).to.deep.equal([
      'The file has a header but no candidates: add a line per candidate.',
    ]);
  });

  it('when a file has very many bad lines, then the first 20 are listed and the rest counted', () => {
    const file = ['Candidate ID,extra time', ...Array.from({ length: 30 }, (_, i) => `K${i},-1`)].join('\n');
    const listed = problems(file);
    expect(listed).to.have.length(21);
    expect(listed[20]).to.equal('… and 10 more lines with problems.');
  });

  it('when candidate IDs are generated, then they continue after the highest of the series and skip none taken', () => {
    expect(nextSeries(new Set(), 3)).to.deep.equal(['C-0001', 'C-0002', 'C-0003']);
    expect(nextSeries(new Set(['C-0007', 'C-0002', 'Walk-in']), 2)).to.deep.equal(['C-0008', 'C-0009']);
    expect(nextSeries(new Set(['C-9999']), 1)).to.deep.equal(['C-10000']);
  });
});
