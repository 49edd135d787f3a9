import type { AppErrorCode } from '../core/app-error.js';

/**
 * Everything a Discord user reads, in French, in one place. Command names and descriptions carry English
 * localisations (Discord shows them to users whose client is in English); answers stay French like the corpus.
 */
export const fr = {
  thinking: 'Sourcier cherche dans le corpus…',
  answerHeader: (count: number, mode: 'hybrid' | 'lexical') =>
    `${count} passage${count > 1 ? 's' : ''} cité${count > 1 ? 's' : ''} mot pour mot (${mode === 'hybrid' ? 'recherche hybride' : 'recherche lexicale'})`,
  quoteHeader: (count: number) => `${count} occurrence${count > 1 ? 's' : ''} dans le corpus, citée${count > 1 ? 's' : ''} mot pour mot`,
  verifyHeader: (count: number) => `${count} passage${count > 1 ? 's' : ''} du corpus en rapport avec ce message`,
  moreHeader: (from: number) => `Sources suivantes (à partir de la ${from}e)`,
  period: (label: string) => `Période : ${label}`,
  /** The question's period matched no article: the answer covers all dates. */
  periodNotApplied: 'aucun article publié dans cette période, résultats toutes dates confondues',
  /** What the relative dates of an excerpt ("vendredi", "hier") stand for, read against the article's date. */
  excerptDates: (described: string) => `Dates : ${described}`,
  /** The question's period starts after the newest article (`until`: the French date it ends on). */
  periodAfterCorpus: (until: string, abstained: boolean) =>
    abstained ? `le corpus s’arrête au ${until}` : `le corpus s’arrête au ${until} : seuls les passages qui parlent de cette période sont cités`,
  abstained: 'Aucun passage pertinent dans le corpus pour cette question.',
  quoteNotFound: 'Cette phrase ne figure pas dans le corpus, ni mot pour mot ni presque.',
  noMoreSources: 'Pas d’autres sources pour cette question.',
  nearestTitle: 'Articles les plus proches :',
  questionTitle: 'Question',
  footer: (mode: 'hybrid' | 'lexical', ms: number) =>
    `Sourcier · ${mode === 'hybrid' ? 'hybride' : 'lexical'} · ${Math.round(ms)} ms · extraits cités à l’identique`,
  truncatedNote: '(passage raccourci)',
  buttons: {
    more: 'Plus de sources',
    full: (n: number) => `Passage complet [${n}]`,
    up: 'Utile',
    down: 'Pas utile',
    publish: 'Publier',
  },
  fullPassageTitle: (title: string) => `Passage complet — ${title}`,
  passageGone: 'Ce passage n’est plus dans l’index (il a été reconstruit). Reposez la question.',
  expired: 'Ce bouton a expiré. Reposez la question.',
  feedbackThanks: (up: boolean) => (up ? 'Merci, retour positif enregistré.' : 'Merci, retour négatif enregistré.'),
  published: 'Publié dans le salon.',
  empty: 'Posez une question après la mention, par exemple : « Où s’est réunie la coalition contre Daech ? »',
  tooLong: (max: number) => `Question trop longue (${max} caractères au plus).`,
  rateUser: (seconds: number) => `Vous posez beaucoup de questions : réessayez dans ${seconds} s.`,
  rateChannel: (seconds: number) => `Ce salon pose beaucoup de questions : réessayez dans ${seconds} s.`,
  notAllowedHere: 'Sourcier n’est pas ouvert dans ce salon ou ce serveur.',
  notAllowedRole: 'Votre rôle ne permet pas d’utiliser Sourcier ici.',
  adminOnly: 'Commande réservée aux administrateurs de Sourcier.',
  busy: 'Sourcier est occupé (trop de questions en attente). Réessayez dans un instant.',
  timeout: 'La recherche a pris trop de temps et a été abandonnée. Réessayez, ou précisez la question.',
  reindexStarted: 'Reconstruction de l’index lancée ; l’index actuel continue de répondre.',
  reindexProgress: (stage: string, done: number, total: number) => `Reconstruction de l’index : ${stageFr(stage)} ${done}/${total}…`,
  reindexDone: (articles: number, chunks: number, added: number, changed: number, removed: number, seconds: number, mode: 'hybrid' | 'lexical') =>
    `Index reconstruit en ${seconds.toFixed(1)} s : ${articles} articles, ${chunks} passages (nouveaux ${added}, modifiés ${changed}, supprimés ${removed}), mode ${mode === 'hybrid' ? 'hybride' : 'lexical'}.`,
  sourcesTitle: 'Le corpus de Sourcier',
  sources: {
    articles: 'Articles',
    chunks: 'Passages',
    period: 'Période couverte',
    outlets: 'Sources',
    mode: 'Recherche',
    hybrid: (model: string, dims: number | undefined) => `hybride (${model}${dims ? `, ${dims} dimensions` : ''})`,
    lexical: (reason: string | undefined) => `lexicale seule${reason ? ` — ${reason}` : ''}`,
    builtAt: 'Index construit le',
  },
  unknownCommand: 'Commande inconnue : redéployez les commandes (sourcier deploy-commands).',
} as const;

