import { expect } from 'chai';
import { loadConfig, portMismatchWarning } from '../../src/config.js';

describe('configuration: PORT and PUBLIC_URL agree in development', () => {
  it('when development sets only PORT, then PUBLIC_URL follows it and nothing is said', () => {
    const config = loadConfig({ PORT: '3500' });
    expect(config.PUBLIC_URL).to.equal('http://localhost:3500');
    expect(portMismatchWarning(config)).to.equal(null);
  });

  it('when development sets neither, then the defaults agree on port 3000', () => {
    const config = loadConfig({});
    expect(config.PUBLIC_URL).to.equal('http://localhost:3000');
    expect(portMismatchWarning(config)).to.equal(null);
  });

  it('when development sets both and they disagree, then PUBLIC_URL is kept and the warning names both ports and the fix', () => {
    const config = loadConfig({ PORT: '3500', PUBLIC_URL: 'http://localhost:3000' });
    expect(config.PUBLIC_URL).to.equal('http://localhost:3000');
    const warning = portMismatchWarning(config);
    expect(warning).to.contain('names port 3000, but examgate listens on PORT 3500');
    expect(warning).to.contain('Leave PUBLIC_URL unset to follow PORT');
  });

  it('when a development PUBLIC_URL has no port, then its scheme default is what PORT is compared with', () => {
    expect(portMismatchWarning(loadConfig({ PORT: '80', PUBLIC_URL: 'http://examgate.test' }))).to.equal(null);
    expect(portMismatchWarning(loadConfig({ PORT: '3000', PUBLIC_URL: 'http://examgate.test' }))).to.contain('names port 80');
  });

  it('when production sets PORT, then PUBLIC_URL stays what the operator set and no warning is given (a proxy is the rule there)', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      PORT: '8080',
      PUBLIC_URL: 'https://examgate.example.edu',
      SECRET_KEY: 'x'.repeat(40),
    });
    expect(config.PUBLIC_URL).to.equal('https://examgate.example.edu');
    expect(portMismatchWarning(config)).to.equal(null);
  });

  it('when development sets a malformed PORT, then the error names PORT, not PUBLIC_URL', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).to.throw(/PORT/);
  });
});
