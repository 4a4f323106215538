import { expect } from 'chai';
import { hashPassword, needsRehash, PasswordHasher, verifyPassword } from '../../src/security/password-hash.js';
import { generatePassword, weakness } from '../../src/security/password-rules.js';
import { base32Decode, base32Encode, otpauthUri, stepAt, totpCode, verifyTotp } from '../../src/security/totp.js';

// RFC 6238 appendix B: the SHA-1 secret is the ASCII "12345678901234567890".
const RFC_SECRET = base32Encode(Buffer.from('12345678901234567890'));

describe('scrypt password hashes', () => {
  it('when a password is hashed, then it verifies, a wrong one does not, and each hash has its own salt', async () => {
    const a = await hashPassword('Correct horse 1');
    const b = await hashPassword('Correct horse 1');
    expect(a).to.match(/^scrypt\$15\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.to.equal(b);
    expect(await verifyPassword('Correct horse 1', a)).to.equal(true);
    expect(await verifyPassword('Correct horse 2', a)).to.equal(false);
    expect(needsRehash(a)).to.equal(false);
  });

  it('when the stored parameters are weaker or damaged, then it still verifies or refuses, and asks for a rehash', async () => {
    const weak = await hashPassword('Pa55word', { log2N: 10, r: 8, p: 1 });
    expect(await verifyPassword('Pa55word', weak)).to.equal(true);
    expect(needsRehash(weak)).to.equal(true);
    expect(await verifyPassword('Pa55word', 'scrypt$15$8$1$AAAA')).to.equal(false);
    expect(await verifyPassword('Pa55word', 'bcrypt$xyz')).to.equal(false);
    expect(await verifyPassword('Pa55word', 'scrypt$40$8$1$AAAA$AAAA')).to.equal(false);
  });

  it('when the hasher is set to a cost, then its hashes carry that cost and verify at any setting, and production renews them', async () => {
    const cheap = new PasswordHasher(10);
    const stored = await cheap.hash('Correct horse 1');
    expect(stored).to.match(/^scrypt\$10\$8\$1\$/);
    expect(await new PasswordHasher().verify('Correct horse 1', stored)).to.equal(true);
    expect(await cheap.verify('Correct horse 2', stored)).to.equal(false);
    expect(cheap.needsRehash(stored)).to.equal(false);
    expect(new PasswordHasher().needsRehash(stored)).to.equal(true);
    expect(new PasswordHasher().params).to.deep.equal({ log2N: 15, r: 8, p: 1 });
    expect(await cheap.verifyNothing('Correct horse 1')).to.equal(false);
  });

  it('when NFC and NFD spellings of one password are typed, then both verify', async () => {
    const stored = await hashPassword('Ångström9');
    expect(await verifyPassword('A\u030angstro\u0308m9', stored)).to.equal(true);
  });
});

describe('password rule (seed 002)', () => {
  it('when a password lacks length, an upper-case letter or a digit, then the weakness names each', () => {
    expect(weakness('Abcdefg1')).to.equal(null);
    expect(weakness('abc')).to.equal('The password needs at least 8 characters, an upper-case letter, a digit.');
    expect(weakness('abcdefgh1')).to.equal('The password needs an upper-case letter.');
    expect(weakness('Abcdefghi')).to.equal('The password needs a digit.');
  });

  it('when a password is generated, then it keeps the rule', () => {
    for (let i = 0; i < 50; i += 1) {
      const password = generatePassword();
      expect(password).to.have.length(14);
      expect(weakness(password)).to.equal(null);
    }
  });
});

describe('TOTP (RFC 6238)', () => {
  it('when the RFC 6238 test vectors are computed, then the codes match (last 6 of 8 digits)', () => {
    const vectors: Array<[number, string]> = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
    ];
    for (const [seconds, code] of vectors) {
      expect(totpCode(RFC_SECRET, stepAt(seconds * 1000), 8)).to.equal(code);
      expect(totpCode(RFC_SECRET, stepAt(seconds * 1000))).to.equal(code.slice(2));
    }
  });

  it('when a code is one step early or late, then it is accepted; two steps, not', () => {
    const now = 1_700_000_000_000;
    const step = stepAt(now);
    expect(verifyTotp(RFC_SECRET, totpCode(RFC_SECRET, step - 1), now, null)).to.equal(step - 1);
    expect(verifyTotp(RFC_SECRET, totpCode(RFC_SECRET, step + 1), now, null)).to.equal(step + 1);
    expect(verifyTotp(RFC_SECRET, totpCode(RFC_SECRET, step - 2), now, null)).to.equal(null);
    expect(verifyTotp(RFC_SECRET, '12345', now, null)).to.equal(null);
  });

  it('when a code of an already accepted step is sent again, then it is refused (no replay)', () => {
    const now = 1_700_000_000_000;
    const step = stepAt(now);
    const code = totpCode(RFC_SECRET, step);
    expect(verifyTotp(RFC_SECRET, code, now, step - 1)).to.equal(step);
    expect(verifyTotp(RFC_SECRET, code, now, step)).to.equal(null);
  });

  it('when a secret is encoded, then base32 round-trips and the otpauth URI names issuer and account', () => {
    const bytes = Buffer.from('any bytes at all!');
    expect(base32Decode(base32Encode(bytes)).equals(bytes)).to.equal(true);
    expect(otpauthUri('examgate', 'anna@uni', 'ABC')).to.equal(
      'otpauth://totp/examgate:anna%40uni?secret=ABC&issuer=examgate&algorithm=SHA1&digits=6&period=30',
    );
  });
});