function stageFr(stage: string): string {
  const stages: Record<string, string> = {
    read: 'lecture',
    chunk: 'découpage',
    embed: 'vectorisation',
    index: 'indexation',
    write: 'écriture',
    verify: 'vérification',
  };
  return stages[stage] ?? stage;
}

/** The short French sentence a user reads for an error; the log keeps the full error. */
export function errorSentence(code: AppErrorCode | undefined): string {
  switch (code) {
    case 'QUESTION_INVALID':
      return 'Question invalide : reformulez-la (quelques mots au moins).';
    case 'INDEX_MISSING':
      return 'L’index n’est pas encore construit. Un administrateur doit lancer /reindex.';
    case 'INDEX_INCOMPATIBLE':
    case 'INDEX_CORRUPT':
      return 'L’index est illisible ou incompatible. Un administrateur doit le reconstruire.';
    case 'INDEX_LOCKED':
      return 'Une reconstruction de l’index est déjà en cours.';
    case 'CORPUS_MISSING':
    case 'CORPUS_EMPTY':
      return 'Le corpus est vide ou introuvable. Prévenez un administrateur.';
    case 'MODEL_UNAVAILABLE':
      return 'Le modèle de recherche est indisponible pour le moment.';
    case 'SERVICE_UNAVAILABLE':
      return 'Le service de recherche ne répond pas pour le moment. Réessayez dans un instant.';
    case 'BUSY':
      return fr.busy;
    case 'TIMEOUT':
      return fr.timeout;
    case 'RATE_LIMITED':
      return 'Trop de questions : réessayez dans un moment.';
    case 'FORBIDDEN':
      return fr.notAllowedHere;
    default:
      return 'Une erreur est survenue de notre côté. Réessayez ; si cela continue, prévenez un administrateur.';
  }
}

/** Names, descriptions and their English localisations for each command and option. */
export const commandTexts = {
  ask: {
    name: 'ask',
    description: 'Poser une question au corpus ; réponse en extraits cités mot pour mot',
    descriptionEn: 'Ask the corpus a question; answered with verbatim, cited excerpts',
    question: ['question', 'Votre question, en français', 'Your question, in French'],
    source: ['source', 'Limiter à un média', 'Only this outlet'],
    since: ['depuis', 'Date de début (AAAA-MM-JJ, AAAA-MM ou AAAA)', 'Start date (YYYY-MM-DD, YYYY-MM or YYYY)'],
    until: ['jusqu_a', 'Date de fin (AAAA-MM-JJ, AAAA-MM ou AAAA)', 'End date (YYYY-MM-DD, YYYY-MM or YYYY)'],
  },
  quote: {
    name: 'quote',
    description: 'Retrouver une phrase dans le corpus, avec ses sources',
    descriptionEn: 'Find where a sentence appears in the corpus, with sources',
    text: ['text', 'La phrase à retrouver', 'The sentence to look for'],
    textFr: 'texte',
  },
  sources: {
    name: 'sources',
    description: 'Ce que contient le corpus : articles, période, médias, mode de recherche',
    descriptionEn: 'What the corpus holds: articles, dates, outlets, search mode',
  },
  reindex: {
    name: 'reindex',
    description: 'Reconstruire l’index à partir du corpus (administrateurs)',
    descriptionEn: 'Rebuild the index from the corpus (admins)',
  },
  verify: {
    name: 'Vérifier dans le corpus',
    nameEn: 'Check against the corpus',
  },
  badDate: (value: string) => `Date invalide « ${value} » : utilisez AAAA-MM-JJ, AAAA-MM ou AAAA.`,
} as const;
