/**
 * Child process of the damaged-index test: opens each index folder given on the command line with the real service
 * (tiny model, real hnswlib), asks a question and checks every citation against the served article text. Prints one
 * JSON line per folder and exits 0; a native crash in hnswlib would end it early with another exit code.
 *   node --import tsx tests/reliability/open-index-child.ts <corpusDir> <indexDir>...
 */
import { argv, stdout } from 'node:process';
import { openSourcier } from '../../src/app/open-sourcier.js';
import { isAppError } from '../../src/core/app-error.js';
import { configFor, loadTinyEmbedder } from '../helpers/test-corpus.js';

const [corpusDir, ...indexDirs] = argv.slice(2);
const embedder = await loadTinyEmbedder();
for (const indexDir of indexDirs) {
  try {
    const sourcier = await openSourcier(configFor({ corpusDir: corpusDir!, indexDir }), { embedder });
    const answer = await sourcier.ask('Où se réunit la coalition contre Daesh ?');
    // Every excerpt must be the verbatim slice of the article the service serves.
    const verbatim = answer.citations.every((c) => sourcier.passage(c.chunkId)?.article.text.slice(c.start, c.end) === c.excerpt);
    const stats = sourcier.stats();
    stdout.write(`${JSON.stringify({ indexDir, ok: true, generation: stats.generation, chunks: stats.chunks, citations: answer.citations.length, verbatim })}\n`);
    await sourcier.close();
  } catch (error) {
    const code = isAppError(error) ? error.code : `NOT_APP_ERROR ${(error as Error)?.name}`;
    stdout.write(`${JSON.stringify({ indexDir, ok: false, code, message: (error as Error)?.message })}\n`);
  }
}
stdout.write('done\n');
