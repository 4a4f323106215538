/**
 * A permanent user: an institution account of one platform that can be a candidate on many
 * tests with one username and password (seed 001). The details are the seed 004 columns the
 * bulk upload fills; the password itself never leaves the service, only its state.
 */
export const DETAIL_FIELDS = ['clientId', 'title', 'firstName', 'lastName', 'email', 'role', 'phone', 'venue', 'bookingStatus'] as const;
export type DetailField = (typeof DETAIL_FIELDS)[number];

/** Longest text per detail (the column sizes of migration 0019). */
export const DETAIL_MAX: Record<DetailField, number> = {
  clientId: 200,
  title: 100,
  firstName: 200,
  lastName: 200,
  email: 320,
  role: 100,
  phone: 50,
  venue: 200,
  bookingStatus: 100,
};

export const DETAIL_LABELS: Record<DetailField, string> = {
  clientId: 'Client ID',
  title: 'Title',
  firstName: 'First name',
  lastName: 'Last name',
  email: 'E-mail',
  role: 'Role',
  phone: 'Phone',
  venue: 'Venue',
  bookingStatus: 'Booking status',
};

export type PermanentUserDetails = Record<DetailField, string | null> & { eligible: boolean };

/** `pending`: the hashing job has not made its hash yet; `none`: never given one. Neither can sign in. */
export type PasswordState = 'set' | 'pending' | 'none';

export interface PermanentUser extends PermanentUserDetails {
  id: string;
  platformId: string;
  username: string;
  passwordState: PasswordState;
  passwordWeak: boolean;
  mustChangePassword: boolean;
  deletedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** First and last name, as the default candidate ID of a permanent user on a test (seed 001). */
export function fullName(user: Pick<PermanentUser, 'firstName' | 'lastName' | 'username'>): string {
  const name = [user.firstName, user.lastName].filter(Boolean).join(' ').trim();
  return name || user.username;
}

/** A test a permanent user is a candidate of, as the admin page lists it. */
export interface CandidacyOf {
  examId: string;
  examTitle: string;
  examStatus: string;
  candidateLabel: string;
  candidateStatus: string;
}
