import { AppError } from '../core/app-error.js';
import { SKETCH_SETTINGS, type DedupSketch } from './group-duplicates.js';

/**
 * Binary layout of the dedup sketches of a generation (one per article, in article order), so that a build reuses
 * the sketches of unchanged articles instead of hashing their text again:
 *   u32 magic "SRDD", u32 version, u32 count, u32 hashes, u32 shingleSize, u32 minWords,
 *   then per article (3 + hashes) x u32: words, key hash a, key hash b, signature (zeros when the text is too short).
 */
const MAGIC = 0x44445253; // "SRDD" little-endian
const VERSION = 1;
const HEADER = 6;

export function encodeSketches(sketches: readonly DedupSketch[]): Uint8Array {
  const { hashes, shingleSize, minWords } = SKETCH_SETTINGS;
  const stride = 3 + hashes;
  const ints = new Uint32Array(HEADER + sketches.length * stride);
  ints.set([MAGIC, VERSION, sketches.length, hashes, shingleSize, minWords]);
  sketches.forEach((sketch, i) => {
    const at = HEADER + i * stride;
    const [, a, b] = sketch.key.split(':');
    ints[at] = sketch.words;
    ints[at + 1] = parseInt(a ?? '0', 36);
    ints[at + 2] = parseInt(b ?? '0', 36);
    if (sketch.signature.length === hashes) ints.set(sketch.signature, at + 3);
  });
  return new Uint8Array(ints.buffer);
}

/**
 * Reads sketches written by {@link encodeSketches}. Returns undefined when they were made with other dedup settings
 * (they are then recomputed); INDEX_CORRUPT when the file is damaged.
 */
export function decodeSketches(bytes: Uint8Array, expectedCount: number): DedupSketch[] | undefined {
  const corrupt = (why: string) => new AppError('INDEX_CORRUPT', `The dedup sketch file is damaged (${why}); run "sourcier index --rebuild".`);
  if (bytes.byteLength < HEADER * 4 || bytes.byteLength % 4 !== 0) throw corrupt('bad size');
  const ints = new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  if (ints[0] !== MAGIC) throw corrupt('bad header');
  const { hashes, shingleSize, minWords } = SKETCH_SETTINGS;
  if (ints[1] !== VERSION || ints[3] !== hashes || ints[4] !== shingleSize || ints[5] !== minWords) return undefined;
  const count = ints[2]!;
  const stride = 3 + hashes;
  if (count !== expectedCount || ints.length !== HEADER + count * stride) throw corrupt('counts do not match');
  const sketches: DedupSketch[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const at = HEADER + i * stride;
    const words = ints[at]!;
    sketches[i] = {
      words,
      key: `${words}:${ints[at + 1]!.toString(36)}:${ints[at + 2]!.toString(36)}`,
      signature: words < minWords ? new Uint32Array(0) : ints.slice(at + 3, at + 3 + hashes),
    };
  }
  return sketches;
}
