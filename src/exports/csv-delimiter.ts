import { InvalidExportChoiceError } from './export.errors.js';

export type CsvDelimiter = ';' | ',';

/** What the page's separator choice may send; `auto` follows the browser's language; nothing, the system setting. */
const CHOICES: Record<string, CsvDelimiter | null> = { auto: null, semicolon: ';', comma: ',' };

/** The system setting's default (settings/settings.ts DelimiterSetting): `auto` or a separator. */
export type DelimiterDefault = 'auto' | CsvDelimiter;

/** The page's choice that stands for a default: what the separator select starts on. */
export function choiceOf(fallback: DelimiterDefault): string {
  return fallback === ';' ? 'semicolon' : fallback === ',' ? 'comma' : 'auto';
}

/** The languages of an Accept-Language header, most preferred first; `*` and q=0 left out. */
export function preferredLanguages(header: string | undefined): string[] {
  const ranked = (header ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.tag !== '' && entry.tag !== '*' && entry.q > 0 && Number.isFinite(entry.q));
  return ranked.sort((a, b) => b.q - a.q || a.index - b.index).map((entry) => entry.tag);
}

/** The decimal separator of a language as CLDR has it (de → ",", de-CH → ".", pt-BR → ","), or null when unknown here. */
function decimalSeparatorOf(tag: string): string | null {
  try {
    // Without this check an unknown tag would silently take the server's own locale.
    if (Intl.NumberFormat.supportedLocalesOf([tag]).length === 0) {
      return null;
    }
    return new Intl.NumberFormat(tag).formatToParts(1.5).find((part) => part.type === 'decimal')?.value ?? null;
  } catch {
    return null; // not a well-formed language tag
  }
}

/**
 * The separator a spreadsheet of the reader's language expects: where the decimal separator
 * is a comma, Excel's list separator is `;` (and a `,` file opens as one column); elsewhere `,`.
 * The first language of the header that is known decides; none known means `,`.
 */
export function delimiterForLanguages(acceptLanguage: string | undefined): CsvDelimiter {
  for (const tag of preferredLanguages(acceptLanguage)) {
    const decimal = decimalSeparatorOf(tag);
    if (decimal !== null) {
      return decimal === ',' ? ';' : ',';
    }
  }
  return ',';
}

/** The separator the user chose on the page (none: the system setting's default), or the one of their language for `auto`. */
export function chosenDelimiter(choice: unknown, acceptLanguage: string | undefined, fallback: DelimiterDefault = 'auto'): CsvDelimiter {
  const key = choice === undefined || choice === '' ? choiceOf(fallback) : choice;
  if (typeof key !== 'string' || !Object.hasOwn(CHOICES, key)) {
    throw new InvalidExportChoiceError('The CSV separator must be "auto", "semicolon" or "comma".');
  }
  return CHOICES[key] ?? delimiterForLanguages(acceptLanguage);
}
