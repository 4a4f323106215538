import QRCode from 'qrcode';

/** Modules of white border the QR specification asks for around the code, so scanners find its edges. */
const QUIET_ZONE = 4;

/**
 * A QR code of `text` as inline SVG: one path of horizontal runs of dark modules, no image to
 * fetch (examgate's CSP allows none from elsewhere) and sharp at any print size. Error
 * correction M survives a crease or a smudge on a paper slip without making the code much denser.
 */
export function qrSvg(text: string, label: string): string {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
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
