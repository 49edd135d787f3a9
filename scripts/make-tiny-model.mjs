#!/usr/bin/env node
/**
 * Writes Sourcier's tiny test model: a small BERT-shaped feature-extraction model that @xenova/transformers loads
 * from a local folder with remote loading off, so the test suite runs the real transformers.js + onnxruntime-node
 * pipeline without downloading weights.
 *
 *   node scripts/make-tiny-model.mjs [outDir]      (default tests/fixtures/tiny-model)
 *
 * Output: config.json, tokenizer.json (WordPiece, lowercasing, accents kept), tokenizer_config.json,
 * onnx/model.onnx (float32) and onnx/model_quantized.onnx (word embeddings stored as uint8 + DequantizeLinear).
 *
 * The graph (opset 13, IR 8): word-embedding Gather + position embeddings (Gather on Range(0, seq_len)) +
 * token-type embeddings, a LayerNorm written out in primitive ops, one residual MatMul + Tanh layer, then a
 * per-piece weight (small for function words and punctuation) times the attention mask, zeroing padded positions. There is no attention, so a token's vector depends only on the token,
 * its position and its type: batching with padding gives the same vectors as one text at a time.
 *
 * The embedding space is made plausible rather than random: a word's vector is mostly a vector seeded by its
 * stem (first five letters, accents folded) plus a smaller one seeded by the word itself, so "coalition" and
 * "coalitions" are close and the cosine of mean-pooled vectors grows with word overlap.
 *
 * Deterministic: every weight comes from a seeded PRNG through +, -, *, / and sqrt only (no Math.sin/log, whose
 * last bits may differ between engines), JSON is written with a fixed key order, and the protobuf encoding of the
 * same message is always the same bytes. Running it twice gives byte-identical files; the test suite checks that
 * the committed fixture equals a fresh run.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

export const HIDDEN_SIZE = 32;
export const MAX_POSITIONS = 512;
const TYPE_VOCAB = 2;
const LAYER_NORM_EPS = 1e-12;
const SEED = 'sourcier-tiny-model-v1';

/**
 * The 2,000 most frequent words of a sample of French news articles (OrangeSum), most frequent first,
 * then words of the bundled corpus/ articles that are not among them.
 */
