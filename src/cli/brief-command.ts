/**
 * `sourcier brief "topic"` and `sourcier said "person"`. run-cli.ts spreads BRIEF_CLI_OPTIONS into its options,
 * appends BRIEF_USAGE to its usage and hands these two commands to runBriefCommand; errors are thrown as AppErrors
 * for run-cli to report.
 */
import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { openSourcier } from '../app/open-sourcier.js';
import { parseBriefConfig } from '../brief/brief-config.js';
import { buildChartSvg } from '../brief/briefing-chart.js';
import { briefingToJson, renderBriefingMarkdown, renderSaidText } from '../brief/render-briefing.js';
import { AppError } from '../core/app-error.js';
import type { CoreConfig } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import type { BriefOptions, SearchFilters, Sourcier } from '../core/types.js';

/** Options these commands add to the CLI's parseArgs table. */
export const BRIEF_CLI_OPTIONS = {
  format: { type: 'string' },
  new: { type: 'boolean' },
  topic: { type: 'string' },
} as const;

export const BRIEF_USAGE = `  brief "topic"         Briefing: key points, timeline, who said what, sources (verbatim quotes).
      --since --until --source --format md|json --out FILE (also writes FILE's .png chart) --new
                        --new: only articles the last briefing on this topic did not cover.
  said "person"         Quotations attributed to a person. [--topic T] [--since] [--until] [--json]
`;

/** The parsed flag values these commands read. */
export interface BriefCliValues {
  since?: string;
  until?: string;
  source?: string;
  format?: string;
  out?: string;
  new?: boolean;
  topic?: string;
  json?: boolean;
  limit?: string;
}

export interface BriefCliContext {
  config: CoreConfig;
  logger: Logger;
  io: { stdout: (s: string) => void; stderr: (s: string) => void; env: Record<string, string | undefined> };
  /** Opens the service (tests pass their own); default openSourcier with the briefing settings from env. */
  open?: () => Promise<Sourcier>;
}

/** Runs `brief` or `said`; returns the exit code (0), throws AppError on bad input. */
export async function runBriefCommand(command: 'brief' | 'said', rest: string[], values: BriefCliValues, ctx: BriefCliContext): Promise<number> {
  const text = rest.join(' ').trim();
  if (text === '') {
    const example = command === 'brief' ? 'sourcier brief "coalition anti-Daech"' : 'sourcier said "Nasser Bourita"';
    throw new AppError('QUESTION_INVALID', `Nothing to ${command === 'brief' ? 'brief on' : 'look for'}: give it in quotes, e.g. ${example}`);
  }
  const filters = parseFilters(values);
  const format = values.format ?? (values.json ? 'json' : 'md');
  if (format !== 'md' && format !== 'json') throw new AppError('CONFIG_INVALID', `--format must be md or json (got "${format}").`);
  const open = ctx.open ?? (() => openSourcier(ctx.config, { logger: ctx.logger, brief: parseBriefConfig(ctx.io.env) }));
  const sourcier = await open();
  try {
    if (command === 'said') {
      if (!sourcier.said) throw new AppError('INTERNAL', 'This Sourcier service cannot look up quotations.');
      const result = await sourcier.said(text, { ...filters, ...(values.topic ? { topic: values.topic } : {}) });
      ctx.io.stdout(format === 'json' ? `${JSON.stringify(result)}\n` : `${renderSaidText(text, result.quotes, result.matchedSpeakers)}\n`);
      return 0;
    }
    if (!sourcier.brief) throw new AppError('INTERNAL', 'This Sourcier service cannot build briefings.');
    const options: BriefOptions = { ...filters, channel: 'cli', ...(values.new ? { newOnly: true } : {}) };
    const briefing = await sourcier.brief(text, options);
    const body = format === 'json' ? `${JSON.stringify(briefingToJson(briefing), null, 2)}\n` : renderBriefingMarkdown(briefing);
    if (!values.out) {
      ctx.io.stdout(body);
      return 0;
    }
    const png = pngPathFor(values.out);
    // sharp (the PNG renderer) is loaded only here: the other commands start faster without it.
    const { renderChartPng } = await import('../brief/render-chart-png.js');
    try {
      await writeFile(values.out, body, 'utf8');
      await writeFile(png, await renderChartPng(buildChartSvg(briefing.chart, { title: `Briefing : ${text}` })));
    } catch (cause) {
      if (cause instanceof AppError) throw cause;
      throw new AppError('CONFIG_INVALID', `Cannot write ${values.out} or ${png}; check that the folder exists and is writable.`, { cause });
    }
    ctx.io.stderr(`Briefing written to ${values.out} (chart: ${png}); ${briefing.sources.length} articles, ${briefing.keyPoints.length} key points, ${briefing.timeline.length} events.\n`);
    return 0;
  } finally {
    await sourcier.close();
  }
}

/** `brief.md` -> `brief.png`; a name without extension gets `.png` appended. */
export function pngPathFor(out: string): string {
  const ext = extname(out);
  return ext && ext !== '.png' ? `${out.slice(0, -ext.length)}.png` : `${out}.png`;
}

function parseFilters(values: BriefCliValues): SearchFilters {
  const filters: SearchFilters = {};
  for (const key of ['since', 'until'] as const) {
    const v = values[key];
    if (v === undefined) continue;
    if (!/^\d{4}(-\d{2}(-\d{2})?)?$/.test(v)) throw new AppError('CONFIG_INVALID', `--${key} must be YYYY, YYYY-MM or YYYY-MM-DD (got "${v}").`);
    filters[key] = v;
  }
  if (values.source !== undefined) filters.source = values.source;
  return filters;
}
