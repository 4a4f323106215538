import type { AuditBy } from '../../audit/audit.js';
import type { UnitOfWork } from '../../db/unit-of-work.js';

/** A user the upload added, with the password they sign in with (only ever in memory, during the commit). */
export interface NewUserCredentials {
  username: string;
  email: string | null;
  name: string;
  password: string;
  mustChange: boolean;
}

/** One registration e-mail, ready for an outbox: plain text, nothing else to look up. */
export interface RegistrationMessage {
  to: string;
  subject: string;
  text: string;
  /** The user it is for (the outbox shows it per message; never the password). */
  username: string;
}

/**
 * Where registration messages go, inside the commit's transaction (so a rolled-back upload
 * sends nothing): the e-mail outbox of src/mail (bootstrap.ts connects it), audited as `by`'s.
 */
export type RegistrationOutbox = (
  platformId: string,
  messages: readonly RegistrationMessage[],
  unit: UnitOfWork,
  by: AuditBy,
) => Promise<void>;

/**
 * The registration details to send to the new users of an upload (seed 004, "E-mail
 * registration details"): one message per user with an address; users without one are
 * returned as `unsent`, so their password reaches the admin instead.
 */
export function registrationDetailsOf(
  users: readonly NewUserCredentials[],
  context: { institution: string; signInUrl: string },
): { messages: RegistrationMessage[]; unsent: NewUserCredentials[] } {
  const messages: RegistrationMessage[] = [];
  const unsent: NewUserCredentials[] = [];
  for (const user of users) {
    if (!user.email) {
      unsent.push(user);
      continue;
    }
    messages.push({
      to: user.email,
      username: user.username,
      subject: `Your examgate account at ${context.institution}`,
      text: [
        `Hello ${user.name},`,
        '',
        `An account has been made for you at ${context.institution} for taking tests in examgate.`,
        '',
        `Sign in at: ${context.signInUrl}`,
        `Username: ${user.username}`,
        `Password: ${user.password}`,
        '',
        user.mustChange ? 'You will be asked to choose a new password when you first sign in.' : 'Keep this password to yourself.',
      ].join('\n'),
    });
  }
  return { messages, unsent };
}