const COMMON_WORDS = `
de la le l à les et a des d en un une du dans pour est il qui que au sur par pas son plus été ont ce avec s qu n
se ne elle aux cette mais sa sont c on avait ans ses après ou deux nous je t selon être fait france comme depuis
était y leur ces avoir lui ils même tout dont m contre aussi avant faire si pays entre très alors où personnes
coronavirus sans également notamment j premier encore plusieurs ministre président mois autres ainsi trois sera
paris cas monde nouveau gouvernement tous h juin leurs bien lors déjà covid ai fin dit sous moins afp vous mai
police lundi homme jours dernier peut première va français millions nouvelle fois mars santé euros mardi annoncé
peu jusqu ça jeudi crise mercredi temps vendredi autre début dimanche place année confinement mort pandémie soit
vie quand quelques groupe unis automobile jean ville près etats années samedi grand non avaient toujours pendant
jour enquête etat déclaré me km face modèle explique enfants état étaient épidémie heures chez indiqué nombre eu
mis morts cela devant macron cet actualité car tour chef avril beaucoup notre là quatre famille jeune semaine
certains infos doit modèles partie maire scoop moment e femme sud compte public vers nord hui soir aujourd côté
grande virus aurait donc eux ailleurs juillet mesures travail jamais raison seront emmanuel politique lieu toute
partir faut dès suis américain décès parisien semaines ajouté gens porte trump justice reste chaque centre
maison sécurité cours autorités elles philippe pris nationale celui ch cinq dernière effet ancien constructeur
ceux part sanitaire communiqué mon nos pourrait toutes avons policiers pu pouvoir ici janvier expliqué système
quelque devrait cause personne projet saint désormais décembre prix ordre serait situation habitants précisé
déconfinement plan an celle cadre conseil point nombreux violences père europe rien forces véhicule ligne site
puis matin hôpital république septembre parmi mise février dire six prendre garde chine général tête autour
novembre mettre rapport deuxième voir affaire mère porsche twitter vue directeur ma presse décision appel
sociaux enfin seulement ex retour région marque quant vu histoire passé voiture ayant afin nuit octobre estime
série petit source auprès ensemble environ nouvelles loi estimé ministère nom nouveaux national ensuite vente gt
demande françois aucun britannique question parce quotidien risque moi production parole août ni malgré parquet
masque campagne capitale jeunes maladie intérieur suite feu équipe étude hommes donald véhicules française grâce
vont fille membres bmw faits masques lancé société femmes décidé journée new coup prochain réseaux dernières
publique américaine émission peuvent vidéo annonce association aucune enfant information demandé sport trop
population laquelle victime affirmé dix municipales possible parti réouverture droite george niveau électrique
racisme mesure aura précise veut majorité rapporte urgence er dû fils école toutefois v droit prison responsable
sommes guerre derniers soutien donné écrit lrem service premiers petite scène dollars proche mouvement ci johnny
version total savoir noir économique certaines ouest assure facebook âge occasion raconte seul assuré réforme
victimes assemblée vitesse heure patients contrôle judiciaire loin milliards souligne lr manifestations aide
tard passer aller floyd bloc voix corps milliers mal autant eau secrétaire conditions présenté arrivée
américains durant font mme pierre parents r direction sanitaires tandis litres période concept marché hallyday
informations second sujet nombreuses commission lutte propos publié chose midi seule charge long services haut
minutes journal souligné origine tant clients martin couple organisation affaires outre secondes air gauche
michel programme édition juste recherche doivent the quartier date ajoute christophe edouard prise villes
royaume via mondiale souvent protection parfois policier grands bord sortie médias exemplaires journaliste
manière rendre mi connu tribunal éviter actuellement droits hommage vote week main salariés politiques bleu
accord agence bilan données chaîne mieux train produits grandes objet reçu vient affirme italie secteur ferrari
finalement permis comment forme peine donner entreprises présence succès bonne mes besoin plein appelé rue seine
vraiment tests audi règles sociale examen maintenant choix économie reprise agit rapidement malades allemagne
indique york nm activité choses type manifestants sept résultats avocat million record application
présidentielle ancienne étant entreprise proches important derrière lequel prévu retraites route célèbre bon
images juge mètres arrêt blanche cour huit pompiers député surtout sein candidat dizaines façon quoi arrière
vague peur châssis côtés pourront terme travailler liberté dossier pourtant idée uni liste sortir terre domicile
pense film accès marseille permettre européenne gendarmes pékin députés policières accident message poursuit
haute procureur défense réseau semble hausse accusé plutôt présent points end rendu social zone difficile lieux
rester tué exemple chanteur mclaren centaines plainte livre coupé décédé produit rouvrir venir époque union
retrouvé forte présente olivier permet star travers saison abord fort éléments base force voitures assez
mercedes rappelle élus personnel texte île responsables cependant laurent ouverte pointe retrouver développement
internet particulièrement soirée david patron distanciation hôpitaux publics blanc interview problème débat
entrée arrêté salon écoles condamné port bfmtv chiffres premières titre télévision chinois opération rôle
territoire transports action commencé devait perdu commune présidente rouge fermeture médecins pleine élèves
espace rassemblement lyon université celles culture troisième élections espagne boîte baisse pourra bas nicolas
dénoncé exécutif photo sens tôt design procès réalisé récemment scientifique plupart prochaine doute reconnu
musique ème visiteurs mer proposé armée carbone ait aston concernant propriétaire anne pourquoi sources porter
poursuivi violence brésil frontières touché mairie passe cinéma passage restrictions parler jacques objectif
ouvert appris confirmé générale questions marche journalistes préfecture enquêteurs large communauté ventes hors
neuf trouve anti radio tenu familles suv pourraient voit continue employés ouverture particulier respect départ
faisant longue washington rendez or lorsque parc gendarmerie établissement argent confié largement tu révèle
portes réagi soient vacances vite élu confie revanche fête restaurants castaner colère israël prévoit soignants
traitement longtemps enregistré trouver groupes londres milieu organisée acteur plateforme opposition conférence
secours élection entretien usage confiance gestion syndicats espère chacun moitié réponse taux image volant
animaux amérique institut presque suspect télé mains sol artiste placé conduite distance reprendre membre amis
lorsqu bentley prend ps seuls agents avenir département manque réunion appelle interdiction médecin pression
anniversaire historique interrogé trouvé ford restent chômage contact terrain fonction petits carrière puissance
officiellement quarantaine bruno poids jugé album frère oms risques coups fut moyens devenu pied parlement
contexte compris tf magazine militaire nouvel théâtre avis propose rapports respecter revenir touristes
arrondissement f prises auteur gros internationale suivi claude jeu poste épouse course davantage international
intervention met zones disparition mode bugatti carrosserie al vaccin allemand enchères essais festival
présenter pouces propagation protéger atteint prince responsabilité âgé apparition commenté contamination of
paul établissements habitacle obligatoire blessé meurtre utilisation visite aider animateur vol demi découvert
extrême marine russie scientifiques pen suspension alerte arme circulation professeur arrive physique kilomètres
publiée résultat drame nature états commun compagnie régions vert experts interpellation répondu souhaite yeux
activités noire patrick vrai absence chambre mission classe locaux communes hidalgo miss victoire création
livrée manifestation mari moyen offre puisque votre fans luc régulièrement tel continuer attaque mandat partout
promis retraite fonds polémique proposée évoqué edition limitée problèmes relations denis ndlr donne local marie
note rtl x cité lutter moyenne phase dessus figure grave plages vouloir environnement gamme marc proposer
reprises sait seraient voie faisait afrique coeur différents salle trafic auraient autonomie issue unique
devraient insisté actrice hydroxychloroquine jantes pouvait changer fond lettre réalité libre mêmes projets
chanteuse collection vivre étais ami importante lendemain lignes prévenu rassemblements veille iran militaires
visage interpellé chiffre incendie nécessaire repris performance sites capacité hauts pire renault candidats
rapide spectacle bras menace présentation téléphone amg chargé comptes montre syndicat belle black blessés
conducteur technologie tenter développant village rues dizaine plateau allait avais bureau présentée chercheurs
fermé provoqué salles emploi néanmoins position propre oeuvre amour européen probablement assurer discours bout
disponible instagram génération musée dispositif engagé européens expérience mobilisation mondial piste réalisée
tourisme danger laisser organisé sénat rappelé républicain totalement électriques parisienne référence i porté
co transmission utilisé performances équipes attention policière attendre compétition lamborghini candidate
cylindres propositions réussi vidéos atteindre auteurs mariage écran arrêter double lancement passagers retrait
agnès catalogue critiques noirs orange turbo chute moteur fibre livres locale supplémentaires veulent
possibilité auto emplois immédiatement inde révélé mans ong procédure rn entendu faux mots réanimation matière
centrale différentes jaunes simple stade stratégie écologique dépistage instruction kong photos diffusé
développé ministres présents quel tenté travaux créer dame soleil technique telle volonté comité extrêmement kg
visant associations lien études impact preuve sûr amende arrivé migrants ouvrir peux pro vingtaine accueillir
cérémonie seconde surprise avez devenir hong né relève changement delà maires messages régime traoré agression
fillon soins voire acte fera maladies principal républicains artistes beau découverte puisse réduire valeur onu
russe augmentation autorité quelqu restaurant scrutin show vis prochains recours sièges animée art chanson devra
faute portant tenir viennent demander los mémoire sort intention meilleur veux démocratie films louis mises
personnalités cuir pilote conséquences ferme gaz laissé passant détention lancer stéphane vice alain devoir
intérêt rentrée véritable actes américaines gilets gérard invité médicament lance tensions administration
angeles honneur revient siècle direct finitions laboratoire lesquels proximité siège armes bois commerces dijon
envie jouer recherches étranger choc constaté officiel bientôt buzyn cœur faudra instant loire situé test
affiche arrestation associé audience couleur installé montant paix proposition tiers vaste afro contaminations
dénonce silence créé mélenchon officielle utiliser californie dévoilé genre vais évidemment centaine concert
meilleure refusé rencontre venu g précédent soldats soutenir travaille article estimant gestes maximum permettra
usine étape avocats collaboration eric obtenir populaire professionnels unité vit garçon initiative numérique
payer simplement vigueur étrangères durée privée relance climat combat compter prévue sais camp animal
franceinfo grève john appartement choisi raisons rapporté symptômes véran entendre espoir venue bordeaux
collègues laeticia quartiers surveillance adama benjamin faible quitter voulu alliance charles préfet socialiste
accusations anciens départements fuite hôtel mustang pièces rouvert sang actuel effets google minneapolis tenue
belgique disparu montré avion bretagne entier signe super commissariat démocrate plage sondage déplore jeux rare
revenus utilisateurs certain cédric numéro préparation représente aime analyse avance jaguar maintenir prêt
répondre chemin poursuivre salué circonstances côte finition laisse participé attend marne val ampleur locales
termes évoquant attendu courant devons disent lancée match oui conflit erreur genève haine vols circuit hollande
militants sanctions colonnes disponibles revenu stars toit hauteur identité suisse exercice privé vision allons
interdit étrangers concours contenus esprit figaro libération organisations perte retrouvée électeurs auront
exemplaire immeuble motorisation échange attendant chance relation tentative âgée déplacement déterminer sorte
strasbourg benz ile remettre rs solidarité arriver b dénoncer engagement fillette frontière futur revue sotheby
ton agent déclaration page rhône station suscité évoque printemps sorti tels venus voyage britanniques catégorie
directrice normale émissions graves investigations italien nice auquel bernard gagner solution statue changé
commencer conseiller liés participation parties voulait football sauf écologiste équipé canal confiée défendre
ehpad file raconté vécu allant appels attente initialement personnels caractère événement accessible bataille
conclu eelv industrie offrir reconnaît réaliser bus cgt comprendre didier opérations organiser parle prototype
retrouve rm royal accueil concerne critique faveur petites touche tweeté verts bars directement françaises
marqué p située territoires avions convention extérieur fortes foyer incident participants actuelle comportement
dehors déploré entend envers humoriste propriétaires suivre émotion dati inter richard versions vieux levée
établi conduit déclarations efficacité ours palais publiques quasi communication formule levé spécialiste voter
élevé alpes centres limiter partiel précisant table tv ue uniquement bébé expliquer mm parlementaire prévention
touchés transition vendu éducation brigade citoyens diffusion décisions estiment garder in acteurs attaques
devront géant principaux but difficultés lumière positif réalisés trentaine chien consommation tellement
encontre julien liées nissan producteur quitté dangereux devenue expression filles fini infection mini regrette
soulignant auparavant bande exposition post qualité cabriolet cliniques club doté décrit joe mot nécessaires
rend accueille approche budget décret frappé sentiment thomas amateurs développée favorable fortement menée
médicaments option perdre permettant signé sortant trouvait église adolescent alcool entrer liée maisons placés
systèmes allemande asie connaître juges sncf automobiles compagnon gmt habitude processus suspects calme
contacts participer ajoutant animé entourage johnson normal négociations obtenu quelle spéciale championnat
complètement empêcher matinée rappelant régional évolution apple batterie humains maintien vaccins christian
civile climatique micro peuple proposés sommet vélo assurant gouverneur publication sociales équipements capable
commandes confirme immense libertés mener météo q canada disant envoyé hybride`;
const CORPUS_WORDS = `
abdellatif accélération actifs actions adopter agir albares alep alliés anbar annonçant antony appuyer ashton
asiatique attaquer bains blinken bombardements bouaida bourita capacités carter cellules chefs cite civil civils
clé coalition combattants commentaires constituer contribution convaincu coopérative coordination coordonner
créée daech daesh daeshistes destinée diplomatie dirigeants discuter dite divers djihadiste domaines drian
durable décisifs défaite déléguée démontre déployer efforts entièrement essayent etrangères examineront
extrémisme extrémistes falloujah feront financement forcé forum fournir fournissant frappes globale guettaient
homologue implantation inaperçus infliger initiatives irak irakiennes irréversiblement islamique jihadiste josé
joug kerry libérées localités loudiyi lourd manuel maroc marocain marocaine marrakech mbarka menacer menaces
multiplier nasser neutraliser noyau nécessite objectifs partenaires participe passent plans politico progrès
propagande province présidence rangs recrutement redoublé regagner renforcer renseignement renseignements
représentants représenté restructurer retirer réunir réunit secrètes solidaire soutenu stabilisation syrie
syriennes terrorisme terroriste terroristes tiendra tient title transcontinentale transnationale transversale
tués vise vital yves éliminer éradiquer`;

