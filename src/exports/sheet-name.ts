/** Excel refuses a sheet name longer than this (in UTF-16 units, as it counts). */
const SHEET_NAME_MAX = 31;

/** Characters Excel does not allow in a sheet name, and control characters. */
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\\/?*[\]:\u0000-\u001f\u007f]/g;

/**
 * A sheet name Excel accepts, as close to the test's title as its rules allow: none of
 * `\ / ? * [ ] :`, no apostrophe at either end, 1–31 characters (never splitting a character
 * outside the BMP), and not "History", which Excel keeps for itself.
 */
export function sheetNameFor(title: string): string {
  const cleaned = title.replace(FORBIDDEN, ' ').replace(/\s+/g, ' ').trim();
  let name = '';
  for (const char of cleaned) {
    if (name.length + char.length > SHEET_NAME_MAX) {
      break;
    }
    name += char;
  }
  name = name.replace(/^'+|'+$/g, '').trim();
  if (name === '') {
    return 'Candidates';
  }
  return name.toLowerCase() === 'history' ? 'History (test)' : name;
}
