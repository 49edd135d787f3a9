import type { IndexProgress } from '../core/types.js';

const STAGE_FR: Record<IndexProgress['stage'], string> = {
  read: 'read',
  chunk: 'chunk',
  embed: 'embed',
  index: 'index',
  write: 'write',
  verify: 'verify',
};

/**
 * A one-line progress bar for a terminal (redrawn with \r), or, when the stream is not a terminal,
 * one plain line per stage and every 10%, so logs of long runs stay readable.
 */
export function createProgressReporter(write: (s: string) => void, isTty: boolean, width = 30): (p: IndexProgress) => void {
  let lastStage = '';
  let lastTenth = -1;
  let lastDraw = 0;
  return (p) => {
    const ratio = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
    if (isTty) {
      const now = Date.now();
      if (p.stage === lastStage && p.done < p.total && now - lastDraw < 80) return;
      lastDraw = now;
      const filled = Math.round(ratio * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      const line = `\r${STAGE_FR[p.stage].padEnd(6)} ${bar} ${String(Math.round(ratio * 100)).padStart(3)}% ${p.done}/${p.total}`;
      if (p.stage !== lastStage && lastStage !== '') write('\n');
      write(line);
      lastStage = p.stage;
      if (p.stage === 'verify' && p.done >= p.total) write('\n');
      return;
    }
    const tenth = Math.floor(ratio * 10);
    if (p.stage !== lastStage || tenth !== lastTenth) {
      write(`${p.stage}: ${p.done}/${p.total}\n`);
      lastStage = p.stage;
      lastTenth = tenth;
    }
  };
}
