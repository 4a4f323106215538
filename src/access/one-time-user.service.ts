import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuditBy } from '../audit/audit.js';
import type { AuditService } from '../audit/audit.service.js';
import type { BatchRow } from '../candidates/candidate-batch.js';
import type { CandidateService } from '../candidates/candidate.service.js';
import { isUniqueViolation } from '../db/errors.js';
import type { SideRead } from '../db/side-read.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { Exam } from '../exams/exam.js';
import type { SealedText } from '../secrets/sealed-text.js';
import type { ResealReport } from '../stored-secrets.js';
import { generatePasswords, generateUsernames } from './one-time-secrets.js';
import { CredentialsHiddenError, NotOneTimeUserError, UsernameTakenError } from './one-time-user.errors.js';
import type { OneTimeLogin, OneTimeUserRepository } from './one-time-user.repository.js';
import { checkUsername, usernameKey } from './username-rules.js';
import { writeAtMost } from '../stored-secrets.js';

export const ONE_TIME_PASSWORD_PURPOSE = 'one-time-password';

/** A one-time user's credentials, as staff see them once the test is active. */
export interface OneTimeCredentials {
  username: string;
  password: string;
}

/** Who a username and password belong to; test status and withdrawal are the lobby's to show. */
export interface OneTimeIdentity {
  candidateId: string;
  examId: string;
  platformId: string;
}

export interface OneTimeUserOptions {
  /** Called after a username change or a new password has committed: end that candidate's sessions. */
  onCredentialsChanged?: (candidateId: string) => void | Promise<void>;
}

/** A clash on the installation-wide username index by a concurrent batch: so unlikely that three tries are plenty. */
const TRIES = 3;

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * One-time users: a generated username and password for exactly one candidate of one test.
 * Passwords are sealed, shown to the course's staff once the test is no longer a draft, and
 * checked in constant time. Callers pass a test they were allowed to see (ExamService.get).
 */
export class OneTimeUsers {
  /** Opened for an unknown username, so that costs what a wrong password does. */
  readonly #decoy: string;

  constructor(
    private readonly repository: OneTimeUserRepository,
    private readonly candidates: CandidateService,
    private readonly audit: AuditService,
    private readonly sealed: SealedText,
    private readonly options: OneTimeUserOptions = {},
  ) {
    this.#decoy = sealed.seal(generatePasswords(1)[0]!);
  }

