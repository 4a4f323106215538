import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';

/** A certificate authority made for one test run, and a server certificate it signed. */
export interface TestCertificates {
  /** The CA certificate (PEM): what a client must trust. */
  caPem: string;
  /** The same, in a file: NODE_EXTRA_CA_CERTS for child processes. */
  caFile: string;
  /** The server's key and certificate (PEM), valid for 127.0.0.1 and localhost. */
  key: string;
  cert: string;
  /** The same two, in files, for a process that serves https itself. */
  keyFile: string;
  certFile: string;
}

const ONE_DAY_MS = 24 * 3600 * 1000;

function keyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey } {
  // node:crypto makes the key (forge's pure-JS key generation takes seconds); forge signs the certificates.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const forgeKey = forge.pki.privateKeyFromPem(privateKey.export({ format: 'pem', type: 'pkcs1' }).toString());
  return { privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e) };
}

function certificate(
  subject: string,
  publicKey: forge.pki.rsa.PublicKey,
  extensions: object[],
  issuer?: forge.pki.Certificate,
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - ONE_DAY_MS);
  cert.validity.notAfter = new Date(Date.now() + ONE_DAY_MS);
  cert.setSubject([{ name: 'commonName', value: subject }]);
  cert.setIssuer(issuer ? issuer.subject.attributes : [{ name: 'commonName', value: subject }]);
  cert.setExtensions(extensions);
  return cert;
}

/**
 * A throw-away CA and a certificate for 127.0.0.1 / localhost signed by it, written to `dir`
 * (the CA's own key is never written). Nothing is trusted unless a client is told to trust
 * `caPem`.
 */
export function makeTestCertificates(dir: string): TestCertificates {
  const ca = keyPair();
  const caCert = certificate('examgate test CA', ca.publicKey, [
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ]);
  caCert.sign(ca.privateKey, forge.md.sha256.create());

  const server = keyPair();
  const serverCert = certificate(
    '127.0.0.1',
    server.publicKey,
    [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
    caCert,
  );
  serverCert.sign(ca.privateKey, forge.md.sha256.create());

  const files = {
    caFile: path.join(dir, 'test-ca.pem'),
    keyFile: path.join(dir, 'server-key.pem'),
    certFile: path.join(dir, 'server-cert.pem'),
  };
  const pems = {
    caPem: forge.pki.certificateToPem(caCert),
    key: forge.pki.privateKeyToPem(server.privateKey),
    cert: forge.pki.certificateToPem(serverCert),
  };
  writeFileSync(files.caFile, pems.caPem);
  writeFileSync(files.keyFile, pems.key, { mode: 0o600 });
  writeFileSync(files.certFile, pems.cert);
  return { ...pems, ...files };
}
