// Atomic file writes: write a temp file in the same directory, fsync it, then rename over the target.
// A reader (or a resumed run) sees either the old file or the complete new one, never a torn write.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** A unique temp path next to `path`, so the final rename stays on one filesystem. */
export function tempPathFor(path: string): string {
  const nonce = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  return join(dirname(path), `.${basename(path)}.tmp-${nonce}`);
}

/** Flushes a directory entry (a rename inside it) to disk. Best effort: some filesystems refuse. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Directories cannot be fsynced on every platform; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes every chunk to an already-open file descriptor (writeSync may write less than asked). */
export function writeAll(fd: number, chunk: Uint8Array): void {
  let done = 0;
  while (done < chunk.byteLength) {
    done += writeSync(fd, chunk, done, chunk.byteLength - done);
  }
}

/**
 * Atomically replaces `path` with `data`. `data` may be a list of chunks, written in order, so large
 * files (model weights) need not be concatenated in memory first.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  const chunks =
    typeof data === "string" ? [Buffer.from(data, "utf8")] : data instanceof Uint8Array ? [data] : data;
  const tmp = tempPathFor(path);
  const fd = openSync(tmp, "wx");
  try {
    for (const chunk of chunks) writeAll(fd, chunk);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDir(dirname(path));
}

/** Atomically writes `value` as pretty-printed JSON with a trailing newline. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