  /** Adds the candidates of `rows` as one-time users, all or nothing (one transaction under the test's lock). */
  async add(exam: Exam, rows: BatchRow[], by: AuditBy): Promise<number> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const added = await this.candidates.addBatch(exam, rows, 'one-time', by, (created, unit) =>
          this.createAccounts(
            exam,
            created.map((c) => c.id),
            unit,
          ),
        );
        return added.length;
      } catch (err) {
        if (attempt >= TRIES || !isUniqueViolation(err)) {
          throw err;
        }
      }
    }
  }

  /** Adds the candidates of `rows` as one-time users inside `unit` (an import's commit), under the test's lock and cap. */
  async addIn(exam: Exam, rows: BatchRow[], by: AuditBy, unit: UnitOfWork): Promise<number> {
    const added = await this.candidates.addBatchIn(
      exam,
      rows,
      'one-time',
      by,
      (created, inner) =>
        this.createAccounts(
          exam,
          created.map((c) => c.id),
          inner,
        ),
      unit,
    );
    return added.length;
  }

  /** Usernames and passwords of the listed candidates that are one-time users; none at all while the test is a draft. */
  async credentialsFor(exam: Exam, candidateIds: string[]): Promise<Map<string, OneTimeCredentials>> {
    const shown = new Map<string, OneTimeCredentials>();
    if (exam.status === 'draft') {
      return shown;
    }
    for (const row of await this.repository.forCandidates(exam.id, candidateIds)) {
      shown.set(row.candidateId, { username: row.username, password: this.sealed.open(row.sealedPassword)?.plain ?? '' });
    }
    return shown;
  }

  /** The username of one candidate, for the edit form (null while a draft, or when not a one-time user). */
  async credentialsOf(exam: Exam, candidateId: string): Promise<OneTimeCredentials | null> {
    return (await this.credentialsFor(exam, [candidateId])).get(candidateId) ?? null;
  }

  /** Renames a one-time user (seed 002 rules, unique across the installation); the old username stops working at once. */
  async changeUsername(exam: Exam, candidateId: string, raw: string, by: AuditBy): Promise<void> {
    const { candidate, account } = await this.requireAccount(exam, candidateId);
    const username = checkUsername(raw);
    if (username === account.username) {
      return;
    }
    try {
      await this.candidates.inTransaction(async (unit) => {
        await this.repository.setUsername(candidateId, username, usernameKey(username), unit);
        const changes = { username: { from: account.username, to: username } };
        await this.audit.record(by, this.entry(candidate, 'username-change', changes), unit);
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new UsernameTakenError(username);
      }
      throw err;
    }
    await this.options.onCredentialsChanged?.(candidateId);
  }

  /** A new random password; the old one is refused from this moment. The trail says it happened, never what it is. */
  async regeneratePassword(exam: Exam, candidateId: string, by: AuditBy): Promise<void> {
    const { candidate } = await this.requireAccount(exam, candidateId);
    await this.candidates.inTransaction(async (unit) => {
      await this.repository.setPassword(candidateId, this.sealed.seal(generatePasswords(1)[0]!), unit);
      await this.audit.record(by, this.entry(candidate, 'password-regenerate', {}), unit);
    });
    await this.options.onCredentialsChanged?.(candidateId);
  }

  /**
   * The candidate a username and password sign in as, or null for anything wrong. The username
   * is matched case-insensitively (its key), the password compared as equal-length digests in
   * constant time, and an unknown username costs the same opening and comparing as a known one.
   * Generated passwords are lower case and have no spaces, so case and surrounding spaces are forgiven.
   */
  async verify(username: string, password: string): Promise<OneTimeIdentity | null> {
    return this.check(await this.repository.findByKey(usernameKey(username.trim())), password);
  }

  /** The read `verify` starts with, for a caller that sends it along with its own statement (the login throttle's). */
  lookup(username: string): SideRead<OneTimeLogin | null> {
    return this.repository.loginRead(usernameKey(username.trim()));
  }

  /** The rest of `verify`: `password` against the account `lookup` found (null: none), in the same time either way. */
  check(account: OneTimeLogin | null, password: string): OneTimeIdentity | null {
    const stored = this.sealed.open(account?.sealedPassword ?? this.#decoy)?.plain ?? '';
    const same = timingSafeEqual(digest(stored), digest(password.trim().toLowerCase()));
    if (!account || !same || stored === '') {
      return null;
    }
    return { candidateId: account.candidateId, examId: account.examId, platformId: account.platformId };
  }

  /** Start-up: passwords sealed under SECRET_KEY_PREVIOUS are sealed again under SECRET_KEY (README: Rotating SECRET_KEY). */
  async reseal(): Promise<ResealReport> {
    const report: ResealReport = { what: 'one-time passwords', total: 0, resealed: 0, unreadable: 0 };
    for (
      let after = '', batch = await this.repository.sealedAfter(after, 1000);
      batch.length > 0;
      batch = await this.repository.sealedAfter(after, 1000)
    ) {
      const writes: Array<() => Promise<void>> = [];
      for (const row of batch) {
        const opened = this.sealed.open(row.sealedPassword);
        if (!opened) {
          report.unreadable += 1;
        } else if (opened.stale) {
          writes.push(() => this.repository.replaceSealed(row.candidateId, row.sealedPassword, this.sealed.seal(opened.plain)));
          report.resealed += 1;
        }
      }
      // A few at once (each conditional on what was read, so two processes starting together stay safe).
      await writeAtMost(8, writes);
      report.total += batch.length;
      after = batch[batch.length - 1]!.candidateId;
    }
    return report;
  }

  private async createAccounts(exam: Exam, candidateIds: string[], unit: UnitOfWork): Promise<void> {
    const usernames = generateUsernames(candidateIds.length);
    // A generated name someone already has (or chose) is drawn again before the insert.
    for (
      let taken = await this.repository.takenKeys(usernames, unit);
      taken.size > 0;
      taken = await this.repository.takenKeys(usernames, unit)
    ) {
      usernames.forEach((name, i) => {
        if (taken.has(name)) {
          usernames[i] = generateUsernames(1)[0]!;
        }
      });
    }
    const passwords = generatePasswords(candidateIds.length);
    const rows = candidateIds.map((candidateId, i) => ({
      candidateId,
      examId: exam.id,
      username: usernames[i]!,
      usernameKey: usernameKey(usernames[i]!),
      sealedPassword: this.sealed.seal(passwords[i]!),
    }));
    await this.repository.insertMany(rows, unit);
  }

  /** The candidate and their account; refused while the test is a draft, or for a candidate who is not a one-time user. */
  async requireAccount(exam: Exam, candidateId: string) {
    if (exam.status === 'draft') {
      throw new CredentialsHiddenError();
    }
    const candidate = await this.candidates.get(exam, candidateId);
    const account = await this.repository.findByCandidate(exam.id, candidate.id);
    if (!account) {
      throw new NotOneTimeUserError();
    }
    return { candidate, account };
  }

  private entry(
    candidate: { id: string; candidateId: string; examId: string },
    action: string,
    changes: Record<string, { from: string; to: string }>,
  ) {
    return {
      entityType: 'candidate' as const,
      entityId: candidate.id,
      action,
      label: candidate.candidateId,
      examId: candidate.examId,
      changes,
    };
  }
}
