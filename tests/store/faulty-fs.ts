import * as fsp from 'node:fs/promises';
import { basename } from 'node:path';
import type { StoreFileHandle, StoreFs } from '../../src/store/store-fs.js';

export type FsOp = 'open' | 'writeFile' | 'sync' | 'read' | 'readFile' | 'readdir' | 'stat' | 'mkdir' | 'rename' | 'link' | 'unlink' | 'rm';

/** One injected failure: operation `op` on a path matching `path` fails with errno `code` (or writes short). */
export interface Fault {
  op: FsOp;
  /** Matches the path (for rename/link: the destination). */
  path: (path: string) => boolean;
  /** errno to throw, or 'short' for a writeFile that writes half its data and reports success (a full disk). */
  code: 'ENOSPC' | 'EROFS' | 'EACCES' | 'EPERM' | 'EIO' | 'ENOENT' | 'short';
}

/** The real file system with injected faults; `hits` counts faults that fired. */
export function faultyFs(faults: Fault[]): StoreFs & { hits: number } {
  const fire = (op: FsOp, path: string): Fault | undefined => {
    const fault = faults.find((f) => f.op === op && f.path(path));
    if (fault) result.hits++;
    return fault;
  };
  const check = (op: FsOp, path: string) => {
    const fault = fire(op, path);
    if (fault && fault.code !== 'short') throw errno(fault.code, op, path);
  };
  const result: StoreFs & { hits: number } = {
    hits: 0,
    async open(path, flags) {
      check('open', path);
      const handle = await fsp.open(path, flags);
      const wrapped: StoreFileHandle = {
        async writeFile(data) {
          const fault = fire('writeFile', path);
          if (fault?.code === 'short') {
            const bytes = typeof data === 'string' ? Buffer.from(data) : data;
            return handle.writeFile(bytes.subarray(0, Math.floor(bytes.length / 2)));
          }
          if (fault) throw errno(fault.code, 'write', path);
          return handle.writeFile(data);
        },
        async read(buffer, offset, length, position) {
          check('read', path);
          return handle.read(buffer, offset, length, position);
        },
        async sync() {
          check('sync', path);
          return handle.sync();
        },
        close: () => handle.close(),
      };
      return wrapped;
    },
    async readFile(path) {
      check('readFile', path);
      return fsp.readFile(path);
    },
    async readdir(path) {
      check('readdir', path);
      return fsp.readdir(path);
    },
    async stat(path) {
      check('stat', path);
      return fsp.stat(path);
    },
    async mkdir(path, options) {
      check('mkdir', path);
      return fsp.mkdir(path, options);
    },
    async rename(from, to) {
      check('rename', to);
      return fsp.rename(from, to);
    },
    async link(existing, newPath) {
      check('link', newPath);
      return fsp.link(existing, newPath);
    },
    async unlink(path) {
      check('unlink', path);
      return fsp.unlink(path);
    },
    async rm(path, options) {
      check('rm', path);
      return fsp.rm(path, options);
    },
  };
  return result;
}

/** Matches paths whose last segment is `name` or a temporary file of it (`name.tmp-...`). */
export const named = (name: string) => (path: string) => basename(path) === name || basename(path).startsWith(`${name}.tmp-`);

function errno(code: string, op: string, path: string): NodeJS.ErrnoException {
  const messages: Record<string, string> = {
    ENOSPC: 'no space left on device',
    EROFS: 'read-only file system',
    EACCES: 'permission denied',
    EIO: 'i/o error',
    ENOENT: 'no such file or directory',
    EPERM: 'operation not permitted',
  };
  const error = new Error(`${code}: ${messages[code] ?? 'error'}, ${op} '${path}'`) as NodeJS.ErrnoException;
  error.code = code;
  error.syscall = op;
  error.path = path;
  return error;
}
