import { SEED_004_COLUMNS } from './seed-004-columns.js';

const FIRST_NAMES = ['Ødegård', 'Müller', 'Núñez', "O'Brien", 'Anna', 'Zoë'];

/**
 * A users file with seed 004's 13 columns and names people have (accents, apostrophes, a
 * comma in a quoted venue). `passwords: false` leaves the Password column empty, so an upload
 * with "Create a password where the file has none" generates every password.
 */
export function seed004UsersFile(rows: number, options: { passwords: boolean }): Buffer {
  const lines = [SEED_004_COLUMNS.join(',')];
  for (let i = 0; i < rows; i += 1) {
    lines.push(
      [
        `client-${i % 7}`,
        `user${i}`,
        i % 2 ? 'Ms' : 'Mr',
        FIRST_NAMES[i % FIRST_NAMES.length]!,
        `Family${i}`,
        `user${i}@example.test`,
        'candidate',
        `+47 900 ${String(i).padStart(5, '0')}`,
        options.passwords ? `Secret${i}A1` : '',
        'no',
        'yes',
        '"Hall A, floor 2"',
        'booked',
      ].join(','),
    );
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}
