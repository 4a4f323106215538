/** Spaces that look like a space: no-break, en/em and thin spaces, ideographic space. */
const SPACES = /[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/g;
/** Characters that show as nothing and would make two IDs look the same while they differ. */
const INVISIBLE = /[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

const NAMES: Record<string, string> = {
  '\u00ad': 'a soft hyphen',
  '\u200b': 'a zero-width space',
  '\u200c': 'a zero-width non-joiner',
  '\u200d': 'a zero-width joiner',
  '\u200e': 'a left-to-right mark',
  '\u200f': 'a right-to-left mark',
  '\u2060': 'a word joiner',
  '\ufeff': 'a byte order mark',
};

/** A cell as the schema sees it, or why it cannot be used. */
export type CellText = { ok: true; text: string } | { ok: false; reason: string };

/**
 * One cell: a BOM at its very start dropped (files pasted together), look-alike spaces made
 * plain spaces, then NFC and trimmed, so " A1 " and "A1" are one value. Invisible characters
 * are refused with their name, never silently kept or removed: the person fixes the source.
 */
export function cellText(raw: string): CellText {
  const text = raw
    .replace(/^\ufeff+/, '')
    .replace(SPACES, ' ')
    .normalize('NFC')
    .trim();
  const invisible = INVISIBLE.exec(text);
  if (invisible) {
    const ch = invisible[0];
    const code = `U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    return {
      ok: false,
      reason: `holds an invisible character (${NAMES[ch] ?? 'a direction or formatting control'}, ${code}) at position ${invisible.index + 1}; retype the value without it.`,
    };
  }
  return { ok: true, text };
}

/** A header cell's name for matching: no case, spaces, '_', '-' or '.'. */
export function headerKey(raw: string): string {
  return raw
    .replace(/^\ufeff+/, '')
    .replace(SPACES, ' ')
    .normalize('NFC')
    .toLowerCase()
    .replace(/[\s_\-.]+/g, '')
    .replace(new RegExp(INVISIBLE.source, 'g'), '');
}
