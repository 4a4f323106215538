import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config.js';
import { sampleEngineAddress } from '../../src/demo/sample-engine.js';

describe('the sample delivery engine’s address in development', () => {
  const development = (env: Record<string, string>) => loadConfig({ PORT: '3000', ...env });

  it('when PUBLIC_URL is http, then the engine is at the same host on the next port, over http', () => {
    expect(sampleEngineAddress(development({}))).to.deep.equal({ port: 3001, publicUrl: 'http://localhost:3001/' });
    expect(sampleEngineAddress(development({ PUBLIC_URL: 'http://192.0.2.7:3000' }))).to.deep.equal({
      port: 3001,
      publicUrl: 'http://192.0.2.7:3001/',
    });
  });

  it('when PUBLIC_URL is https and no engine address is set, then start-up is refused naming both settings that fix it', () => {
    const config = development({ PUBLIC_URL: 'https://examgate.example.test' });
    expect(() => sampleEngineAddress(config)).to.throw(ConfigError, /SAMPLE_ENGINE_URL/);
    expect(() => sampleEngineAddress(config)).to.throw(ConfigError, /DEFAULT_DELIVERY_URL/);
    expect(() => sampleEngineAddress(config)).to.throw(ConfigError, /plain http on port 3001/);
  });

  it('when SAMPLE_ENGINE_URL is set, then hand-offs go there while the engine listens on the next port', () => {
    const config = development({ PUBLIC_URL: 'https://examgate.example.test', SAMPLE_ENGINE_URL: 'https://engine.example.test' });
    expect(sampleEngineAddress(config)).to.deep.equal({ port: 3001, publicUrl: 'https://engine.example.test/' });
    const withPath = development({ PUBLIC_URL: 'https://examgate.example.test', SAMPLE_ENGINE_URL: 'https://tools.example.test/engine/' });
    expect(sampleEngineAddress(withPath).publicUrl).to.equal('https://tools.example.test/engine');
  });

  it('when SAMPLE_ENGINE_URL shares examgate’s origin, then the configuration is refused (both publish /.well-known/jwks.json)', () => {
    expect(() =>
      development({ PUBLIC_URL: 'https://examgate.example.test', SAMPLE_ENGINE_URL: 'https://examgate.example.test/engine' }),
    ).to.throw(ConfigError, 'SAMPLE_ENGINE_URL must be on another origin than PUBLIC_URL');
    expect(() => development({ SAMPLE_ENGINE_URL: 'ftp://engine.example.test' })).to.throw(ConfigError, 'SAMPLE_ENGINE_URL');
  });
});
