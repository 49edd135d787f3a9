/**
 * Words that, right after a four-digit number, show it is a quantity and not a year: "de 2000 euros",
 * "en 1500 exemplaires", "2016 personnes". Folded spelling (lower case, no accents).
 */
const UNIT_WORDS = new Set([
  'euro', 'euros', 'eur', 'dollar', 'dollars', 'usd', 'francs', 'livres', 'yens', 'dirhams', 'pour', 'pourcent',
  'personne', 'personnes', 'habitants', 'morts', 'victimes', 'blesses', 'deces', 'cas', 'malades', 'patients',
  'km', 'kilometres', 'metres', 'm', 'm2', 'cm', 'mm', 'kg', 'g', 'tonnes', 'litres', 'l', 'hectares', 'ha', 'mw', 'kw', 'kwh', 'gw',
  'exemplaires', 'emplois', 'postes', 'salaries', 'agents', 'voix', 'signatures', 'participants', 'eleves', 'etudiants',
  'enfants', 'hommes', 'femmes', 'soldats', 'militaires', 'policiers', 'gendarmes', 'migrants', 'refugies', 'manifestants',
  'points', 'jours', 'heures', 'minutes', 'secondes', 'ans', 'mois', 'semaines', 'fois', 'millions', 'milliards',
  'milliers', 'centaines', 'logements', 'lits', 'places', 'entreprises', 'communes', 'pages', 'articles', 'vehicules',
  'voitures', 'animaux', 'arbres', 'membres', 'adherents', 'dossiers', 'plaintes', 'tests', 'doses', 'exemples',
]);

/** True when the text at `pos` (just after a number, in folded text) starts with a unit word, "%" or "€". */
export function isUnitWord(folded: string, pos: number): boolean {
  const next = /^\s*([%€$£]|[\p{L}\p{N}]+)/u.exec(folded.slice(pos, pos + 40));
  if (!next) return false;
  return /^[%€$£]$/.test(next[1]!) || UNIT_WORDS.has(next[1]!);
}