/**
 * French function words. Their output vectors are scaled down (see tokenWeight), so a text's mean-pooled vector is
 * decided by its content words, as in trained models, rather than by how many "de" and "la" it holds.
 */
const FUNCTION_WORDS = new Set(words(`
a à afin ai aie ait as au aux avaient avait avec avez avons ayant c ça car ce ceci cela celle celles celui ces cet
cette ceux chez d dans de des donc dont du elle elles en entre es est et été étaient était être eu eux ici il ils
j je l la le les leur leurs lors lui m ma mais me même mes moi mon n ne ni nos notre nous on ont ou où par parce pas
peu pour qu quand que quel quelle quels qui s sa sans se ses si son sont sous sur t ta te tes toi ton tous tout
toute toutes très tu un une vos votre vous y
`));

const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const PUNCTUATION = [...`!"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~«»’‘“”–—…•°€£§`];
const DIGITS = [...'0123456789'];
const LETTERS = [...'abcdefghijklmnopqrstuvwxyzàâäçéèêëîïôöùûüÿœæñ'];

// ---------------------------------------------------------------------------------------------------------------
// Vocabulary

/** Folds French accents so that stems match across "élection"/"election"-style variants. */
const FOLD = new Map(Object.entries({ à: 'a', â: 'a', ä: 'a', ç: 'c', é: 'e', è: 'e', ê: 'e', ë: 'e', î: 'i', ï: 'i', ô: 'o', ö: 'o', ù: 'u', û: 'u', ü: 'u', ÿ: 'y', œ: 'oe', æ: 'ae', ñ: 'n' }));
const fold = (word) => [...word].map((c) => FOLD.get(c) ?? c).join('');

