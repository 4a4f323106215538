import { createHash, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { isIPv4 } from 'node:net';
import forge from 'node-forge';

/** A test CA and one server certificate it signed for every given host; made per run, never written to the repository. */
export interface TestCertificates {
  /** The CA certificate (PEM): what a client must trust (NODE_EXTRA_CA_CERTS, an undici Agent's `ca`). */
  caPem: string;
  /** The server's private key and certificate (PEM), for every TLS listener of a test. */
  key: string;
  cert: string;
  /** base64(SHA-256(SubjectPublicKeyInfo)) of the server key: Chromium's --ignore-certificate-errors-spki-list. */
  spkiSha256: string;
}

/** The same certificates in files, for child processes (NODE_EXTRA_CA_CERTS, a server of their own). */
export interface TestCertificateFiles {
  caFile: string;
  keyFile: string;
  certFile: string;
}

const HOUR_MS = 3_600_000;

/** An RSA key made by Node (forge's pure-JS key generation takes seconds), as forge's types. */
function rsaKeyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    privatePem,
    privateKey: forge.pki.privateKeyFromPem(privatePem),
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
  };
}

/** A positive serial number (the leading 01 keeps the DER integer's sign bit clear). */
const serialNumber = () => `01${randomBytes(15).toString('hex')}`;

function certificate(subject: string, publicKey: forge.pki.PublicKey, issuer: string): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serialNumber();
  // An hour of slack either side: the machine's clock and the browser's need not agree to the second.
  cert.validity.notBefore = new Date(Date.now() - HOUR_MS);
  cert.validity.notAfter = new Date(Date.now() + 24 * HOUR_MS);
  cert.setSubject([{ name: 'commonName', value: subject }]);
  cert.setIssuer([{ name: 'commonName', value: issuer }]);
  return cert;
}

/** subjectAltName entries: an IPv4 address as an IP entry (type 7), anything else as a DNS name (type 2). */
const altNameOf = (host: string) => (isIPv4(host) ? { type: 7, ip: host } : { type: 2, value: host });

/**
 * A throw-away CA and a server certificate it signed, valid for `hosts` (default 127.0.0.1 and
 * localhost). The CA's key is dropped at once; nothing trusts it unless a client is told to.
 */
export function makeTestCertificates(hosts: readonly string[] = ['127.0.0.1', 'localhost']): TestCertificates {
  const caName = `examgate test CA ${randomBytes(4).toString('hex')}`;
  const ca = rsaKeyPair();
  const caCert = certificate(caName, ca.publicKey, caName);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCert.sign(ca.privateKey, forge.md.sha256.create());

  const server = rsaKeyPair();
  const serverCert = certificate(hosts[0] ?? 'localhost', server.publicKey, caName);
  serverCert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: hosts.map(altNameOf) },
  ]);
  serverCert.sign(ca.privateKey, forge.md.sha256.create());

  const spki = createPublicKey(server.privatePem).export({ type: 'spki', format: 'der' });
  return {
    caPem: forge.pki.certificateToPem(caCert),
    key: server.privatePem,
    cert: forge.pki.certificateToPem(serverCert),
    spkiSha256: createHash('sha256').update(spki).digest('base64'),
  };
}

/** Writes the CA certificate, the server key (owner-only) and the server certificate to `dir`. */
export function writeTestCertificates(certificates: TestCertificates, dir: string): TestCertificateFiles {
  const files = {
    caFile: path.join(dir, 'test-ca.pem'),
    keyFile: path.join(dir, 'server-key.pem'),
    certFile: path.join(dir, 'server-cert.pem'),
  };
  writeFileSync(files.caFile, certificates.caPem);
  writeFileSync(files.keyFile, certificates.key, { mode: 0o600 });
  writeFileSync(files.certFile, certificates.cert);
  return files;
}
