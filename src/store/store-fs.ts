import * as fsp from 'node:fs/promises';

/** The part of a `fs/promises` FileHandle the store uses. */
export interface StoreFileHandle {
  writeFile(data: Uint8Array | string): Promise<void>;
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The subset of `node:fs/promises` the store uses, passed in so tests can inject ENOSPC, EROFS or EACCES at any step
 * (tests run as root, where chmod cannot make a folder read-only). `node:fs/promises` itself satisfies it.
 */
export interface StoreFs {
  open(path: string, flags: string): Promise<StoreFileHandle>;
  readFile(path: string): Promise<Buffer>;
  readdir(path: string): Promise<string[]>;
  stat(path: string): Promise<{ size: number; mtimeMs: number; isDirectory(): boolean }>;
  mkdir(path: string, options: { recursive: boolean }): Promise<string | undefined>;
  rename(from: string, to: string): Promise<void>;
  link(existing: string, newPath: string): Promise<void>;
  unlink(path: string): Promise<void>;
  rm(path: string, options: { recursive: boolean; force: boolean }): Promise<void>;
}

/** The real file system. */
export const nodeStoreFs: StoreFs = fsp;