function words(list) {
  return list.split(/\s+/).filter((w) => w.length > 0);
}

/** Sub-word pieces that occur often in the word list: word endings (2-5 letters) and inner bigrams/trigrams. */
function subwordPieces(wordList) {
  const endings = new Map();
  const inner = new Map();
  const bump = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);
  for (const word of wordList) {
    const chars = [...word];
    for (let n = 2; n <= 5; n++) if (chars.length > n + 1) bump(endings, chars.slice(-n).join(''));
    for (let i = 1; i < chars.length; i++) {
      for (const n of [2, 3]) if (i + n <= chars.length) bump(inner, `${n}:${chars.slice(i, i + n).join('')}`);
    }
  }
  const keep = new Set();
  for (const [s, count] of endings) if (count >= 6) keep.add(s);
  for (const [key, count] of inner) {
    const [n, s] = [key[0], key.slice(2)];
    if ((n === '2' && count >= 5) || (n === '3' && count >= 10)) keep.add(s);
  }
  return [...keep].sort(compareStrings).map((s) => `##${s}`);
}

function compareStrings(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function buildVocabulary() {
  const pieces = [];
  const seen = new Set();
  const add = (piece) => {
    if (!seen.has(piece)) {
      seen.add(piece);
      pieces.push(piece);
    }
  };
  const wordList = [...words(COMMON_WORDS), ...words(CORPUS_WORDS)];
  for (const p of SPECIAL_TOKENS) add(p);
  for (const p of PUNCTUATION) add(p);
  for (const p of DIGITS) add(p);
  for (const p of LETTERS) add(p);
  for (const p of DIGITS) add(`##${p}`);
  for (const p of LETTERS) add(`##${p}`);
  for (const p of subwordPieces(wordList)) add(p);
  for (const w of wordList) add(w);
  return pieces;
}

// ---------------------------------------------------------------------------------------------------------------
// Deterministic numbers

/** FNV-1a over UTF-8 bytes: a stable 32-bit seed per key. */
function hashKey(key) {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(`${SEED}/${key}`)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** mulberry32: small, fast, and integer-only, hence identical on every platform. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A vector of approximately standard-normal numbers (sum of four uniforms, rescaled) seeded by `key`. */
function gaussianVector(key, size) {
  const next = prng(hashKey(key));
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) out[i] = (next() + next() + next() + next() - 2) * 1.7320508075688772;
  return out;
}

function addScaled(target, source, scale) {
  for (let i = 0; i < target.length; i++) target[i] += source[i] * scale;
  return target;
}

/** The vector of one vocabulary piece: stem-seeded for words, piece-seeded otherwise. */
function pieceVector(piece) {
  if (SPECIAL_TOKENS.includes(piece) || piece.startsWith('##') || [...piece].length === 1) {
    return gaussianVector(`piece:${piece}`, HIDDEN_SIZE);
  }
  const folded = [...fold(piece)];
  const stem = folded.length > 5 ? folded.slice(0, 5).join('') : folded.join('');
  return addScaled(gaussianVector(`stem:${stem}`, HIDDEN_SIZE), gaussianVector(`word:${piece}`, HIDDEN_SIZE), 0.5);
}

/**
 * How much a piece's output vector counts, applied after the layer norm (which would otherwise give every token
 * the same norm): function words, punctuation and special tokens weigh little, sub-word pieces somewhat less than
 * whole words. Plays the part that attention and training play in a real encoder.
 */
function tokenWeight(piece) {
  if (SPECIAL_TOKENS.includes(piece)) return 0.3;
  if (FUNCTION_WORDS.has(piece) || PUNCTUATION.includes(piece)) return 0.15;
  if (piece.startsWith('##') || [...piece].length === 1) return 0.6;
  return 1;
}

function matrix(rows, rowVector) {
  const out = new Float32Array(rows * HIDDEN_SIZE);
  for (let r = 0; r < rows; r++) out.set(rowVector(r), r * HIDDEN_SIZE);
  return out;
}

export function buildWeights(vocabulary) {
  const scaled = (key, scale) => addScaled(new Float64Array(HIDDEN_SIZE), gaussianVector(key, HIDDEN_SIZE), scale);
  return {
    wordEmbeddings: matrix(vocabulary.length, (r) => pieceVector(vocabulary[r])),
    tokenWeights: Float32Array.from(vocabulary, tokenWeight),
    // Small next to word vectors: position must not dominate what a text is about.
    positionEmbeddings: matrix(MAX_POSITIONS, (r) => scaled(`position:${r}`, 0.1)),
    tokenTypeEmbeddings: matrix(TYPE_VOCAB, (r) => scaled(`type:${r}`, 0.05)),
    gamma: Float32Array.from(scaled('ln:gamma', 0.05), (v) => 1 + v),
    beta: Float32Array.from(scaled('ln:beta', 0.02)),
    // A mild perturbation (residual), so the layer changes vectors without scrambling their neighbourhoods.
    dense: matrix(HIDDEN_SIZE, (r) => scaled(`dense:${r}`, 0.3 / Math.sqrt(HIDDEN_SIZE))),
    denseBias: Float32Array.from(scaled('dense:bias', 0.02)),
  };
}

/** Per-tensor asymmetric uint8 quantisation, as onnxruntime's dynamic quantiser does for Gather weights. */
function quantizeUint8(values) {
  let min = 0;
  let max = 0;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const scale = Math.fround((max - min) / 255);
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-min / scale)));
  const data = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = Math.min(255, Math.max(0, Math.round(values[i] / scale) + zeroPoint));
  return { data, scale, zeroPoint };
}

