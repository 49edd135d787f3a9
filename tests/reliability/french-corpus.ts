import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { rng } from '../helpers/seeded-random.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const TINY_MODEL = join(ROOT, 'tests', 'fixtures', 'tiny-model');
export const MAIN = join(ROOT, 'src', 'main.ts');

const PLACES = ['Paris', 'Lyon', 'Marseille', 'Rabat', 'Dakar', 'Bruxelles', 'Genève', 'Montréal', 'Tunis', 'Abidjan', 'Nantes', 'Lille'];
const SUBJECTS = [
  'Le conseil municipal',
  'La ministre de la Santé',
  'Le syndicat des enseignants',
  'La préfecture',
  "L'équipe nationale",
  'Le tribunal administratif',
  'La banque centrale',
  'Le comité olympique',
  "L'association des riverains",
  'Le gouvernement',
];
const VERBS = ['a annoncé', 'a confirmé', 'a démenti', 'a présenté', 'a rejeté', 'a adopté', 'a reporté', 'a dévoilé'];
const OBJECTS = [
  'un plan de rénovation des écoles',
  'une hausse des tarifs des transports',
  'la construction d’un nouveau stade',
  "l'ouverture d'un centre de santé",
  'un budget de 40 millions d’euros',
  'la fermeture temporaire du port',
  'une réforme du code du travail',
  'le calendrier des élections locales',
  'un accord sur la pêche',
  "l'été le plus chaud depuis vingt ans",
];
const TAILS = [
  'selon un communiqué publié mardi.',
  'a précisé un porte-parole.',
  'lors d’une conférence de presse.',
  'après plusieurs semaines de négociations.',
  'au grand dam des associations.',
  'sans donner davantage de détails.',
];

export interface GeneratedArticle {
  /** Article id (file name without extension). */
  id: string;
  title: string;
  text: string;
}

/**
 * Writes `count` varied French news articles as Markdown files (`art-000.md`, ...) into `dir` (emptied first), with a
 * fixed seed. `variant` changes every article's wording (so a build re-embeds everything) and `extra` adds articles,
 * so two variants give two different, deterministic builds.
 */
export async function writeFrenchCorpus(dir: string, options: { count: number; variant: number; seed?: number }): Promise<GeneratedArticle[]> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const random = rng(options.seed ?? 7);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const out: GeneratedArticle[] = [];
  for (let i = 0; i < options.count; i++) {
    const id = `art-${String(i).padStart(3, '0')}`;
    const place = pick(PLACES);
    const title = `${pick(SUBJECTS)} de ${place} ${pick(VERBS)} ${pick(OBJECTS)} (dossier ${i})`;
    const paragraphs: string[] = [];
    const nParagraphs = 2 + Math.floor(random() * 3);
    for (let p = 0; p < nParagraphs; p++) {
      const sentences: string[] = [];
      const n = 2 + Math.floor(random() * 4);
      for (let s = 0; s < n; s++) sentences.push(`${pick(SUBJECTS)} de ${place} ${pick(VERBS)} ${pick(OBJECTS)}, ${pick(TAILS)}`);
      paragraphs.push(sentences.join(' '));
    }
    // The variant's words make every article's text (and hash) differ between variants.
    paragraphs.push(`Édition ${options.variant} : le dossier ${i} sur ${place} est suivi par la rédaction numéro ${options.variant * 1000 + i}.`);
    const text = paragraphs.join('\n\n');
    const month = String(1 + (i % 12)).padStart(2, '0');
    await writeFile(join(dir, `${id}.md`), `---\ntitle: ${JSON.stringify(title)}\ndate: 2023-${month}-1${i % 10}\nsource: Gazette ${i % 5}\n---\n${text}\n`);
    out.push({ id, title, text });
  }
  return out;
}
