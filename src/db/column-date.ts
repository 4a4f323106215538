/**
 * A date column as a Date. Rows read through the ORM carry Dates; rows read without it
 * (db/direct-sql.ts, raw queries) carry the driver's value, which on SQLite is text.
 */
export function dateOf(value: Date | string | null): Date | null {
  return value === null ? null : value instanceof Date ? value : new Date(value);
}
