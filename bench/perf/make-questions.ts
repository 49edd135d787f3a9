import { rng } from '../../tests/helpers/seeded-random.js';
/**
 * Varied questions over OrangeSum articles, the way newsroom users ask: short keyword queries, long questions
 * (title + lead), questions with a date, and paraphrases built on question templates. Deterministic for a seed.
 */

export interface QuestionSource {
  title: string;
  /** First sentence or summary of the article (OrangeSum `heading`). */
  lead?: string;
  /** `YYYY-MM-DD`. */
  date?: string;
}

export type QuestionKind = 'short' | 'long' | 'dated' | 'paraphrase';

export interface BenchQuestion {
  kind: QuestionKind;
  text: string;
}

const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];
const STOP = new Set(
  'le la les un une des de du d l au aux et en à a pour par sur dans avec ce cette ces son sa ses qui que quoi est sont été il elle ils elles on ne pas plus se s y ou mais'.split(' '),
);
const TEMPLATES = [
  (t: string) => `Que s'est-il passé avec ${t} ?`,
  (t: string) => `Pourquoi parle-t-on de ${t} ?`,
  (t: string) => `Qu'a-t-on appris sur ${t} ?`,
  (t: string) => `Quelles sont les dernières nouvelles concernant ${t} ?`,
  (t: string) => `Qui est impliqué dans l'affaire ${t} ?`,
];


function keywords(text: string): string[] {
  return (text.match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu) ?? []).filter((w) => w.length > 2 && !STOP.has(w.toLowerCase()));
}

/** `count` questions cycling over the four kinds, each on a different random article. */
export function makeQuestions(sources: QuestionSource[], count: number, seed = 7): BenchQuestion[] {
  const random = rng(seed);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)]!;
  const out: BenchQuestion[] = [];
  const kinds: QuestionKind[] = ['short', 'long', 'dated', 'paraphrase'];
  for (let i = 0; out.length < count && i < count * 20; i++) {
    const s = pick(sources);
    const words = keywords(s.title);
    if (words.length < 2) continue;
    const kind = kinds[out.length % kinds.length]!;
    const start = Math.floor(random() * Math.max(1, words.length - 3));
    const topic = words.slice(start, start + 2 + Math.floor(random() * 2)).join(' ');
    let text: string;
    if (kind === 'short') text = topic;
    else if (kind === 'long') text = `${s.title.replace(/[.?!]+$/, '')} : ${(s.lead ?? '').slice(0, 240)} ?`;
    else if (kind === 'dated' && s.date) {
      const [y, m, d] = s.date.split('-');
      text = random() < 0.5 ? `${topic} en ${MONTHS[Number(m) - 1]} ${y}` : `Que dit l'article du ${Number(d)} ${MONTHS[Number(m) - 1]} ${y} sur ${topic} ?`;
    } else text = pick(TEMPLATES)(topic);
    out.push({ kind, text });
  }
  return out;
}
