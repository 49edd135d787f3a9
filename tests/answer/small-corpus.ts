/** A small French corpus written for the tests (no ../shared), chunked by the project's chunker. */
import { chunkArticle, estimateTokenCounter } from '../../src/chunk/chunk-article.js';
import type { Article } from '../../src/core/types.js';
import { buildLexicalIndex } from '../../src/lexical/bm25-index.js';
import type { SearchSnapshot } from '../../src/retrieve/search-snapshot.js';

const raw: Array<Omit<Article, 'path' | 'hash'>> = [
  {
    id: 'monde/coalition-rome',
    title: 'La coalition contre Daech réunie à Rome',
    date: '2022-04',
    source: 'Le Matin',
    text:
      'Les ministres de la coalition internationale contre Daech se sont réunis à Rome.\n\n' +
      'La réunion était présidée par le chef de la diplomatie italienne, Luigi Di Maio. Il a appelé les pays membres à maintenir leur engagement financier. ' +
      'Quatre-vingt-quatre pays font désormais partie de la coalition. Le Maroc a confirmé sa participation aux efforts de stabilisation.',
  },
  {
    id: 'monde/mali-coup',
    title: 'Coup d’État au Mali',
    date: '2020-08-19',
    source: 'Orange Actu',
    text:
      'Des militaires ont renversé le président malien Ibrahim Boubacar Keïta à Bamako.\n\n' +
      'Le colonel Assimi Goïta s’est présenté comme le nouvel homme fort du pays. Il a promis une transition politique et des élections. ' +
      'La Cédéao a suspendu le Mali de ses instances et fermé les frontières de ses États membres avec le pays.',
  },
  {
    id: 'eco/croissance',
    title: 'La croissance ralentit',
    date: '2019-07-30',
    source: 'Le Monde',
    text:
      'La croissance de l’économie française a ralenti au deuxième trimestre, selon l’Insee.\n\n' +
      'Le produit intérieur brut a progressé de 0,2 % entre avril et juin. La consommation des ménages est restée atone. ' +
      'Les exportations ont reculé à cause du ralentissement du commerce mondial.',
  },
  {
    id: 'sport/tour-copenhague',
    title: 'Le Tour de France part de Copenhague',
    date: '2022-07-01',
    source: 'Le Monde',
    text:
      'Le Tour de France 2022 s’élance de Copenhague, au Danemark.\n\n' +
      'C’est la première fois que la Grande Boucle part d’un pays scandinave. Le contre-la-montre inaugural mesure 13,2 kilomètres. ' +
      'Près de 1 032 913 spectateurs sont attendus le long des routes danoises selon les organisateurs.',
  },
  {
    id: 'monde/islande',
    title: 'L’Islande réélit son président',
    date: '2020-06-28',
    source: 'Orange Actu',
    text:
      'L’Islande a réélu samedi son président sortant Gudni Johannesson pour quatre ans.\n\n' +
      'Il a obtenu près de 90 % des suffrages face à son adversaire Gudmundur Franklin Jonsson. Ce dernier se présentait comme un candidat proche de Donald Trump. ' +
      'La participation a atteint 66,9 %, en baisse par rapport à 2016.',
  },
  {
    id: 'monde/iceberg',
    title: 'Un iceberg géant se détache de l’Antarctique',
    date: '2017-07-12',
    source: 'Le Matin',
    text:
      'Un iceberg de mille milliards de tonnes s’est détaché de la barrière de Larsen C en Antarctique.\n\n' +
      'Les chercheurs de l’université de Swansea ont suivi la fissure pendant des mois. Elle mesurait près de 200 kilomètres. ' +
      'Ils l’ont baptisé A68. Sa superficie équivaut à celle d’un département français.',
  },
  {
    id: 'monde/iceberg-copie',
    title: 'Un iceberg géant se détache de l’Antarctique',
    date: '2017-07-12',
    source: 'Le Matin',
    text:
      'Un iceberg de mille milliards de tonnes s’est détaché de la barrière de Larsen C en Antarctique.\n\n' +
      'Les chercheurs de l’université de Swansea ont suivi la fissure pendant des mois. Elle mesurait près de 200 kilomètres. ' +
      'Ils l’ont baptisé A68. Sa superficie équivaut à celle d’un département français.',
  },
];

export const ARTICLES: Article[] = raw.map((a) => ({ ...a, path: `${a.id}.md`, hash: a.id }));

export function smallSnapshot(articles: Article[] = ARTICLES, duplicates?: Map<string, string[]>): SearchSnapshot {
  const chunks = articles.flatMap((a) => chunkArticle(a, { tokenCounter: estimateTokenCounter, maxTokens: 512, targetTokens: 40, overlapSentences: 1 }));
  const map = new Map(articles.map((a) => [a.id, a]));
  return { chunks, articles: map, lexical: buildLexicalIndex(chunks, map), ...(duplicates ? { duplicates } : {}) };
}
