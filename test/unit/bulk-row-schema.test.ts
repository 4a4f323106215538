import { expect } from 'chai';
import { readCsv } from '../../src/imports/csv-reader.js';
import { bulkRowSchema } from '../../src/permanent/bulk/bulk-row.schema.js';

const SEED_004_HEADER =
  'Client ID,Username,Title,First Name,Last Name,Email ID of the Candidate,Role,Phone Number of the Candidate,Password,Deleted,Eligible,Venue,Booking Status';

describe('Bulk upload rows: the columns as seed 004 names them', () => {
  it('when the header uses the seed’s own column names, then every column is read and none is reported as ignored', () => {
    const file = Buffer.from(
      `${SEED_004_HEADER}\r\nC1,kari,Ms,Kari,Nordmann,kari@uni.example,candidate,+47 900 00000,,no,yes,Hall A,booked\r\n`,
    );
    const read = readCsv(file, bulkRowSchema, { maxRows: 10, maxFieldChars: 1000 });
    expect(read.notes.filter((n) => n.includes('is not one examgate reads'))).to.deep.equal([]);
    expect(read.rows[0]?.row.details).to.include({ email: 'kari@uni.example', phone: '+47 900 00000', venue: 'Hall A' });
  });
});
