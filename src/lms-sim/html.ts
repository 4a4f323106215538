/** Tiny HTML helpers: escaping for pages the LMS renders, decoding for pages it reads. */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for use in element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Decodes the entities a server is likely to emit in attribute values. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref.startsWith('#x') || ref.startsWith('#X')) {
      return String.fromCodePoint(parseInt(ref.slice(2), 16));
    }
    if (ref.startsWith('#')) {
      return String.fromCodePoint(parseInt(ref.slice(1), 10));
    }
    return NAMED[ref.toLowerCase()] ?? whole;
  });
}

/** A minimal complete HTML document. `bodyHtml` must already be escaped. */
export function htmlPage(title: string, bodyHtml: string): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title></head>`,
    `<body>${bodyHtml}</body></html>`,
  ].join('\n');
}

/** Hidden inputs carrying `fields`, escaped. */
export function hiddenInputs(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');
}

/**
 * The OIDC form_post response: a form that a browser submits on load
 * (OAuth 2.0 Form Post Response Mode §2). The noscript button keeps it usable without JS.
 * `scriptUrl` is the LMS's autopost.js, relative to the page or absolute.
 */
export function autoPostPage(action: string, fields: Record<string, string>, scriptUrl = 'autopost.js'): string {
  const form = [
    `<form id="lti-launch" method="post" action="${escapeHtml(action)}">`,
    hiddenInputs(fields),
    '<noscript><button type="submit">Continue</button></noscript>',
    '</form>',
    // A same-origin script, not an inline one: the demo serves this page under examgate's CSP (script-src 'self').
    `<script src="${escapeHtml(scriptUrl)}"></script>`,
  ].join('\n');
  return htmlPage('Launching…', form);
}
