/**
 * Spreadsheets read a cell that starts with one of these as a formula (OWASP "CSV injection"):
 * `=`, `+`, `-` and `@` start one, and a tab or carriage return in front hides the start from a
 * quick look while some programs still strip it and run what follows.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A text cell as a spreadsheet must show it, never run it: a leading apostrophe before a
 * formula start. Excel and LibreOffice show such a cell as text; reading the file back gives
 * the same apostrophe, so the value stays neutral through a round trip.
 */
export function neutralise(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}
