import type { Sequelize } from 'sequelize';
import type { SecretKeys } from '../config.js';
import type { ResealReport } from '../stored-secrets.js';

/** ltijs's tables whose rows it encrypts with its ENCRYPTIONKEY (examgate's SECRET_KEY). */
export const SEALED_TABLES: ReadonlySet<string> = new Set(['publickey', 'privatekey', 'accesstoken']);

/** ltijs-sequelize's own encryption (AES-256-CBC under a digest of the key), which examgate reuses so rows stay ltijs's. */
export interface LtijsCipher {
  Encrypt(data: string, secret: string): Promise<{ iv: string; data: string }>;
  Decrypt(data: string, iv: string, secret: string): Promise<string>;
}

interface SealedRow {
  iv: string;
  data: string;
  createdAt?: string | Date;
  [column: string]: unknown;
}

type Rows = Record<string, unknown>[] | false;

/**
 * ltijs's encrypted rows (the tool's key pair per platform: its JWKS and the key that signs
 * deep-linking responses and service-token requests; cached service tokens), read and re-sealed
 * with examgate's secrets. ltijs itself knows one key only.
 */
export class LtijsSealedRows {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly cipher: LtijsCipher,
  ) {}

  /** What ltijs's Get would give for rows sealed under any of `secrets` (ltijs itself tries only SECRET_KEY). */
  async read(table: string, info: Record<string, unknown> | undefined, secrets: SecretKeys): Promise<Rows> {
    const rows = await this.rowsOf(table, info);
    const opened: Record<string, unknown>[] = [];
    for (const row of rows) {
      const plain = await this.open(row, secrets);
      if (!plain) {
        throw new Error(`A row of ltijs's ${table} table opens with neither SECRET_KEY nor SECRET_KEY_PREVIOUS.`);
      }
      opened.push(row.createdAt ? { ...plain.item, createdAt: Date.parse(String(row.createdAt)) } : plain.item);
    }
    return opened.length > 0 ? opened : false;
  }

  /**
   * Start-up: rows sealed under another of `secrets` are sealed again under SECRET_KEY (a cached
   * service token is simply dropped: examgate asks the LMS for a new one when it needs one).
   */
  async reseal(secrets: SecretKeys): Promise<ResealReport> {
    const report: ResealReport = { what: "ltijs's stored platform keys", total: 0, resealed: 0, unreadable: 0 };
    for (const table of SEALED_TABLES) {
      for (const row of await this.rowsOf(table, undefined)) {
        report.total += 1;
        const plain = await this.open(row, secrets);
        if (!plain) {
          report.unreadable += 1;
        } else if (plain.secret !== secrets[0]) {
          const model = this.model(table);
          const where = { iv: row.iv, data: row.data };
          if (table === 'accesstoken') {
            await model.destroy({ where });
          } else {
            const sealed = await this.cipher.Encrypt(JSON.stringify(plain.item), secrets[0]);
            // Conditional on what was read: of two processes starting at once, one writes.
            await model.update(sealed, { where });
          }
          report.resealed += 1;
        }
      }
    }
    return report;
  }

  private async open(row: SealedRow, secrets: SecretKeys): Promise<{ secret: string; item: Record<string, unknown> } | null> {
    for (const secret of secrets) {
      try {
        const item: unknown = JSON.parse(await this.cipher.Decrypt(row.data, row.iv, secret));
        if (item && typeof item === 'object') {
          return { secret, item: item as Record<string, unknown> };
        }
      } catch {
        // A wrong key fails the padding check (or, rarely, yields bytes that are not JSON): try the next.
      }
    }
    return null;
  }

  private rowsOf(table: string, info: Record<string, unknown> | undefined): Promise<SealedRow[]> {
    return this.model(table).findAll({ where: info, raw: true }) as unknown as Promise<SealedRow[]>;
  }

  private model(table: string) {
    const model = this.sequelize.models[table];
    if (!model) {
      throw new Error(`ltijs has no ${table} table`);
    }
    return model;
  }
}
