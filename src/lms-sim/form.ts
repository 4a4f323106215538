/**
 * Reads an auto-submitting POST form out of an HTML page, the way the
 * simulated browser "runs" the page's submit script without a JS engine.
 */
import { decodeEntities } from './html.js';

export interface AutoPostForm {
  action: string;
  fields: Record<string, string>;
}

const ATTRIBUTE = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
const SKIPPED_INPUT_TYPES = new Set(['submit', 'button', 'reset', 'image', 'file']);

/**
 * Finds the first `<form method="post">` and returns its action and the
 * values of its named inputs (entity-decoded), or null when there is none.
 * The action is returned as written; resolve it against the page URL.
 */
export function submitAutoPostForm(html: string): AutoPostForm | null {
  const formTags = html.matchAll(/<form\b([^>]*)>([\s\S]*?)(?:<\/form\s*>|$)/gi);
  for (const [, attributeText = '', inner = ''] of formTags) {
    const attributes = parseAttributes(attributeText);
    if ((attributes.method ?? 'get').toLowerCase() !== 'post') {
      continue;
    }
    return { action: attributes.action ?? '', fields: inputFields(inner) };
  }
  return null;
}

function inputFields(formHtml: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [, attributeText = ''] of formHtml.matchAll(/<input\b([^>]*)>/gi)) {
    const input = parseAttributes(attributeText);
    const type = (input.type ?? 'text').toLowerCase();
    if (input.name === undefined || SKIPPED_INPUT_TYPES.has(type)) {
      continue;
    }
    fields[input.name] = input.value ?? '';
  }
  return fields;
}

/** Attribute names are case-insensitive in HTML, so they are lower-cased. */
function parseAttributes(text: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const [, name = '', doubled, single, bare] of text.matchAll(ATTRIBUTE)) {
    attributes[name.toLowerCase()] = decodeEntities(doubled ?? single ?? bare ?? '');
  }
  return attributes;
}
