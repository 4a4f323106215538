import QRCode from 'qrcode';

/** Modules of white border the QR specification asks for around the code, so scanners find its edges. */
const QUIET_ZONE = 4;

/**
 * One fixed mask instead of the library's search for the best of eight. The search scores every
 * mask over the whole matrix and was most of a slips page's time (1500 codes: ~9 s of CPU on a
 * busy 2-core machine, against ~0.5 s now). The masks exist to break up patterns that look like
 * finder marks; a link's token is random, so any one mask does that well enough, and every code
 * is still decoded back to its link in the tests (test/unit/slip-qr.test.ts).
 */
const MASK_PATTERN = 0;

/**
 * A QR code of `text` as inline SVG: one path of horizontal runs of dark modules, no image to
 * fetch (examgate's CSP allows none from elsewhere) and sharp at any print size. Error
 * correction M survives a crease or a smudge on a paper slip without making the code much denser.
 * The text goes in as one byte-mode segment: the library's search for the shortest mix of
 * segment modes costs more than the few modules it could save on a URL. Nothing is cached: a
 * code holds a live link, which should not outlive the page in the process's memory.
 */
export function qrSvg(text: string, label: string): string {
  const { modules } = QRCode.create([{ data: new TextEncoder().encode(text), mode: 'byte' }], {
    errorCorrectionLevel: 'M',
    maskPattern: MASK_PATTERN,
  });
  const size = modules.size;
  const runs: string[] = [];
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size;) {
      if (!modules.get(x, y)) {
        x += 1;
        continue;
      }
      const start = x;
      while (x < size && modules.get(x, y)) {
        x += 1;
      }
      runs.push(`M${start + QUIET_ZONE} ${y + QUIET_ZONE}h${x - start}v1h-${x - start}z`);
    }
  }
  const side = size + 2 * QUIET_ZONE;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${side} ${side}" role="img" aria-label="${escapeAttribute(label)}" ` +
    `shape-rendering="crispEdges" class="qr"><rect width="${side}" height="${side}" fill="#fff"/>` +
    `<path fill="#000" d="${runs.join('')}"/></svg>`
  );
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
