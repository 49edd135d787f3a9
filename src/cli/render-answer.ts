import type { Answer, Citation, IndexStats, IndexSummary } from '../core/types.js';
import { describeExcerptDates, formatIsoDayFr } from '../dates/date-range.js';

/** Terminal rendering of an answer, in French like the rest of what users read. */
export function renderAnswer(answer: Answer): string {
  const lines: string[] = [];
  if (answer.period?.label) {
    const p = answer.period;
    lines.push(
      p.corpusUntil
        ? `Période : ${p.label} — le corpus s’arrête au ${formatIsoDayFr(p.corpusUntil)}${answer.abstained || answer.citations.length === 0 ? '' : ' : seuls les passages qui parlent de cette période sont cités'}`
        : p.applied === false
          ? `Période : ${p.label} — aucun passage publié dans cette période, résultats toutes dates confondues`
          : `Période : ${p.label}`,
    );
  }
  if (answer.abstained || answer.citations.length === 0) {
    lines.push('Aucun passage pertinent dans le corpus pour cette question.');
    if (answer.nearest.length > 0) {
      lines.push('Articles les plus proches :');
      for (const a of answer.nearest) lines.push(`  - ${a.title}${a.date ? ` (${a.date})` : ''}${a.source ? ` — ${a.source}` : ''} [${a.articleId}]`);
    }
  } else {
    answer.citations.forEach((c, i) => {
      lines.push(`[${i + 1}] « ${c.excerpt} »`);
      lines.push(`    — ${sourceLine(c)}`);
      if (c.dates) lines.push(`    dates : ${describeExcerptDates(c.dates)}`);
      lines.push(`    ${c.chunkId} · caractères ${c.start}–${c.end} · score ${c.score.toFixed(3)}`);
    });
  }
  lines.push(`(${answer.mode === 'hybrid' ? 'recherche hybride' : 'recherche lexicale seule'}, ${Math.round(answer.latencyMs)} ms)`);
  return lines.join('\n');
}

export function sourceLine(c: Pick<Citation, 'title' | 'date' | 'source' | 'url' | 'alsoIn'>): string {
  const parts = [c.title];
  if (c.date) parts.push(c.date);
  if (c.source) parts.push(c.source);
  if (c.url) parts.push(c.url);
  let line = parts.join(', ');
  if (c.alsoIn && c.alsoIn.length > 0) line += ` (aussi dans ${c.alsoIn.length} article${c.alsoIn.length > 1 ? 's' : ''})`;
  return line;
}

/** The `--json` contract of `sourcier ask`. */
export function answerToJson(answer: Answer): Record<string, unknown> {
  return {
    question: answer.question,
    abstained: answer.abstained,
    citations: answer.citations.map((c) => ({
      articleId: c.articleId,
      chunkId: c.chunkId,
      title: c.title,
      date: c.date ?? null,
      source: c.source ?? null,
      url: c.url ?? null,
      excerpt: c.excerpt,
      start: c.start,
      end: c.end,
      score: c.score,
      ...(c.dates ? { dates: c.dates } : {}),
      ...(c.alsoIn && c.alsoIn.length > 0 ? { alsoIn: c.alsoIn } : {}),
    })),
    ...(answer.abstained ? { nearest: answer.nearest } : {}),
    ...(answer.period ? { period: answer.period } : {}),
    mode: answer.mode,
    latencyMs: Math.round(answer.latencyMs * 100) / 100,
  };
}

export function renderStats(s: IndexStats): string {
  const mb = (s.bytes / 1024 / 1024).toFixed(1);
  const lines = [
    `Articles : ${s.articles}`,
    `Passages : ${s.chunks}`,
    `Mode : ${s.mode === 'hybrid' ? `hybride (${s.modelId}, ${s.dimensions} dimensions)` : 'lexical seul'}${s.modeReason ? ` — ${s.modeReason}` : ''}`,
    `Taille de l'index : ${mb} Mo (génération ${s.generation})`,
    `Construit le : ${s.builtAt}`,
  ];
  if (s.dateRange) lines.push(`Période couverte : ${s.dateRange.from} → ${s.dateRange.to}`);
  if (s.sources.length > 0) lines.push(`Sources : ${s.sources.slice(0, 10).map((x) => `${x.name} (${x.articles})`).join(', ')}`);
  return lines.join('\n');
}

export function renderSummary(s: IndexSummary): string {
  const lines = [
    `Index construit en ${s.seconds.toFixed(1)} s (génération ${s.generation}, mode ${s.mode === 'hybrid' ? 'hybride' : 'lexical seul'}).`,
    `Articles : ${s.articles} (nouveaux ${s.added}, modifiés ${s.changed}, supprimés ${s.removed}, inchangés ${s.unchanged})`,
    `Passages : ${s.chunks} (dont ${s.embedded} vectorisés dans ce passage)`,
  ];
  if (s.modeReason) lines.push(`Attention : ${s.modeReason}`);
  if (s.skipped.length > 0) {
    lines.push(`Fichiers ignorés : ${s.skipped.length}`);
    for (const k of s.skipped.slice(0, 20)) lines.push(`  - ${k.path} : ${k.reason}`);
    if (s.skipped.length > 20) lines.push(`  … et ${s.skipped.length - 20} autres`);
  }
  return lines.join('\n');
}
