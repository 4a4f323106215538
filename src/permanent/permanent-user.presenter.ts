import { DETAIL_FIELDS, DETAIL_LABELS, fullName, type PermanentUser } from './permanent-user.js';

const PASSWORD_TEXT = { set: 'set', pending: 'being prepared (cannot sign in yet)', none: 'none (cannot sign in)' } as const;

/** A user as the list and the user's page show them: name, state in words, details with labels. */
export function presentUser(user: PermanentUser) {
  const flags = [
    user.deletedAt ? 'deleted' : null,
    user.passwordWeak ? 'weak password' : null,
    user.mustChangePassword ? 'must change password' : null,
    user.eligible ? null : 'not eligible',
  ].filter((f): f is string => f !== null);
  return {
    id: user.id,
    username: user.username,
    name: fullName(user),
    email: user.email,
    deleted: Boolean(user.deletedAt),
    flags,
    password: PASSWORD_TEXT[user.passwordState],
    details: DETAIL_FIELDS.map((f) => ({ field: f, label: DETAIL_LABELS[f], value: user[f] ?? '' })),
    eligible: user.eligible,
  };
}

/** The edit form's values: what the user has, or what was posted when it is shown again with errors. */
export function formValues(user: PermanentUser | null) {
  return {
    username: user?.username ?? '',
    eligible: user ? user.eligible : true,
    ...Object.fromEntries(DETAIL_FIELDS.map((f) => [f, user?.[f] ?? ''])),
  };
}