// ---------------------------------------------------------------------------------------------------------------
// ONNX encoding: the subset of onnx.proto (github.com/onnx/onnx, onnx/onnx.proto) this graph needs, same field numbers.

const ONNX_PROTO = `
syntax = "proto2";
package onnx;
message AttributeProto {
  enum AttributeType { UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5; FLOATS = 6; INTS = 7; STRINGS = 8; }
  optional string name = 1;
  optional AttributeType type = 20;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  optional TensorProto t = 5;
  repeated float floats = 7;
  repeated int64 ints = 8;
}
message ValueInfoProto {
  optional string name = 1;
  optional TypeProto type = 2;
}
message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  optional string domain = 7;
  repeated AttributeProto attribute = 5;
}
message OperatorSetIdProto {
  optional string domain = 1;
  optional int64 version = 2;
}
message ModelProto {
  optional int64 ir_version = 1;
  repeated OperatorSetIdProto opset_import = 8;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional string doc_string = 6;
  optional GraphProto graph = 7;
}
message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}
message TensorProto {
  enum DataType { UNDEFINED = 0; FLOAT = 1; UINT8 = 2; INT8 = 3; UINT16 = 4; INT16 = 5; INT32 = 6; INT64 = 7; STRING = 8; BOOL = 9; }
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  optional string name = 8;
  optional bytes raw_data = 9;
}
message TensorShapeProto {
  message Dimension {
    oneof value {
      int64 dim_value = 1;
      string dim_param = 2;
    }
  }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor {
    optional int32 elem_type = 1;
    optional TensorShapeProto shape = 2;
  }
  oneof value {
    Tensor tensor_type = 1;
  }
}
`;

