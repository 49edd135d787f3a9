import { AppError } from '../core/app-error.js';
import { SKETCH_SETTINGS, type CheckedPair, type DedupSketch } from './group-duplicates.js';

/**
 * Binary layout of the dedup sketches of a generation (one per article, in article order), so that a build reuses
 * the sketches of unchanged articles instead of hashing their text again:
 *   u32 magic "SRDD", u32 version, u32 count, u32 hashes, u32 shingleSize, u32 minWords,
 *   then per article (3 + hashes) x u32: words, key hash a, key hash b, signature (zeros when the text is too short),
 *   then u32 pair count and per checked candidate pair 5 x u32: a, b, sizeA, sizeB, common (0xffffffff: not counted),
 *   so that the next build replays the checks of pairs whose two texts are unchanged instead of shingling them again.
 */
const MAGIC = 0x44445253; // "SRDD" little-endian
const VERSION = 2;
const HEADER = 6;
const PAIR = 5;

/** The dedup state a generation keeps for the next build. */
export interface StoredDedup {
  /** By article position. */
  sketches: DedupSketch[];
  /** Candidate pairs checked, by article positions. */
  checked: CheckedPair[];
}

export function encodeSketches(sketches: readonly DedupSketch[], checked: readonly CheckedPair[] = []): Uint8Array {
  const { hashes, shingleSize, minWords } = SKETCH_SETTINGS;
  const stride = 3 + hashes;
  const pairsAt = HEADER + sketches.length * stride;
  const ints = new Uint32Array(pairsAt + 1 + checked.length * PAIR);
  ints.set([MAGIC, VERSION, sketches.length, hashes, shingleSize, minWords]);
  sketches.forEach((sketch, i) => {
    const at = HEADER + i * stride;
    const [, a, b] = sketch.key.split(':');
    ints[at] = sketch.words;
    ints[at + 1] = parseInt(a ?? '0', 36);
    ints[at + 2] = parseInt(b ?? '0', 36);
    if (sketch.signature.length === hashes) ints.set(sketch.signature, at + 3);
  });
  ints[pairsAt] = checked.length;
  checked.forEach((c, i) => ints.set([c.a, c.b, c.sizeA, c.sizeB, c.common < 0 ? 0xffffffff : c.common], pairsAt + 1 + i * PAIR));
  return new Uint8Array(ints.buffer);
}

/**
 * Reads what {@link encodeSketches} wrote. Returns undefined when it was made with other dedup settings or by an earlier
 * version of this file (everything is then recomputed); INDEX_CORRUPT when the file is damaged.
 */
export function decodeSketches(bytes: Uint8Array, expectedCount: number): StoredDedup | undefined {
  const corrupt = (why: string) => new AppError('INDEX_CORRUPT', `The dedup sketch file is damaged (${why}); run "sourcier index --rebuild".`);
  if (bytes.byteLength < HEADER * 4 || bytes.byteLength % 4 !== 0) throw corrupt('bad size');
  const ints = new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  if (ints[0] !== MAGIC) throw corrupt('bad header');
  const { hashes, shingleSize, minWords } = SKETCH_SETTINGS;
  if (ints[1] !== VERSION || ints[3] !== hashes || ints[4] !== shingleSize || ints[5] !== minWords) return undefined;
  const count = ints[2]!;
  const stride = 3 + hashes;
  const pairsAt = HEADER + count * stride;
  if (count !== expectedCount || ints.length < pairsAt + 1 || ints.length !== pairsAt + 1 + ints[pairsAt]! * PAIR) throw corrupt('counts do not match');
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
  const checked: CheckedPair[] = new Array(ints[pairsAt]!);
  for (let i = 0; i < checked.length; i++) {
    const at = pairsAt + 1 + i * PAIR;
    const [a, b, sizeA, sizeB, stored] = [ints[at]!, ints[at + 1]!, ints[at + 2]!, ints[at + 3]!, ints[at + 4]!];
    const common = stored === 0xffffffff ? -1 : stored;
    if (!(a < b && b < count && common <= Math.min(sizeA, sizeB))) throw corrupt(`checked pair ${i} is not a valid pair`);
    checked[i] = { a, b, sizeA, sizeB, common };
  }
  return { sketches, checked };
}
