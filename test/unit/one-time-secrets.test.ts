import { expect } from 'chai';
import {
  ONE_TIME_ALPHABET,
  PASSWORD_LENGTH,
  USERNAME_PREFIX,
  entropyBits,
  generatePasswords,
  generateUsernames,
  randomStrings,
} from '../../src/access/one-time-secrets.js';

describe('one-time usernames and passwords', () => {
  it('when the alphabet is read, then it holds none of the look-alikes and no character twice', () => {
    for (const lookAlike of ['0', 'O', 'o', '1', 'l', 'I', 'i', 'L']) {
      expect(ONE_TIME_ALPHABET, lookAlike).not.to.contain(lookAlike);
    }
    expect(new Set(ONE_TIME_ALPHABET).size).to.equal(ONE_TIME_ALPHABET.length);
    expect(ONE_TIME_ALPHABET).to.match(/^[a-z2-9]+$/);
  });

  it('when a password is generated, then it carries at least 60 bits (alphabet size and length)', () => {
    expect(entropyBits(ONE_TIME_ALPHABET.length, PASSWORD_LENGTH)).to.be.at.least(60);
    const [password] = generatePasswords(1);
    expect(password).to.have.length(PASSWORD_LENGTH);
    expect([...password!].every((c) => ONE_TIME_ALPHABET.includes(c))).to.equal(true);
    expect(entropyBits(32, 2)).to.equal(10);
  });

  it('when 1500 are generated at once, then they are all different and every character of the alphabet turns up', () => {
    const passwords = generatePasswords(1500);
    expect(new Set(passwords).size).to.equal(1500);
    const seen = new Set(passwords.join(''));
    expect(seen.size).to.equal(ONE_TIME_ALPHABET.length);
    const usernames = generateUsernames(1500);
    expect(new Set(usernames).size).to.equal(1500);
    for (const name of usernames) {
      expect(name.startsWith(USERNAME_PREFIX)).to.equal(true);
      expect(name.slice(USERNAME_PREFIX.length)).to.match(/^[a-hj-km-np-z2-9]{8}$/);
    }
  });

  it('when characters are drawn, then each is about equally likely (no modulo bias)', () => {
    const counts = new Map<string, number>();
    for (const c of randomStrings('abc', 30_000, 1)[0]!) {
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    for (const c of 'abc') {
      expect(counts.get(c)).to.be.within(9_300, 10_700);
    }
  });
});
