import iconv from 'iconv-lite';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeText } from '../../src/ingest/decode-text.js';
import { readCorpus } from '../../src/ingest/read-corpus.js';

/** French text whose bytes differ between the encodings (œ € Œ « » and accents); ISO-8859-15 has no ’, so ' here. */
const FRENCH = "L'œuvre coûte 20 € : « Être ou ne pas être », dit-il à l'Élysée. Cœur, ŒUVRE, ça, où, naïf, Ÿ.";
const C1 = /[\u0080-\u009F]/;

function encodings(text: string): Record<string, Uint8Array> {
  const utf16le = iconv.encode(text, 'utf-16le');
  const utf16be = iconv.encode(text, 'utf-16be');
  return {
    'utf-8': iconv.encode(text, 'utf-8'),
    'utf-8-bom': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), iconv.encode(text, 'utf-8')]),
    'utf-16le': Buffer.concat([Buffer.from([0xff, 0xfe]), utf16le]),
    'utf-16be': Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be]),
    'windows-1252': iconv.encode(text, 'windows-1252'),
    'iso-8859-15': iconv.encode(text, 'iso-8859-15'),
  };
}

describe('decodeText', () => {
  it('decodes the same French text identically from UTF-8, UTF-8+BOM, UTF-16LE/BE+BOM, Windows-1252 and ISO-8859-15', () => {
    for (const [name, bytes] of Object.entries(encodings(FRENCH))) {
      const decoded = decodeText(bytes);
      expect(decoded, name).toEqual({ ok: true, text: FRENCH, encoding: name });
    }
  });

  it('tells Windows-1252 from Latin-9 on the bytes they disagree on (0x80 vs 0xA4 for €, 0x9C vs 0xBD for œ)', () => {
    expect(decodeText(Uint8Array.from([0x80, 0x20, 0x9c, 0x75, 0x66, 0x92]))).toMatchObject({ text: '€ œuf’', encoding: 'windows-1252' });
    expect(decodeText(Uint8Array.from([0xa4, 0x20, 0xbd, 0x75, 0x66]))).toMatchObject({ text: '€ œuf', encoding: 'iso-8859-15' });
  });

  it('reads every encoding of a file through readCorpus to the same text, without U+FFFD or C1 controls', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sourcier-enc-'));
    try {
      for (const [name, bytes] of Object.entries(encodings(`${FRENCH}\n\nDeuxième paragraphe.`))) {
        await writeFile(path.join(dir, `${name}.txt`), bytes);
      }
      const { articles, outcomes } = await readCorpus(dir);
      expect(articles).toHaveLength(6);
      for (const a of articles) {
        expect(a.text, a.id).toBe(`${FRENCH}\n\nDeuxième paragraphe.`);
        expect(a.text).not.toContain('\uFFFD');
        expect(a.text).not.toMatch(C1);
      }
      for (const o of outcomes) expect(o).toMatchObject({ status: 'read', encoding: path.basename(o.path, '.txt') });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('leaves no U+FFFD or C1 control from the five bytes cp1252 leaves undefined', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sourcier-enc-'));
    try {
      const text = `${'Le café de l’été coûte 2 €. '.repeat(10)}Fin.`;
      const bytes = Buffer.concat([iconv.encode(text, 'windows-1252'), Buffer.from([0x81, 0x8d, 0x8f, 0x90, 0x9d])]);
      await writeFile(path.join(dir, 'stray.txt'), bytes);
      const { articles, outcomes } = await readCorpus(dir);
      expect(outcomes[0]).toMatchObject({ status: 'read', encoding: 'windows-1252' });
      expect(articles[0]!.text).toBe(text.trim());
      expect(articles[0]!.text).not.toMatch(/[\u0080-\u009F\uFFFD]/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('decodes UTF-16LE without BOM from the pattern of NUL bytes', () => {
    expect(decodeText(iconv.encode('Bonjour à tous, ceci est un texte.', 'utf-16le'))).toMatchObject({
      ok: true,
      text: 'Bonjour à tous, ceci est un texte.',
      encoding: 'utf-16le',
    });
  });
});
