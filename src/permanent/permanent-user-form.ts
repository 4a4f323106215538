import { field } from '../web/form.js';
import type { PasswordChoice } from './permanent-user.service.js';

/** What the permanent-user pages and their actions (delete, new password) share. */

export const BASE = '/institution/users';

export type FieldError = { field: string; message: string };

/** The password part of a form: a chosen password, or one examgate generates. */
export function choiceOf(body: unknown): PasswordChoice {
  return field(body, 'choice') === 'chosen' ? { kind: 'chosen', password: field(body, 'password').slice(0, 1000) } : { kind: 'generate' };
}

/** Where the e-mail's status shows, named on the page after queueing one. */
export const MAIL_STATUS_HINT = 'Its progress shows under E-mail.';
