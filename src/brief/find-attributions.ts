/**
 * Direct quotations in French news text and who they are attributed to. A quotation is the text between « » (or
 * “ ”, or straight double quotes around words) on one line; its attribution is looked for right after the closing mark (", a déclaré X", ", a-t-il affirmé",
 * ", selon X", ", estime X"), or before the opening one in the same sentence ("X a déclaré : «", "X a averti que le
 * monde était «", "Pour X, «", "Selon X, «"). Speaker names are normalised (titles such as "le ministre" dropped);
 * "selon la même source", "selon des médias américains" and unnamed officials are kept apart as non-person sources.
 * Everything returned is a span of the input text, so it can be quoted verbatim.
 */
import type { Span } from '../core/types.js';
import { splitSentences } from '../chunk/split-sentences.js';
import { foldText } from '../lexical/french-analyzer.js';

export interface Attribution {
  /** Person name as written, titles dropped ("Nasser Bourita"), or the source words ("la même source"). */
  speaker: string;
  kind: 'person' | 'source';
  /** The words inside the quotation marks (trimmed). */
  quote: Span;
  /** The sentence (or sentences) holding the quotation and its attribution, trimmed. */
  statement: Span;
  pattern: 'after-verb' | 'after-pronoun' | 'after-selon' | 'before-verb' | 'before-pronoun' | 'before-pour' | 'before-selon';
}

/** Quotations shorter than this many words are names or terms ("dite « Etat islamique »"), not statements. */
const MIN_QUOTE_WORDS = 3;
const MAX_QUOTE_CHARS = 1500;
/** Longest stretch between a speech verb and the opening mark ("a averti que le monde était «"), in characters. */
const MAX_VERB_TO_QUOTE = 160;

// Past participles and present forms of verbs that introduce speech, as written (accents included).
const PARTICIPLES =
  'déclaré|affirmé|indiqué|souligné|ajouté|estimé|expliqué|assuré|dit|lancé|martelé|prévenu|averti|rappelé|insisté|précisé|annoncé|confié|déploré|dénoncé|jugé|reconnu|répondu|commenté|poursuivi|conclu|écrit|tweeté|plaidé|noté|relevé|observé|considéré|fait savoir|mis en garde|promis|répété|regretté|salué|réagi|confirmé|démenti|lâché|résumé|admis|avoué|détaillé|exhorté|appelé|réclamé|insisté|soutenu|prévenu';
const PRESENTS =
  'déclare|affirme|indique|souligne|ajoute|estime|explique|assure|dit|lance|martèle|prévient|avertit|rappelle|insiste|précise|annonce|confie|déplore|dénonce|juge|reconnaît|reconnait|répond|commente|poursuit|conclut|écrit|plaide|note|relève|observe|considère|résume|admet|avoue|détaille|regrette|salue|confirme|soutient|lâche|tranche|analyse|raconte|témoigne|souffle|ironise|s\'exclame|s’exclame|s\'inquiète|s’inquiète|s\'insurge|s’insurge|se félicite|se réjouit';
const ADVERBS = '(?:(?:encore|aussi|ainsi|notamment|également|alors|ensuite|déjà|en outre|par ailleurs|pour sa part|de son côté)\\s+)?';
const AUX = '(?:a|avait|aurait|ont|avaient|auraient)';

