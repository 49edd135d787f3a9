import { describe, expect, it } from 'vitest';
import { parseHtml } from '../../src/ingest/parse-html.js';

describe('parseHtml', () => {
  it('reads a Wikinews-style page: h1 title, h2 lead first, date from the French dateline, soft hyphens removed', () => {
    const doc = parseHtml(`<html><head><meta charset="utf-8"><title>Titre de la page</title></head><body>
      <h1>États-Unis : lancement réussi</h1>
      <h2>La fusée a décollé ce matin.</h2>
      <p>22 mai 2012. - Le lancement a été reporté, suite à une valve du pre&shy;mier étage du lan\u00ADceur.</p>
      <p>Deuxième paragraphe.</p></body></html>`);
    expect(doc.meta.title).toBe('États-Unis : lancement réussi');
    expect(doc.meta.date).toBe('2012-05-22');
    expect(doc.text).toBe('La fusée a décollé ce matin.\n\n22 mai 2012. - Le lancement a été reporté, suite à une valve du premier étage du lanceur.\n\nDeuxième paragraphe.');
  });

  it('uses og:description as lead only when the page has no lead paragraph', () => {
    const withoutLead = parseHtml('<meta property="og:description" content="Le résumé."><h1>T</h1><p>Corps.</p>');
    expect(withoutLead.text).toBe('Le résumé.\n\nCorps.');
    const withLead = parseHtml('<meta property="og:description" content="Le résumé."><h1>T</h1><div class="chapo">Le chapô.</div><p>Corps.</p>');
    expect(withLead.text).toBe('Le chapô.\n\nCorps.');
  });

  it('takes the date from <time datetime> and the title from og:title or <title> when there is no h1', () => {
    expect(parseHtml('<title>Titre</title><p>Publié <time datetime="2019-11-05T08:00">hier</time>.</p>').meta).toMatchObject({ title: 'Titre', date: '2019-11-05' });
    expect(parseHtml('<title>Titre</title><meta property="og:title" content="Titre OG"><p>x</p>').meta.title).toBe('Titre OG');
  });

  it('decodes entities exactly once, in text and in attributes', () => {
    const doc = parseHtml('<meta property="og:site_name" content="A &amp;amp; B"><h1>T</h1><p>&amp;eacute; &eacute; &lt;b&gt;</p>');
    expect(doc.text).toBe('&eacute; é <b>');
    expect(doc.meta.source).toBe('A &amp; B');
  });
});
