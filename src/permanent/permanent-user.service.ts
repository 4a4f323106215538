import { randomUUID } from 'node:crypto';
import { usernameKey } from '../access/username-rules.js';
import { changedFields, type AuditBy, type AuditChanges } from '../audit/audit.js';
import type { AuditService } from '../audit/audit.service.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { CandidatePrincipal } from '../sessions/candidate-principal.js';
import type { PasswordHasher } from '../security/password-hash.js';
import { generatePassword, weakness } from '../security/password-rules.js';
import { checkChosenPassword, checkInput, type PermanentUserInput } from './permanent-user-input.js';
import { InvalidPermanentUserError, PermanentUsernameTakenError, PermanentUserNotFoundError } from './permanent-user.errors.js';
import { DETAIL_FIELDS, type CandidacyOf, type PermanentUser } from './permanent-user.js';
import { UsernameClashError, type PermanentUserRepository, type StoredPermanentUser, type Which } from './permanent-user.repository.js';

export const USERS_PAGE_SIZE = 25;
const AUDITED = ['username', ...DETAIL_FIELDS, 'eligible'] as const;

/** How a new or reset password is chosen: generated (shown once), or typed by the admin. */
export type PasswordChoice = { kind: 'generate' } | { kind: 'chosen'; password: string };

/**
 * Work that must commit with a user's new password or not at all (the e-mail carrying it, a
 * reset link used up): called inside the same transaction, with the plain password.
 */
export type WithPassword = (unit: UnitOfWork, user: PermanentUser, password: string) => Promise<void>;

export interface PasswordOutcome {
  /** The generated password, to show once; null for a chosen one. */
  generated: string | null;
  weak: boolean;
}

export interface UsersPage {
  users: PermanentUser[];
  total: number;
  page: number;
  pages: number;
}

const publicOf = ({ passwordHash: _hash, ...user }: StoredPermanentUser): PermanentUser => user;

/** What ends a permanent user's sessions (src/sessions), inside the change's transaction. */
export interface PermanentUserSessions {
  endPermanentUser(permanentUserId: string, unit: UnitOfWork): Promise<void>;
}

/**
 * Permanent users of one platform (seed 001): search, edit, delete and undelete, passwords.
 * Every method takes the platform of the signed-in admin and finds nothing of another, so a
 * user id from a request is only ever looked up inside that wall. Every change is audited;
 * passwords and hashes never are (only that a reset happened, and the flags it set).
 */
export class PermanentUsers {
  constructor(
    private readonly repository: PermanentUserRepository,
    private readonly audit: AuditService,
    private readonly passwords: PasswordHasher,
    private readonly sessions: PermanentUserSessions,
  ) {}

  async create(
    platformId: string,
    input: PermanentUserInput,
    choice: PasswordChoice,
    by: AuditBy,
    within?: WithPassword,
  ): Promise<{ user: PermanentUser } & PasswordOutcome> {
    const checked = this.checked(input);
    const { plain, weak, generated } = this.passwordOf(choice);
    const hash = await this.passwords.hash(plain);
    const user = await this.repository.transaction(async (unit) => {
      const created = await this.repository
        .insert(
          {
            id: randomUUID(),
            platformId,
            username: checked.username,
            usernameKey: usernameKey(checked.username),
            details: checked.details,
          },
          { hash, weak, mustChange: false },
          unit,
        )
        .catch(this.clash(checked.username));
      await this.record(by, created, 'create', changedFields(null, created, AUDITED), unit, { passwordWeak: weak });
      await within?.(unit, publicOf(created), plain);
      return created;
    });
    return { user: publicOf(user), generated, weak };
  }

  async search(platformId: string, text: string, which: Which, page: number): Promise<UsersPage> {
    const wanted = Math.max(1, Math.floor(page) || 1);
    const found = await this.repository.search({ platformId, text, which, offset: (wanted - 1) * USERS_PAGE_SIZE, limit: USERS_PAGE_SIZE });
    return { ...found, page: wanted, pages: Math.max(1, Math.ceil(found.total / USERS_PAGE_SIZE)) };
  }

  async get(platformId: string, id: string): Promise<PermanentUser> {
    return publicOf(await this.stored(platformId, id));
  }

  async candidacies(platformId: string, id: string): Promise<CandidacyOf[]> {
    await this.stored(platformId, id);
    return this.repository.candidacies(id);
  }

  async update(platformId: string, id: string, input: PermanentUserInput, by: AuditBy): Promise<PermanentUser> {
    const checked = this.checked(input);
    return this.repository.transaction(async (unit) => {
      const before = await this.stored(platformId, id, unit);
      const change = { username: checked.username, usernameKey: usernameKey(checked.username), details: checked.details };
      await this.repository.update(platformId, id, change, unit).catch(this.clash(checked.username));
      const after = await this.stored(platformId, id, unit);
      await this.record(by, after, 'update', changedFields(before, after, AUDITED), unit);
      return publicOf(after);
    });
  }

  /** Deleted users keep their row and their candidacies, cannot sign in, and can be undeleted. */
  async setDeleted(platformId: string, id: string, deleted: boolean, by: AuditBy): Promise<void> {
    await this.repository.transaction(async (unit) => {
      const before = await this.stored(platformId, id, unit);
      if (Boolean(before.deletedAt) === deleted) {
        return;
      }
      await this.repository.setDeleted(platformId, id, deleted ? new Date() : null, unit);
      if (deleted) {
        await this.sessions.endPermanentUser(id, unit);
      }
      await this.record(by, before, deleted ? 'delete' : 'undelete', { deleted: { from: !deleted, to: deleted } }, unit);
    });
  }

