import iconv from 'iconv-lite';

/** Encodings Sourcier recognises in corpus files; recorded in the ingest outcome. */
export type TextEncodingName = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'windows-1252' | 'iso-8859-15';

export type DecodeResult =
  | { ok: true; text: string; encoding: TextEncodingName }
  | { ok: false; reason: string };

/** Magic numbers of the binary formats most likely to land in a corpus folder by mistake. */
const SIGNATURES: Array<{ name: string; bytes: number[] }> = [
  { name: 'PNG image', bytes: [0x89, 0x50, 0x4e, 0x47] },
  { name: 'PDF document', bytes: [0x25, 0x50, 0x44, 0x46] },
  { name: 'ZIP archive (or Office document)', bytes: [0x50, 0x4b, 0x03, 0x04] },
  { name: 'ZIP archive', bytes: [0x50, 0x4b, 0x05, 0x06] },
  { name: 'GZIP archive', bytes: [0x1f, 0x8b] },
  { name: 'JPEG image', bytes: [0xff, 0xd8, 0xff] },
  { name: 'GIF image', bytes: [0x47, 0x49, 0x46, 0x38] },
  { name: 'WebP/RIFF file', bytes: [0x52, 0x49, 0x46, 0x46] },
  { name: '7-Zip archive', bytes: [0x37, 0x7a, 0xbc, 0xaf] },
  { name: 'bzip2 archive', bytes: [0x42, 0x5a, 0x68] },
  { name: 'xz archive', bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a] },
  { name: 'ELF executable', bytes: [0x7f, 0x45, 0x4c, 0x46] },
  { name: 'SQLite database', bytes: [0x53, 0x51, 0x4c, 0x69, 0x74, 0x65] },
];

/** Share of control characters above which a decoded file is not considered text (random bytes give ~12 %). */
const MAX_CONTROL_RATIO = 0.02;

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a text file's bytes. Order: binary signatures, BOM (UTF-8, UTF-16LE/BE), BOM-less UTF-16 (NUL pattern),
 * NUL bytes (binary), valid UTF-8, else the better of Windows-1252 and ISO-8859-15 for French text.
 * The returned text may still hold control characters; {@link cleanText} removes them.
 */
export function decodeText(bytes: Uint8Array): DecodeResult {
  const signature = binarySignature(bytes);
  if (signature) return { ok: false, reason: signature };

  let text: string;
  let encoding: TextEncodingName;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    text = new TextDecoder('utf-8').decode(bytes.subarray(3));
    encoding = 'utf-8-bom';
  } else if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    text = iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset + 2, bytes.byteLength - 2), 'utf-16le');
    encoding = 'utf-16le';
  } else if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    text = iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset + 2, bytes.byteLength - 2), 'utf-16be');
    encoding = 'utf-16be';
  } else {
    const utf16 = guessBomlessUtf16(bytes);
    if (utf16) {
      text = iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), utf16);
      encoding = utf16;
    } else if (bytes.indexOf(0) !== -1) {
      return { ok: false, reason: 'binary file (contains NUL bytes)' };
    } else {
      const utf8 = tryUtf8(bytes);
      if (utf8 !== undefined) {
        text = utf8;
        encoding = 'utf-8';
      } else if (mostlyUtf8(bytes)) {
        // UTF-8 with a few stray bytes (a truncated copy, a bad concatenation): read as Windows-1252, every accent of
        // the file would turn into mojibake ("votÃ©"); dropping the stray bytes keeps the text right.
        text = new TextDecoder('utf-8').decode(bytes).replace(/\uFFFD/g, '');
        encoding = 'utf-8';
      } else {
        ({ text, encoding } = decodeSingleByte(bytes));
      }
    }
  }
  const controls = countControls(text);
  if (controls > 0 && controls / Math.max(1, text.length) > MAX_CONTROL_RATIO) {
    return { ok: false, reason: `not text (${Math.round((100 * controls) / text.length)}% control characters once decoded as ${encoding})` };
  }
  return { ok: true, text, encoding };
}

/** "binary file (PNG image signature)" when the bytes start like a known binary format, else undefined. */
export function binarySignature(bytes: Uint8Array): string | undefined {
  const signature = SIGNATURES.find((s) => s.bytes.every((b, i) => bytes[i] === b));
  return signature ? `binary file (${signature.name} signature)` : undefined;
}

/** Decodes strict UTF-8; undefined when the bytes are not valid UTF-8. A leading BOM is dropped. */
export function tryUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8Fatal.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * More well-formed multi-byte UTF-8 sequences than bytes that break UTF-8. French text in a single-byte encoding has
 * almost none of the former (an accented letter followed by another 0x80-0xBF byte), so this only picks UTF-8 text.
 */
function mostlyUtf8(bytes: Uint8Array): boolean {
  let valid = 0;
  let invalid = 0;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const length = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    let ok = length > 0 && i + length <= bytes.length;
    for (let k = 1; ok && k < length; k++) ok = (bytes[i + k]! & 0xc0) === 0x80;
    if (ok) {
      valid++;
      i += length;
    } else {
      invalid++;
      i++;
    }
  }
  return valid > invalid;
}

/**
 * Windows-1252 and ISO-8859-15 differ on 0x80-0x9F (cp1252: € ’ œ « ... ; Latin-9: C1 controls) and on eight bytes
 * of 0xA4-0xBE (Latin-9: € Š š Ž ž Œ œ Ÿ; cp1252: ¤ ¦ ¨ ´ ¸ ¼ ½ ¾). French text makes the wrong choice show up as
 * C1 controls / undefined bytes (heavy penalty) or as those rare signs (light penalty). Ties go to cp1252.
 */
function decodeSingleByte(bytes: Uint8Array): { text: string; encoding: TextEncodingName } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const cp1252 = iconv.decode(buffer, 'windows-1252');
  const latin9 = iconv.decode(buffer, 'iso-8859-15');
  return oddity(latin9) < oddity(cp1252) ? { text: latin9, encoding: 'iso-8859-15' } : { text: cp1252, encoding: 'windows-1252' };
}

function oddity(text: string): number {
  let score = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x80 && c <= 0x9f) || c === 0xfffd) score += 10;
    else if (c >= 0xa4 && c <= 0x17e && RARE_IN_FRENCH.has(c)) score += 1;
  }
  return score;
}

const RARE_IN_FRENCH = new Set([0xa4, 0xa6, 0xa8, 0xb4, 0xb8, 0xbc, 0xbd, 0xbe, 0x160, 0x161, 0x17d, 0x17e]);

/** UTF-16 without BOM: ASCII-heavy text leaves NUL in every other byte. */
function guessBomlessUtf16(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const n = Math.min(bytes.length, 4096) & ~1;
  if (n < 4) return undefined;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenNul++;
    if (bytes[i + 1] === 0) oddNul++;
  }
  const pairs = n / 2;
  if (oddNul > pairs * 0.6 && evenNul < pairs * 0.05) return 'utf-16le';
  if (evenNul > pairs * 0.6 && oddNul < pairs * 0.05) return 'utf-16be';
  return undefined;
}

/** C0 controls other than tab/newline/CR/FF, DEL, C1 controls and U+FFFD. */
function countControls(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) || (c >= 0x7f && c <= 0x9f) || c === 0xfffd) n++;
  }
  return n;
}
