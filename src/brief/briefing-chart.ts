/**
 * The briefing's small timeline chart as SVG: one bar per period (articles on the topic), the key events marked as
 * numbered pins above their period. Plain SVG 1.1 with no external resources, so any renderer draws it the same.
 */
import type { BriefChart } from '../core/types.js';

export interface ChartOptions {
  /** Pixels (default 800). */
  width?: number;
  /** Pixels (default 320). */
  height?: number;
  title?: string;
}

const BAR = '#2b6cb0';
const EVENT = '#c05621';
const AXIS = '#4a5568';

/** Escapes text for an SVG text node or attribute. */
function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Builds the chart's SVG document. An empty chart still renders (a frame that says so). */
export function buildChartSvg(chart: BriefChart, options: ChartOptions = {}): string {
  const width = Math.round(options.width ?? 800);
  const height = Math.round(options.height ?? 320);
  const margin = { left: 44, right: 16, top: options.title ? 54 : 34, bottom: 48 };
  const plotW = Math.max(1, width - margin.left - margin.right);
  const plotH = Math.max(1, height - margin.top - margin.bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  if (options.title) {
    parts.push(`<text x="${margin.left}" y="24" font-family="sans-serif" font-size="16" font-weight="bold" fill="#1a202c">${xml(options.title.slice(0, 90))}</text>`);
  }
  const n = chart.buckets.length;
  if (n === 0) {
    parts.push(`<text x="${width / 2}" y="${height / 2}" text-anchor="middle" font-family="sans-serif" font-size="14" fill="${AXIS}">Aucun article daté</text>`, '</svg>');
    return parts.join('');
  }
  const max = Math.max(1, ...chart.buckets.map((b) => b.articles));
  const slot = plotW / n;
  const barW = Math.max(1, slot * 0.7);
  const baseY = margin.top + plotH;
  parts.push(`<line x1="${margin.left}" y1="${baseY}" x2="${margin.left + plotW}" y2="${baseY}" stroke="${AXIS}" stroke-width="1"/>`);
  parts.push(`<text x="${margin.left - 6}" y="${margin.top + 4}" text-anchor="end" font-family="sans-serif" font-size="11" fill="${AXIS}">${max}</text>`);
  parts.push(`<text x="${margin.left - 6}" y="${baseY}" text-anchor="end" font-family="sans-serif" font-size="11" fill="${AXIS}">0</text>`);
  const labelEvery = Math.max(1, Math.ceil(n / 12));
  chart.buckets.forEach((b, i) => {
    const h = (b.articles / max) * plotH;
    const x = margin.left + i * slot + (slot - barW) / 2;
    if (b.articles > 0) parts.push(`<rect x="${x.toFixed(1)}" y="${(baseY - h).toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${BAR}"/>`);
    if (i % labelEvery === 0) {
      parts.push(`<text x="${(x + barW / 2).toFixed(1)}" y="${baseY + 16}" text-anchor="middle" font-family="sans-serif" font-size="11" fill="${AXIS}">${xml(b.label)}</text>`);
    }
  });
  chart.events.forEach((e, k) => {
    const i = chart.buckets.findIndex((b) => e.when.slice(0, 10) >= b.from.slice(0, e.when.length) && e.when.slice(0, 10) <= b.to);
    if (i < 0) return;
    const cx = margin.left + i * slot + slot / 2;
    const cy = margin.top - 12;
    parts.push(`<line x1="${cx.toFixed(1)}" y1="${cy + 7}" x2="${cx.toFixed(1)}" y2="${baseY}" stroke="${EVENT}" stroke-width="1" stroke-dasharray="3,3"/>`);
    parts.push(`<circle cx="${cx.toFixed(1)}" cy="${cy}" r="7" fill="${EVENT}"/>`);
    parts.push(`<text x="${cx.toFixed(1)}" y="${cy + 4}" text-anchor="middle" font-family="sans-serif" font-size="10" fill="#ffffff">${k + 1}</text>`);
  });
  parts.push(
    `<text x="${margin.left}" y="${height - 8}" font-family="sans-serif" font-size="11" fill="${AXIS}">Articles par ${chart.unit === 'year' ? 'année' : 'mois'} · ● événements de la chronologie (numérotés dans l’ordre)</text>`,
  );
  parts.push('</svg>');
  return parts.join('');
}
