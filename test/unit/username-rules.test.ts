import { expect } from 'chai';
import { InvalidUsernameError, checkUsername, usernameKey } from '../../src/access/username-rules.js';

describe('username rules (seed 002)', () => {
  const refusal = (raw: string) => {
    try {
      checkUsername(raw);
    } catch (err) {
      expect(err).to.be.instanceOf(InvalidUsernameError);
      return (err as Error).message;
    }
    throw new Error(`"${raw}" was accepted`);
  };

  it('when letters, digits, @ _ - . and the listed diacritics are used, then the username is accepted as NFC, trimmed', () => {
    expect(checkUsername('  anna.berg@school_1-a ')).to.equal('anna.berg@school_1-a');
    expect(checkUsername('ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿāĂăĄą')).to.have.length(67);
    expect(checkUsername('Jose\u0301')).to.equal('José');
    expect(checkUsername('x'.repeat(500))).to.have.length(500);
  });

  it('when a character outside the rules is used, then the message names it', () => {
    for (const char of [
      '!',
      '£',
      '"',
      '#',
      '$',
      '%',
      "'",
      '(',
      ')',
      '*',
      '+',
      ',',
      '/',
      ':',
      ';',
      '<',
      '=',
      '>',
      '?',
      '[',
      '\\',
      ']',
      '^',
      '`',
      '{',
      '|',
      '}',
      '~',
      '&',
      '×',
      '÷',
      'Ł',
      'я',
    ]) {
      expect(refusal(`ab${char}cd`), char).to.contain(`"${char}" is not allowed in a username`);
    }
    expect(refusal('anna berg')).to.contain('A space is not allowed in a username');
    expect(refusal('anna\tberg')).to.contain('The control character U+0009 is not allowed');
  });

  it('when the username is empty or longer than 500 characters, then it is refused with its length', () => {
    expect(refusal('   ')).to.equal('Give a username of 1 to 500 characters.');
    expect(refusal('é'.repeat(501))).to.contain('at most 500 characters; this one has 501');
  });

  it('when two usernames differ only in letter case or composition, then they have one key', () => {
    expect(usernameKey('Anna.Berg')).to.equal(usernameKey('anna.berg'));
    expect(usernameKey('JOSE\u0301')).to.equal(usernameKey('josé'));
  });
});
