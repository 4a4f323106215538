import { createHash, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** A test CA and one server certificate it signed for every host name of the world; made per run, never written to the repository. */
export interface TestCertificates {
  /** The CA certificate (PEM): what Node trusts through NODE_EXTRA_CA_CERTS or an undici Agent's `ca`. */
  caPem: string;
  /** The server certificate (PEM) and its private key, for every TLS listener of the world. */
  certPem: string;
  keyPem: string;
  /** base64(SHA-256(SubjectPublicKeyInfo)) of the server key: Chromium's --ignore-certificate-errors-spki-list. */
  spkiSha256: string;
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

/** Makes the CA and a server certificate valid for `hostnames` (subjectAltName DNS entries). */
export function makeTestCertificates(hostnames: string[]): TestCertificates {
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
  const serverCert = certificate(hostnames[0] ?? 'localhost', server.publicKey, caName);
  serverCert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: hostnames.map((value) => ({ type: 2, value })) },
  ]);
  serverCert.sign(ca.privateKey, forge.md.sha256.create());

  const spki = createPublicKey(server.privatePem).export({ type: 'spki', format: 'der' });
  return {
    caPem: forge.pki.certificateToPem(caCert),
    certPem: forge.pki.certificateToPem(serverCert),
    keyPem: server.privatePem,
    spkiSha256: createHash('sha256').update(spki).digest('base64'),
  };
}
