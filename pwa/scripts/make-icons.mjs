// Draws Sijil's app icons as real PNG files into public/icons/ with no
// dependencies: a register (a white page with ruled lines and a tick) on
// the app's teal. Run `npm run icons` after changing the drawing; the PNGs
// are committed so builds need nothing but Node.
//
// - icon-192.png, icon-512.png: purpose "any", rounded square;
// - icon-maskable-512.png: full-bleed background with the drawing inside
//   the central safe zone (a circle of 40% radius), as Android masks it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'icons');
const TEAL = [0x0b, 0x5e, 0x55];
const WHITE = [0xff, 0xff, 0xff];
const AMBER = [0xf5, 0xb7, 0x31];

// ---- shapes in unit coordinates (0..1 across the icon)

function inRoundedRect(x, y, [x0, y0, x1, y1], r) {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

function nearSegment(x, y, [ax, ay], [bx, by], halfWidth) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return (x - (ax + t * dx)) ** 2 + (y - (ay + t * dy)) ** 2 <= halfWidth * halfWidth;
}

/** The colour at (x, y) of the drawing scaled by `s` around the centre, or null for background. */
function drawing(x, y, s) {
  const u = (x - 0.5) / s + 0.5;
  const v = (y - 0.5) / s + 0.5;
  const page = [0.22, 0.16, 0.78, 0.84];
  if (!inRoundedRect(u, v, page, 0.05)) return null;
  if (nearSegment(u, v, [0.46, 0.68], [0.54, 0.76], 0.035) || nearSegment(u, v, [0.54, 0.76], [0.7, 0.56], 0.035))
    return AMBER;
  for (const line of [0.3, 0.41, 0.52]) {
    if (nearSegment(u, v, [0.32, line], [0.68, line], 0.022)) return TEAL;
  }
  if (nearSegment(u, v, [0.32, 0.63], [0.4, 0.63], 0.022)) return TEAL;
  return WHITE;
}

function render(size, { maskable }) {
  const SUB = 4; // 4×4 samples per pixel for smooth edges
  const pixels = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < SUB; sy++) {
        for (let sx = 0; sx < SUB; sx++) {
          const x = (px + (sx + 0.5) / SUB) / size;
          const y = (py + (sy + 0.5) / SUB) / size;
          const inside = maskable || inRoundedRect(x, y, [0.02, 0.02, 0.98, 0.98], 0.18);
          if (!inside) continue;
          const colour = drawing(x, y, maskable ? 0.72 : 1) ?? TEAL;
          r += colour[0];
          g += colour[1];
          b += colour[2];
          a += 255;
        }
      }
      const n = SUB * SUB;
      const i = (py * size + px) * 4;
      // Straight (not premultiplied) alpha, as PNG wants.
      const covered = a / 255;
      pixels[i] = covered ? Math.round(r / covered) : 0;
      pixels[i + 1] = covered ? Math.round(g / covered) : 0;
      pixels[i + 2] = covered ? Math.round(b / covered) : 0;
      pixels[i + 3] = Math.round(a / n);
    }
  }
  return png(size, size, pixels);
}

// ---- PNG encoding (RGBA, 8 bits, no interlace)

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function png(width, height, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type RGBA
  const rows = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    rows[y * (width * 4 + 1)] = 0; // filter: none
    rgba.copy(rows, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

mkdirSync(OUT, { recursive: true });
for (const [name, size, maskable] of [
  ['icon-192.png', 192, false],
  ['icon-512.png', 512, false],
  ['icon-maskable-512.png', 512, true],
]) {
  const file = join(OUT, name);
  writeFileSync(file, render(size, { maskable }));
  console.log(`wrote ${file}`);
}
