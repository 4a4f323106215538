/** The 13 columns of seed 004's bulk user upload, as the 100 000-row bench file names them. */
export const SEED_004_COLUMNS = [
  'Client ID',
  'Username',
  'Title',
  'First Name',
  'Last Name',
  'Email ID of the Candidate',
  'Role',
  'Phone Number of the Candidate',
  'Password',
  'Deleted',
  'Eligible',
  'Venue',
  'Booking Status',
] as const;
