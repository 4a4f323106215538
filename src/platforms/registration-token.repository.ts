import { Op, type Sequelize } from 'sequelize';
import { transactionOf, type UnitOfWork } from '../db/unit-of-work.js';
import { RegistrationTokenRow, defineRegistrationTokenModel } from './registration-token.model.js';

/** A stored registration token, as the service sees it (never the token itself: only its hash is kept). */
export interface StoredRegistrationToken {
  id: string;
  createdAt: Date;
  expiresAt: Date;
  attempts: number;
  attemptStartedAt: Date | null;
  usedAt: Date | null;
  usedByPlatformId: string | null;
  usedByPlatformName: string | null;
  revokedAt: Date | null;
}

function toStored(row: RegistrationTokenRow): StoredRegistrationToken {
  return {
    id: row.id,
    createdAt: row.created_at ?? new Date(0),
    expiresAt: row.expires_at,
    attempts: row.attempts,
    attemptStartedAt: row.attempt_started_at,
    usedAt: row.used_at,
    usedByPlatformId: row.used_by_platform_id,
    usedByPlatformName: row.used_by_platform_name,
    revokedAt: row.revoked_at,
  };
}

/** Queries over registration_tokens; nothing else. */
export class RegistrationTokenRepository {
  constructor(private readonly sequelize: Sequelize) {
    defineRegistrationTokenModel(sequelize);
  }

  async insert(id: string, tokenHash: string, expiresAt: Date): Promise<StoredRegistrationToken> {
    const row = await RegistrationTokenRow.create({
      id,
      token_hash: tokenHash,
      expires_at: expiresAt,
      attempts: 0,
      attempt_started_at: null,
      used_at: null,
      used_by_platform_id: null,
      used_by_platform_name: null,
      revoked_at: null,
    });
    return toStored(row);
  }

  async findByHash(tokenHash: string): Promise<StoredRegistrationToken | null> {
    const row = await RegistrationTokenRow.findOne({ where: { token_hash: tokenHash } });
    return row ? toStored(row) : null;
  }

  /** Newest first. */
  async list(limit: number): Promise<StoredRegistrationToken[]> {
    const rows = await RegistrationTokenRow.findAll({ order: [['created_at', 'DESC']], limit });
    return rows.map(toStored);
  }

  /**
   * Starts one attempt in a single conditional UPDATE, so two processes can never both hold
   * the token: it must be unused, unrevoked, unexpired, under the attempt cap, and not held
   * by another attempt (one started before `staleBefore` is taken to have died).
   */
  async claim(id: string, now: Date, staleBefore: Date, maxAttempts: number): Promise<boolean> {
    const [count] = await RegistrationTokenRow.update(
      { attempts: this.sequelize.literal('attempts + 1'), attempt_started_at: now },
      {
        where: {
          id,
          used_at: null,
          revoked_at: null,
          expires_at: { [Op.gt]: now },
          attempts: { [Op.lt]: maxAttempts },
          [Op.or]: [{ attempt_started_at: null }, { attempt_started_at: { [Op.lt]: staleBefore } }],
        },
      },
    );
    return count > 0;
  }

  async markUsed(id: string, platform: { id: string; name: string }, now: Date): Promise<void> {
    await RegistrationTokenRow.update(
      { used_at: now, used_by_platform_id: platform.id, used_by_platform_name: platform.name, attempt_started_at: null },
      { where: { id } },
    );
  }

  /** A registration URL used by a platform that was moved into another now names that other one. */
  async reassignUser(fromPlatformId: string, to: { id: string; name: string }, unit: UnitOfWork): Promise<void> {
    await RegistrationTokenRow.update(
      { used_by_platform_id: to.id, used_by_platform_name: to.name },
      { where: { used_by_platform_id: fromPlatformId }, transaction: transactionOf(unit) },
    );
  }

  /** Ends a failed attempt; the token stays usable until it expires or reaches the attempt cap. */
  async release(id: string): Promise<void> {
    await RegistrationTokenRow.update({ attempt_started_at: null }, { where: { id } });
  }

  async revoke(id: string, now: Date): Promise<boolean> {
    const [count] = await RegistrationTokenRow.update({ revoked_at: now }, { where: { id, used_at: null, revoked_at: null } });
    return count > 0;
  }
}