const FLOAT = 1;
const UINT8 = 2;
const INT64 = 7;
const ATTR_INT = 2;
const ATTR_INTS = 7;

/** Little-endian bytes whatever the host, as ONNX raw_data requires. */
function rawFloat32(values) {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return bytes;
}

function rawInt64(values) {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return bytes;
}

const floatTensor = (name, dims, values) => ({ name, dims, dataType: FLOAT, rawData: rawFloat32(values) });
const int64Tensor = (name, dims, values) => ({ name, dims, dataType: INT64, rawData: rawInt64(values) });
const uint8Tensor = (name, dims, values) => ({ name, dims, dataType: UINT8, rawData: Uint8Array.from(values) });

const node = (opType, inputs, outputs, attribute = []) => ({ opType, input: inputs, output: outputs, name: `${opType}_${outputs[0]}`, attribute });
const intsAttr = (name, ints) => ({ name, type: ATTR_INTS, ints });
const intAttr = (name, i) => ({ name, type: ATTR_INT, i });

function valueInfo(name, elemType, dims) {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

/** The graph, float or with uint8 word embeddings. */
function buildGraph(weights, vocabSize, quantized) {
  const H = HIDDEN_SIZE;
  const initializer = [];
  const nodes = [];
  if (quantized) {
    const q = quantizeUint8(weights.wordEmbeddings);
    initializer.push(
      uint8Tensor('word_embeddings_quantized', [vocabSize, H], q.data),
      floatTensor('word_embeddings_scale', [], [q.scale]),
      uint8Tensor('word_embeddings_zero_point', [], [q.zeroPoint]),
    );
    nodes.push(
      node('Gather', ['word_embeddings_quantized', 'input_ids'], ['words_quantized'], [intAttr('axis', 0)]),
      node('DequantizeLinear', ['words_quantized', 'word_embeddings_scale', 'word_embeddings_zero_point'], ['words']),
    );
  } else {
    initializer.push(floatTensor('word_embeddings', [vocabSize, H], weights.wordEmbeddings));
    nodes.push(node('Gather', ['word_embeddings', 'input_ids'], ['words'], [intAttr('axis', 0)]));
  }
  initializer.push(
    floatTensor('position_embeddings', [MAX_POSITIONS, H], weights.positionEmbeddings),
    floatTensor('token_type_embeddings', [TYPE_VOCAB, H], weights.tokenTypeEmbeddings),
    floatTensor('layer_norm_gamma', [H], weights.gamma),
    floatTensor('layer_norm_beta', [H], weights.beta),
    floatTensor('layer_norm_eps', [], [LAYER_NORM_EPS]),
    floatTensor('dense_weight', [H, H], weights.dense),
    floatTensor('dense_bias', [H], weights.denseBias),
    floatTensor('token_weights', [vocabSize], weights.tokenWeights),
    int64Tensor('zero', [], [0]),
    int64Tensor('one', [], [1]),
    int64Tensor('last_axis', [1], [-1]),
  );
  nodes.push(
    // Positions 0..seq_len-1, taken from the runtime shape so any sequence length up to MAX_POSITIONS works.
    node('Shape', ['input_ids'], ['input_shape']),
    node('Gather', ['input_shape', 'one'], ['sequence_length'], [intAttr('axis', 0)]),
    node('Range', ['zero', 'sequence_length', 'one'], ['position_ids']),
    node('Gather', ['position_embeddings', 'position_ids'], ['positions'], [intAttr('axis', 0)]),
    node('Gather', ['token_type_embeddings', 'token_type_ids'], ['token_types'], [intAttr('axis', 0)]),
    node('Add', ['words', 'positions'], ['words_positions']),
    node('Add', ['words_positions', 'token_types'], ['embeddings']),
    // LayerNorm over the hidden axis (LayerNormalization itself only exists from opset 17).
    node('ReduceMean', ['embeddings'], ['mean'], [intsAttr('axes', [-1])]),
    node('Sub', ['embeddings', 'mean'], ['centered']),
    node('Mul', ['centered', 'centered'], ['squared']),
    node('ReduceMean', ['squared'], ['variance'], [intsAttr('axes', [-1])]),
    node('Add', ['variance', 'layer_norm_eps'], ['variance_eps']),
    node('Sqrt', ['variance_eps'], ['std']),
    node('Div', ['centered', 'std'], ['normalized']),
    node('Mul', ['normalized', 'layer_norm_gamma'], ['scaled']),
    node('Add', ['scaled', 'layer_norm_beta'], ['hidden_in']),
    node('MatMul', ['hidden_in', 'dense_weight'], ['dense']),
    node('Add', ['dense', 'dense_bias'], ['dense_biased']),
    node('Tanh', ['dense_biased'], ['activated']),
    node('Add', ['hidden_in', 'activated'], ['hidden']),
    // Each token scaled by its weight; padded positions output zeros (mean pooling ignores them anyway).
    node('Gather', ['token_weights', 'input_ids'], ['weights'], [intAttr('axis', 0)]),
    node('Cast', ['attention_mask'], ['mask_float'], [intAttr('to', FLOAT)]),
    node('Mul', ['weights', 'mask_float'], ['weights_masked']),
    node('Unsqueeze', ['weights_masked', 'last_axis'], ['weights_expanded']),
    node('Mul', ['hidden', 'weights_expanded'], ['last_hidden_state']),
  );
  return {
    name: 'sourcier-tiny-bert',
    node: nodes,
    initializer,
    input: [
      valueInfo('input_ids', INT64, ['batch', 'sequence']),
      valueInfo('attention_mask', INT64, ['batch', 'sequence']),
      valueInfo('token_type_ids', INT64, ['batch', 'sequence']),
    ],
    output: [valueInfo('last_hidden_state', FLOAT, ['batch', 'sequence', H])],
  };
}

function encodeModel(graph) {
  const ModelProto = protobuf.parse(ONNX_PROTO, { keepCase: false }).root.lookupType('onnx.ModelProto');
  const message = ModelProto.fromObject({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'sourcier/scripts/make-tiny-model.mjs',
    producerVersion: '1',
    docString: 'Tiny deterministic BERT-shaped test model for Sourcier. Not a language model.',
    graph,
  });
  return ModelProto.encode(message).finish();
}

// ---------------------------------------------------------------------------------------------------------------
// Tokenizer and config files

function tokenizerJson(vocabulary) {
  const id = (token) => vocabulary.indexOf(token);
  const special = (token) => ({ SpecialToken: { id: token, type_id: 0 } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content) => ({
      id: id(content),
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    // Lowercase but keep accents: "été" and "ete" stay different French words.
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: false, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, special('[SEP]')],
      pair: [special('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, special('[SEP]'), { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
      special_tokens: Object.fromEntries(['[CLS]', '[SEP]'].map((t) => [t, { id: t, ids: [id(t)], tokens: [t] }])),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocabulary.map((piece, i) => [piece, i])),
    },
  };
}

function tokenizerConfigJson() {
  return {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    strip_accents: false,
    model_max_length: MAX_POSITIONS,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
    clean_up_tokenization_spaces: true,
  };
}

function configJson(vocabulary) {
  return {
    _name_or_path: 'sourcier-tiny-model',
    architectures: ['BertModel'],
    model_type: 'bert',
    vocab_size: vocabulary.length,
    hidden_size: HIDDEN_SIZE,
    num_hidden_layers: 1,
    num_attention_heads: 1,
    intermediate_size: HIDDEN_SIZE,
    hidden_act: 'tanh',
    max_position_embeddings: MAX_POSITIONS,
    type_vocab_size: TYPE_VOCAB,
    layer_norm_eps: LAYER_NORM_EPS,
    pad_token_id: vocabulary.indexOf('[PAD]'),
    hidden_dropout_prob: 0,
    attention_probs_dropout_prob: 0,
    initializer_range: 0.02,
    position_embedding_type: 'absolute',
    torch_dtype: 'float32',
  };
}

const json = (value) => `${JSON.stringify(value, null, 2)}\n`;

/** Writes the model into `outDir` and returns the relative paths written, sorted. */
export async function makeTinyModel(outDir) {
  const vocabulary = buildVocabulary();
  const weights = buildWeights(vocabulary);
  const files = {
    'config.json': json(configJson(vocabulary)),
    'tokenizer.json': json(tokenizerJson(vocabulary)),
    'tokenizer_config.json': json(tokenizerConfigJson()),
    'onnx/model.onnx': encodeModel(buildGraph(weights, vocabulary.length, false)),
    'onnx/model_quantized.onnx': encodeModel(buildGraph(weights, vocabulary.length, true)),
  };
  await mkdir(path.join(outDir, 'onnx'), { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(outDir, name), content);
  return Object.keys(files).sort(compareStrings);
}

const invokedDirectly = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const outDir = process.argv[2] ?? path.join('tests', 'fixtures', 'tiny-model');
  const written = await makeTinyModel(outDir);
  console.log(`Wrote ${written.length} files to ${outDir}: ${written.join(', ')}`);
}
