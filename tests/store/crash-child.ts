/**
 * Child process of the crash test: takes the lock (recovering the one its killed predecessor left), cleans up, then
 * commits generations in a loop, printing `committed <build> <id>` after each, until it is killed. It loads, prints
 * `loaded` and waits for a line on stdin before touching the index, so the test can start it while its predecessor
 * still runs (module loading takes most of a second).
 *   node --import tsx tests/store/crash-child.ts <indexDir>     then, on stdin: `go <firstBuild>`
 */
import { once } from 'node:events';
import { argv, stdin, stdout } from 'node:process';
import { openStore } from '../../src/store/index-store.js';
import { fileContent, manifestFields } from './helpers.js';

const [indexDir] = argv.slice(2);
const store = openStore(indexDir!);
stdout.write('loaded\n');
const [go] = (await once(stdin, 'data')) as [Buffer];
const first = Number(go.toString().trim().split(' ')[1]);
await store.lock();
await store.cleanup();
stdout.write('ready\n');
for (let build = first; ; build++) {
  const writer = await store.beginGeneration();
  await writer.writeFile('articles.json', JSON.stringify({ build }));
  await writer.writeFile('chunks.bin', fileContent(build, 'chunks.bin', 20_000 + build));
  await writer.writeFile('vectors.f32', fileContent(build, 'vectors.f32', 200_000));
  const id = await writer.commit(manifestFields(build));
  stdout.write(`committed ${build} ${id}\n`);
}