const AFTER_VERB = new RegExp(`^\\s*[,;]?\\s*${AUX}\\s+${ADVERBS}(?:${PARTICIPLES})(?![\\p{L}])\\s*,?\\s*(.*)$`, 'isu');
const AFTER_PRONOUN = new RegExp(
  `^\\s*[,;]?\\s*(?:(?:a|avait|aurait)-t-(?:il|elle)\\s+${ADVERBS}(?:${PARTICIPLES})|(?:${PRESENTS})(?:-t)?-(?:il|elle))(?![\\p{L}])`,
  'iu',
);
const AFTER_PRESENT = new RegExp(`^\\s*[,;]\\s*(?:${PRESENTS})(?![\\p{L}-])\\s+(.*)$`, 'isu');
const AFTER_SELON = /^\s*[,;]?\s*(?:selon|d['’]après)\s+(.*)$/isu;
const BEFORE_VERB = new RegExp(`(?<![\\p{L}-])(?:${AUX}\\s+${ADVERBS}(?:${PARTICIPLES})|(?:${PRESENTS}))(?![\\p{L}-])`, 'giu');
const BEFORE_INTRO = /(?:^|[\s(])(pour|selon|d['’]après)\s+([^,«»“”"]{2,90}),\s*$/iu;

/** Capitalised words that start a sentence or clause but never start a name. */
const FUNCTION_WORDS = new Set(
  `le la les l un une des du de d pour selon mais et ou ce cet cette ces il elle ils elles on nous vous je dans en au aux a
  apres avant lors depuis son sa ses leur leurs par sur sous avec sans chez entre vers quand si comme car donc or ni c qu
  quant face outre alors ainsi puis enfin aussi toutefois cependant pourtant la ici interroge interrogee selon mme m mr mm
  mlle dr pr me monsieur madame`.split(/\s+/).filter(Boolean),
);
/** Words that make a capitalised run an institution, a place or a thing rather than a person. */
const INSTITUTION_WORDS = new Set(
  `affaires etrangeres etrangere etat etats etats-unis nations unies onu otan ue coalition ministere gouvernement parlement
  assemblee senat commission conseil union europeenne france maroc royaume republique agence presse afp reuters ap map
  defense interieur justice sante economie finances education culture daech daesh organisation forces armee police banque
  institut universite federation ligue club parti front mouvement syndicat association comite cour tribunal elysee kremlin
  maison blanche palais sud nord est ouest europe afrique asie amerique syrie irak turquie egypte espagne italie canada
  allemagne russie chine ukraine israel iran algerie tunisie washington marrakech rabat paris londres bruxelles moscou
  janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre lundi mardi mercredi jeudi
  vendredi samedi dimanche dieu coupe ligue1 olympique olympiques jeux groupe societe entreprise ministre president
  premier secretaire general communique cop fmi ocde unesco unicef oms croix rouge nation national nationale`
    .split(/\s+/)
    .filter(Boolean),
);
/** Outlets and agencies: "selon Reuters" is a source, not a person. */
const OUTLETS = new Set(['afp', 'reuters', 'ap', 'map', 'bloomberg', 'aps', 'ansa', 'dpa', 'efe', 'xinhua', 'tass', 'bbc', 'cnn']);
/** Words right before a single capitalised word that make it a person's (last) name. */
const TITLES = new Set(
  `m mme mlle mm dr pr me monsieur madame ministre president presidente porte-parole secretaire general generale
  ambassadeur ambassadrice chef directeur directrice maire depute deputee senateur senatrice roi reine prince princesse
  cheikh emir patron patronne entraineur selectionneur avocat avocate procureur procureure juge commissaire gouverneur
  chancelier chanceliere pape imam professeur docteur expert experte economiste analyste chercheur chercheuse fondateur
  fondatrice pdg responsable dirigeant dirigeante capitaine joueur joueuse homologue conseiller conseillere diplomate
  vice-president haut-commissaire militant militante opposant opposante depute-maire lieutenant colonel commandant`
    .split(/\s+/)
    .filter(Boolean),
);
/** Particles inside a name ("Jean-Yves Le Drian", "Ursula von der Leyen", "Abdel Fattah al-Sissi"). */
const PARTICLES = new Set(['de', 'du', 'des', 'd', 'van', 'von', 'der', 'den', 'al', 'el', 'ben', 'bin', 'ibn', 'la', 'le', 'di', 'da', 'dos', 'do', 'y']);
/** Prepositions before a capitalised run that make it a place or a complement ("à Marrakech"). */
const PLACE_PREPOSITIONS = new Set(['a', 'au', 'aux', 'en', 'dans', 'depuis', 'vers', 'sur', 'chez', 'de', 'du', 'des', 'd', 'pour', 'par', 'contre', 'avec']);
const PRONOUN_SUBJECT = /^\s*(?:il|elle)\s*$/iu;

interface Word {
  text: string;
  folded: string;
  start: number;
  end: number;
  capital: boolean;
}

// Initials ("J.-Y.", "M.") keep their periods; any other period ends the word ("Fontanet.- Enseignants" is two).
const WORD_RE = /\p{Lu}\.(?:-?\p{Lu}\.)+|[\p{L}\p{M}][\p{L}\p{M}\p{N}'’\u2010\u2011-]*(?<![-\u2010\u2011'’])\.?/gu;

/** Words of a phrase with their offsets; elided articles ("l'", "d'") become words of their own. */
function words(text: string, offset = 0): Word[] {
  const out: Word[] = [];
  WORD_RE.lastIndex = 0;
  for (let m = WORD_RE.exec(text); m; m = WORD_RE.exec(text)) {
    let raw = m[0];
    let start = m.index;
    const elision = /^([lLdDjJnNsScCmMtT]|[qQ]u|[jJ]usqu|[lL]orsqu|[pP]uisqu)['’](?=\p{L})/u.exec(raw);
    if (elision) {
      out.push(word(raw.slice(0, elision[1]!.length), start + offset));
      raw = raw.slice(elision[0].length);
      start += elision[0].length;
    }
    // A trailing period belongs to the word only for initials and titles ("M.", "J.-Y."), never to a last name.
    if (raw.endsWith('.') && !/^(?:\p{Lu}\.(?:-?\p{Lu}\.)*|M|MM|Mme|Mlle|Dr|Pr|Me)\.?$/u.test(raw)) raw = raw.replace(/\.+$/, '');
    if (raw.length > 0) out.push(word(raw, start + offset));
  }
  return out;
}

function word(text: string, start: number): Word {
  const bare = text.replace(/\.$/, '');
  return { text, folded: foldText(bare), start, end: start + text.length, capital: /^\p{Lu}/u.test(text) };
}

/** A name-like run of capitalised words found in a phrase. */
interface Run {
  first: number;
  last: number;
  start: number;
  end: number;
}

/** Runs of capitalised words (particles allowed inside), split at institution words. */
function capitalRuns(ws: Word[]): Run[] {
  const runs: Run[] = [];
  let i = 0;
  while (i < ws.length) {
    const w = ws[i]!;
    if (!w.capital || FUNCTION_WORDS.has(w.folded) || isInstitution(w)) {
      i++;
      continue;
    }
    let last = i;
    let j = i + 1;
    while (j < ws.length) {
      const x = ws[j]!;
      if (x.capital && !isInstitution(x) && !(FUNCTION_WORDS.has(x.folded) && !PARTICLES.has(x.folded))) {
        last = j;
        j++;
        continue;
      }
      // A particle joins only when a capitalised word follows ("Le Drian", "von der Leyen").
      // "de"/"du"/"d'" join a name only after a first name ("Charles de Gaulle"), not after a full one
      // ("Tara Buakamsri de Greenpeace").
      const deLike = x.folded === 'de' || x.folded === 'du' || x.folded === 'des' || x.folded === 'd';
      if (PARTICLES.has(x.folded) && !(deLike && last > i)) {
        let k = j;
        while (k < ws.length && PARTICLES.has(ws[k]!.folded)) k++;
        if (k < ws.length && ws[k]!.capital && !isInstitution(ws[k]!) && ws[k]!.start - x.end < 3) {
          last = k;
          j = k + 1;
          continue;
        }
      }
      break;
    }
    // Words must touch (a comma or parenthesis ends a name).
    let cut = i;
    for (let k = i + 1; k <= last; k++) {
      if (ws[k]!.start - ws[k - 1]!.end > 1) break;
      cut = k;
    }
    runs.push({ first: i, last: cut, start: ws[i]!.start, end: ws[cut]!.end });
    i = cut + 1;
  }
  return runs;
}

function isInstitution(w: Word): boolean {
  const f = w.folded;
  if (INSTITUTION_WORDS.has(f) || OUTLETS.has(f)) return true;
  // All-capital acronyms (ONU, OTAN, PSG) name organisations; initials ("J.-Y.") are kept.
  return w.text.length >= 2 && /^[\p{Lu}\d&]+$/u.test(w.text);
}

/** Whether a run names a person: two words or more, or one word right after a title ("M. Bourita", "le ministre Bourita"). */
function personRun(ws: Word[], run: Run, phraseIsName: boolean, allowDe: boolean): boolean {
  const before = ws[run.first - 1];
  if (before && PLACE_PREPOSITIONS.has(before.folded) && !(allowDe && (before.folded === 'de' || before.folded === 'd'))) return false;
  const size = run.last - run.first + 1;
  const tokens = ws.slice(run.first, run.last + 1).filter((w) => !PARTICLES.has(w.folded));
  if (tokens.some((w) => OUTLETS.has(w.folded))) return false;
  if (size >= 2 && tokens.length >= 2) return true;
  if (before && TITLES.has(before.folded.replace(/\.$/, ''))) return true;
  return phraseIsName;
}

/** The name a run spells, as written, without initial titles. */
function runText(text: string, ws: Word[], run: Run, base: number): string {
  return text.slice(ws[run.first]!.start - base, ws[run.last]!.end - base).replace(/\s+/g, ' ');
}

/** First person named in a phrase that follows a speech verb ("le ministre marocain des Affaires étrangères, Nasser Bourita, lors de…"). */
export function firstPerson(phrase: string): string | undefined {
  const ws = words(phrase);
  const limit = ws.findIndex((w, i) => i > 0 && /^(?:lors|dans|devant|pendant|au|aux|en|sur|jeudi|lundi|mardi|mercredi|vendredi|samedi|dimanche|hier|mais|et|qui|alors|avant|apres|selon)$/.test(w.folded) && i > 2);
  const scope = limit < 0 ? ws : ws.slice(0, limit);
  const runs = capitalRuns(scope);
  const onlyName = runs.length === 1 && scope.length - (runs[0]!.last - runs[0]!.first + 1) === 0;
  for (const run of runs) if (personRun(scope, run, onlyName, false)) return runText(phrase, scope, run, 0);
  return undefined;
}

/** Last person named in a stretch of text (the subject before a verb, or the antecedent of "il"/"elle"). */
export function lastPerson(text: string, allowDe = false): string | undefined {
  const ws = words(text);
  const runs = capitalRuns(ws);
  for (let r = runs.length - 1; r >= 0; r--) if (personRun(ws, runs[r]!, false, allowDe)) return runText(text, ws, runs[r]!, 0);
  return undefined;
}

/** A short description of a non-person attribution ("la même source", "des médias américains"). */
function sourceWords(phrase: string): string | undefined {
  const cut = phrase
    .split(/[,;:()]|[.!?…](?=[\s-]|$)/u)[0]!
    .replace(/^(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|hier|matin|soir|midi|encore|alors|ensuite)\s+)+/iu, '')
    .replace(/^(?:à|auprès de|dans|sur)\s+(?:l['’]\s*)?(?:AFP|Reuters|AP|BFMTV|franceinfo|RTL|RMC|France Inter|Europe 1)\s+/iu, '')
    .trim();
  if (cut.length === 0) return undefined;
  const ws = cut.split(/\s+/).slice(0, 8).join(' ');
  return ws.length > 80 ? ws.slice(0, 80) : ws;
}

/** Every attributed quotation in `text`, in text order. Unattributed quotations are left out. */
export function findAttributions(text: string, sentences: Span[] = splitSentences(text)): Attribution[] {
  const out: Attribution[] = [];
  // Straight quotes (common in web copy, e.g. OrangeSum) pair only when they open before a word and close after one.
  const re = /«([^«»\n]{2,1500}?)»|“([^“”\n]{2,1500}?)”|(?<=^|[\s(\[:'’])"(?=[^\s"])([^"\n]{2,1500}?)(?<=[^\s"])"(?=$|[\s,.;:!?)\]…])/g;
  const sentenceAt = (pos: number): number => {
    let lo = 0;
    let hi = sentences.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (sentences[mid]!.start <= pos) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const inner = m[1] ?? m[2] ?? m[3]!;
    const open = m.index;
    const close = m.index + m[0].length; // just after the closing mark
    const lead = inner.length - inner.trimStart().length;
    const quote = { start: open + 1 + lead, end: open + 1 + inner.trimEnd().length };
    if (quote.end - quote.start > MAX_QUOTE_CHARS || inner.trim().split(/\s+/).length < MIN_QUOTE_WORDS) continue;
    const si = sentenceAt(open);
    const sentenceStart = si >= 0 ? sentences[si]!.start : 0;
    const ei = sentenceAt(close);
    const sentenceEnd = ei >= 0 ? Math.max(sentences[ei]!.end, close) : close;
    const after = text.slice(close, sentenceEnd);
    const before = text.slice(sentenceStart, open);
    let statement = { start: sentenceStart, end: sentenceEnd };
    const earlier = () => {
      // The antecedent of "il"/"elle": the last person named in this sentence before the quotation, or in the two before.
      const from = si >= 2 ? sentences[si - 2]!.start : si >= 1 ? sentences[si - 1]!.start : sentenceStart;
      return lastPerson(text.slice(from, open), true);
    };
    const found = attributeAfter(after, earlier) ?? attributeBefore(before, earlier);
    if (!found) continue;
    // "« … », a-t-il affirmé." alone does not say who: the excerpt starts one sentence earlier, where the name is.
    if ((found.pattern === 'after-pronoun' || found.pattern === 'before-pronoun') && si >= 1) statement = { start: sentences[si - 1]!.start, end: sentenceEnd };
    out.push({ ...found, quote, statement });
  }
  return out;
}

type Found = Pick<Attribution, 'speaker' | 'kind' | 'pattern'>;

function attributeAfter(after: string, earlier: () => string | undefined): Found | undefined {
  if (AFTER_PRONOUN.test(after)) {
    const speaker = earlier();
    return speaker ? { speaker, kind: 'person', pattern: 'after-pronoun' } : undefined;
  }
  let m = AFTER_VERB.exec(after) ?? AFTER_PRESENT.exec(after);
  if (m) {
    const phrase = m[1]!;
    const person = firstPerson(phrase);
    if (person) return { speaker: person, kind: 'person', pattern: 'after-verb' };
    const words = sourceWords(phrase);
    // "», a déclaré le ministre." names nobody: keep it as a source attribution.
    return words ? { speaker: words, kind: 'source', pattern: 'after-verb' } : undefined;
  }
  m = AFTER_SELON.exec(after);
  if (m) {
    const phrase = m[1]!;
    const person = firstPerson(phrase);
    if (person) return { speaker: person, kind: 'person', pattern: 'after-selon' };
    const words = sourceWords(phrase);
    return words ? { speaker: words, kind: 'source', pattern: 'after-selon' } : undefined;
  }
  return undefined;
}

function attributeBefore(before: string, earlier: () => string | undefined): Found | undefined {
  const intro = BEFORE_INTRO.exec(before);
  if (intro) {
    const phrase = intro[2]!;
    const pattern = /^pour$/i.test(intro[1]!) ? 'before-pour' : 'before-selon';
    const person = firstPerson(phrase);
    if (person) return { speaker: person, kind: 'person', pattern };
    // "Pour le Maroc, « … »" or "Selon la même source, « … »": not a person.
    const words = sourceWords(phrase);
    return words ? { speaker: words, kind: 'source', pattern } : undefined;
  }
  let verb: RegExpExecArray | undefined;
  BEFORE_VERB.lastIndex = 0;
  for (let m = BEFORE_VERB.exec(before); m; m = BEFORE_VERB.exec(before)) verb = m;
  if (!verb) return undefined;
  const between = before.slice(verb.index + verb[0].length);
  if (between.length > MAX_VERB_TO_QUOTE || /[«»“”"]/.test(between)) return undefined;
  // "X a déclaré : «", "X a déclaré que «", "X a averti que le monde était «" — but not "X a dit non. «".
  if (!/^\s*(?::|,|que\b|qu['’]|$)/iu.test(between) && !/^\s*$/.test(between)) return undefined;
  const subject = before.slice(0, verb.index);
  const clause = subject.split(/[;:]/).pop()!;
  if (PRONOUN_SUBJECT.test(clause.replace(/^.*[,]/s, '')) || /(?:^|\s)(?:il|elle)\s*$/iu.test(clause)) {
    const speaker = earlier();
    return speaker ? { speaker, kind: 'person', pattern: 'before-pronoun' } : undefined;
  }
  const person = lastPerson(clause.slice(-140));
  if (person) return { speaker: person, kind: 'person', pattern: 'before-verb' };
  return undefined;
}

/** Grouping key of a speaker: folded, hyphens as spaces ("Jean-Yves Le Drian" -> "jean yves le drian"). */
export function speakerKey(name: string): string {
  return foldText(name)
    .replace(/[\u2010\u2011-]/g, ' ')
    .replace(/[^\p{L}\p{N} ]/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Whether a speaker is the person asked for: same name once folded, or the asked name's words all found in the
 * speaker's ("Bourita" or "nasser bourita" for "Nasser Bourita"), or the same last name when one side is a last name alone.
 */
export function sameSpeaker(speaker: string, person: string): boolean {
  const a = speakerKey(speaker).split(' ').filter(Boolean);
  const b = speakerKey(person).split(' ').filter(Boolean);
  if (a.length === 0 || b.length === 0) return false;
  if (a.join(' ') === b.join(' ')) return true;
  const setA = new Set(a);
  const setB = new Set(b);
  const meaningful = (w: string) => !PARTICLES.has(w);
  if (b.filter(meaningful).every((w) => setA.has(w))) return true;
  if (a.filter(meaningful).every((w) => setB.has(w))) return true;
  return false;
}
