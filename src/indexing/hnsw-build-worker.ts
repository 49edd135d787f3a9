/**
 * Worker thread of {@link startHnswBuilder} (inserts vectors as they arrive, then writes the graph) and of
 * {@link updateHnswFileOffThread} (derives a generation's graph from the previous one).
 */
import { parentPort } from 'node:worker_threads';
import { isAppError } from '../core/app-error.js';
import { HnswVectorIndex } from '../vector-index/hnsw-vector-index.js';
import type { HnswWorkerReply, HnswWorkerRequest } from './hnsw-builder.js';

const port = parentPort!;
let index: HnswVectorIndex | undefined;
let dims = 0;
const reply = (message: HnswWorkerReply) => port.postMessage(message);

port.on('message', (request: HnswWorkerRequest) => {
  try {
    if (request.type === 'init') {
      dims = request.dimensions;
      // Synchronous file I/O: this thread may be terminated, and an asynchronous hnswlib write in flight would then abort the process.
      index = HnswVectorIndex.create(dims, Math.max(1, request.capacity), { syncIo: true });
      reply({ type: 'ready' });
    } else if (request.type === 'add') {
      const { keys, vectors } = request;
      for (let i = 0; i < keys.length; i++) index!.add(keys[i]!, vectors.subarray(i * dims, (i + 1) * dims));
    } else if (request.type === 'update') {
      const { previousFile, newFile, dimensions, reuseDeleted, checksumVerified, keyMap, addedKeys, addedVectors, size } = request;
      HnswVectorIndex.updateFile(previousFile, newFile, dimensions, { keyMap, addedKeys, addedVectors, size }, { reuseDeleted, checksumVerified, syncIo: true }).then(
        (written) => reply({ type: 'updated', ...written }),
        (error: unknown) => reply({ type: 'error', code: isAppError(error) ? error.code : 'INTERNAL', message: (error as Error).message }),
      );
    } else if (request.type === 'close') {
      port.close(); // nothing else keeps this thread alive: it ends once a write in flight has settled
    } else {
      // Released once written (before the read-back copy is loaded): nothing adds to it after 'finish'.
      index!.writeTo(request.file, { release: true }).then(
        () => reply({ type: 'done' }),
        (error: unknown) => reply({ type: 'error', code: isAppError(error) ? error.code : 'INTERNAL', message: (error as Error).message }),
      );
    }
  } catch (error) {
    reply({ type: 'error', code: isAppError(error) ? error.code : 'INTERNAL', message: (error as Error).message });
  }
});