  /** A new password: generated (returned once) or chosen (flagged weak when it breaks the rule); optionally forced to change. */
  async resetPassword(
    platformId: string,
    id: string,
    choice: PasswordChoice,
    mustChange: boolean,
    by: AuditBy,
    within?: WithPassword,
  ): Promise<PasswordOutcome> {
    const { plain, weak, generated } = this.passwordOf(choice);
    const hash = await this.passwords.hash(plain);
    await this.repository.transaction(async (unit) => {
      const before = await this.stored(platformId, id, unit);
      await this.repository.setPassword(id, { hash, weak, mustChange }, unit);
      // Whoever knew the old password (or holds a session opened with it) is signed out.
      await this.sessions.endPermanentUser(id, unit);
      await this.record(by, before, 'reset-password', {}, unit, { passwordWeak: weak, mustChangePassword: mustChange });
      await within?.(unit, publicOf(before), plain);
    });
    return { generated, weak };
  }

  /**
   * The user these credentials are for, or null — in the time of one hash either way. A
   * username is unique per platform, and the login page names none: a user who has the same
   * username and password on two platforms is refused rather than guessed into one of them.
   */
  async verify(username: string, password: string): Promise<PermanentUser | null> {
    const candidates = await this.repository.signInCandidates(usernameKey(username.trim()));
    if (candidates.length === 0) {
      return this.passwords.verifyNothing(password).then(() => null);
    }
    const matches: StoredPermanentUser[] = [];
    for (const user of candidates) {
      if (await this.passwords.verify(password, user.passwordHash ?? '')) {
        matches.push(user);
      }
    }
    const [user] = matches;
    if (!user || matches.length > 1) {
      return null;
    }
    if (this.passwords.needsRehash(user.passwordHash ?? '')) {
      await this.repository.setPassword(user.id, {
        hash: await this.passwords.hash(password),
        weak: user.passwordWeak,
        mustChange: user.mustChangePassword,
      });
    }
    return publicOf(user);
  }

  /** Active users with this username on any platform (the login page names none): who a "Forgot your password?" is for. */
  async withUsername(username: string): Promise<PermanentUser[]> {
    return (await this.repository.signInCandidates(usernameKey(username.trim()))).map(publicOf);
  }

  /** The tests a user's candidate session covers (access/candidate-tests.ts). */
  candidaciesOf(permanentUserId: string): Promise<Array<{ examId: string; candidateId: string }>> {
    return this.repository.activeCandidacies(permanentUserId);
  }

  /**
   * The candidate principal these credentials sign in as: the user and the newest test they
   * are an active candidate of (the session covers all of them). Null for wrong credentials,
   * and for a user who is a candidate of no test yet (there is nothing to show them).
   */
  async principalFor(username: string, password: string): Promise<CandidatePrincipal | null> {
    const user = await this.verify(username, password);
    const [first] = user ? await this.repository.activeCandidacies(user.id) : [];
    if (!user || !first) {
      return null;
    }
    return {
      way: 'permanent',
      platformId: user.platformId,
      examId: first.examId,
      candidateId: first.candidateId,
      permanentUserId: user.id,
      ...(user.mustChangePassword ? { mustChangePassword: true } : {}),
    };
  }

  /** A user signed in with a forced change sets their own password; it must keep the seed 002 rule. */
  /**
   * `endSessions`: a reset by e-mailed link ends every session the user has (one may be an
   * intruder's); a forced change from the user's own session keeps it.
   */
  async changeOwnPassword(
    platformId: string,
    id: string,
    password: string,
    by: AuditBy,
    within?: WithPassword,
    options: { endSessions?: boolean } = {},
  ): Promise<void> {
    const chosen = checkChosenPassword(password);
    const weak = weakness(chosen);
    if (weak) {
      throw new InvalidPermanentUserError('password', weak);
    }
    const hash = await this.passwords.hash(chosen);
    await this.repository.transaction(async (unit) => {
      const before = await this.stored(platformId, id, unit);
      await this.repository.setPassword(id, { hash, weak: false, mustChange: false }, unit);
      if (options.endSessions) {
        await this.sessions.endPermanentUser(id, unit);
      }
      await this.record(by, before, 'change-password', {}, unit, { passwordWeak: false, mustChangePassword: false });
      await within?.(unit, publicOf(before), chosen);
    });
  }

  private checked(input: PermanentUserInput) {
    const { value, errors } = checkInput(input);
    if (!value) {
      throw errors[0]!;
    }
    return value;
  }

  private passwordOf(choice: PasswordChoice): { plain: string; weak: boolean; generated: string | null } {
    if (choice.kind === 'generate') {
      const plain = generatePassword();
      return { plain, weak: false, generated: plain };
    }
    const plain = checkChosenPassword(choice.password);
    return { plain, weak: weakness(plain) !== null, generated: null };
  }

  private async stored(platformId: string, id: string, unit?: UnitOfWork): Promise<StoredPermanentUser> {
    const user = await this.repository.get(platformId, id, unit);
    if (!user) {
      throw new PermanentUserNotFoundError();
    }
    return user;
  }

  private clash(username: string) {
    return (err: unknown): never => {
      throw err instanceof UsernameClashError ? new PermanentUsernameTakenError(username) : err;
    };
  }

  private record(
    by: AuditBy,
    user: PermanentUser,
    action: string,
    changes: AuditChanges,
    unit: UnitOfWork,
    flags: Record<string, boolean> = {},
  ): Promise<void> {
    for (const [field, value] of Object.entries(flags)) {
      changes[field] = { from: null, to: value };
    }
    return this.audit.record(
      by,
      { entityType: 'permanent-user', entityId: user.id, action, label: user.username, platformId: user.platformId, changes },
      unit,
    );
  }
}
