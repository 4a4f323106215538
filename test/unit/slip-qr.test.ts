import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { qrSvg } from '../../src/handout/slip-qr.js';
import { decodeSlipQr } from '../support/handout.js';

describe('A slip’s QR code (one fixed mask, one byte segment)', () => {
  it('when many links of every plausible length are drawn, then each decodes back to exactly its link', () => {
    const hosts = [
      'https://exams.example.edu',
      'https://e.x',
      'http://127.0.0.1:3000',
      'https://a-rather-long-host-name.faculty.example.university.ac.uk',
    ];
    for (let i = 0; i < 200; i += 1) {
      const link = `${hosts[i % hosts.length]}/go/${randomBytes(16 + (i % 24)).toString('base64url')}`;
      expect(decodeSlipQr(qrSvg(link, 'QR code')), link).to.equal(link);
    }
  });

  it('when the label holds markup, then it is escaped in the SVG', () => {
    expect(qrSvg('https://e.x/go/a', 'QR of <b>"A&B"</b>')).to.contain('aria-label="QR of &lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;"');
  });
});
