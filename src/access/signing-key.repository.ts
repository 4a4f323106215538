import { QueryTypes, type Sequelize } from 'sequelize';

/** A stored signing key: its private half sealed (signing-keys.ts), its public half as a JWK. */
export interface SigningKeyRow {
  kid: string;
  sealedPrivateKey: string;
  publicJwk: string;
}

/** examgate's own signing keys, oldest first. */
export class SigningKeyRepository {
  constructor(private readonly sequelize: Sequelize) {}

  async all(): Promise<SigningKeyRow[]> {
    const rows = await this.sequelize.query<{ kid: string; private_key: string; public_jwk: string }>(
      'SELECT kid, private_key, public_jwk FROM signing_keys ORDER BY created_at ASC, kid ASC',
      { type: QueryTypes.SELECT },
    );
    return rows.map((r) => ({ kid: r.kid, sealedPrivateKey: r.private_key, publicJwk: r.public_jwk }));
  }

  async insert(row: SigningKeyRow): Promise<void> {
    await this.sequelize.query(
      'INSERT INTO signing_keys (kid, private_key, public_jwk, created_at) VALUES (:kid, :privateKey, :publicJwk, :now)',
      { replacements: { kid: row.kid, privateKey: row.sealedPrivateKey, publicJwk: row.publicJwk, now: new Date() } },
    );
  }

  /** Replaces a key's sealed form, only if it is still `from` (another process may have re-sealed it first). */
  async replaceSealed(kid: string, from: string, to: string): Promise<boolean> {
    const [, affected] = await this.sequelize.query('UPDATE signing_keys SET private_key = :to WHERE kid = :kid AND private_key = :from', {
      replacements: { kid, from, to },
      type: QueryTypes.UPDATE,
    });
    return affected === 1;
  }
}
