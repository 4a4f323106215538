import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { readLmsConfiguration } from '../../src/platforms/registration-exchange.js';
import { RegistrationStepError } from '../../src/platforms/registration.errors.js';

async function failureOf(promise: Promise<unknown>): Promise<RegistrationStepError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).to.be.instanceOf(RegistrationStepError);
  return err as RegistrationStepError;
}

describe('registration exchange: https only in production', () => {
  let server: Server;
  let base: string;
  let requests = 0;
  before(async () => {
    server = createServer((_req, res) => {
      requests++;
      const configuration = {
        issuer: `${base}`,
        authorization_endpoint: `${base}/auth`,
        token_endpoint: `${base}/token`,
        jwks_uri: `${base}/jwks`,
        registration_endpoint: `${base}/register`,
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(configuration));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('when http is not allowed, then an http openid_configuration is refused before any request', async () => {
    const before = requests;
    const err = await failureOf(readLmsConfiguration(`${base}/openid-configuration`, { allowHttp: false, timeoutMs: 1000 }));
    expect(err.step).to.equal('openid_configuration');
    expect(err.detail).to.contain('not an https URL');
    expect(requests).to.equal(before);
  });

  it('when http is allowed, then the configuration is read and its endpoints kept', async () => {
    const lms = await readLmsConfiguration(`${base}/openid-configuration`, { allowHttp: true, timeoutMs: 1000 });
    expect(lms).to.include({ issuer: base, registrationEndpoint: `${base}/register`, jwksUri: `${base}/jwks` });
  });

  it('when the configuration names an endpoint of another scheme, then it is refused naming the field in the detail', async () => {
    const err = await failureOf(readLmsConfiguration('ftp://lms.example/openid-configuration', { allowHttp: true, timeoutMs: 1000 }));
    expect(err.detail).to.contain('not an http(s) URL');
    expect(err.message).to.contain("could not read your LMS's OpenID configuration").and.not.contain('ftp');
  });
});
