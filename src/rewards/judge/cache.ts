// Persistent judge cache: an append-only JSONL file plus an in-memory map. A resumed run re-reads the
// file and does not pay for a judgment twice. A crash can tear only the last line (appends are single
// writes); a torn last line is dropped on load and cut from the file so later appends stay well formed.
// `pointer` (the number of entries on disk) is what a trainer checkpoints to know how far the cache got.
import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, truncateSync, writeSync } from "node:fs";
import { dirname } from "node:path";

interface CacheLine {
  k: string;
  v: string;
}

/** A stable key for anything JSON-serializable (judge settings, messages). */
export function cacheKey(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex");
}

export class JudgeCache {
  private readonly entries = new Map<string, string>();
  private fd: number | undefined;
  private lines = 0;
  private loaded = false;

  /**
   * `path` undefined keeps the cache in memory only. An existing file is read at once (a corrupt one
   * fails early); a missing one is created on first use, so a judge that is never called leaves no file.
   */
  constructor(readonly path?: string) {
    if (path && existsSync(path)) this.ensureLoaded();
  }

  get size(): number {
    this.ensureLoaded();
    return this.entries.size;
  }

  /** Entries written to the file so far (in-memory caches count their entries). */
  get pointer(): number {
    this.ensureLoaded();
    return this.path ? this.lines : this.entries.size;
  }

  get(key: string): string | undefined {
    this.ensureLoaded();
    return this.entries.get(key);
  }

  set(key: string, value: string): void {
    this.ensureLoaded();
    if (this.entries.has(key)) return;
    this.entries.set(key, value);
    if (this.fd === undefined) return;
    const line: CacheLine = { k: key, v: value };
    writeSync(this.fd, `${JSON.stringify(line)}\n`);
    this.lines++;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private ensureLoaded(): void {
    if (this.loaded) return;
    this.loaded = true;
    if (this.path) this.load(this.path);
  }

  private load(path: string): void {
    mkdirSync(dirname(path), { recursive: true });
    if (existsSync(path)) {
      const text = readFileSync(path, "utf8");
      let goodBytes = 0;
      let offset = 0;
      const rows = text.split("\n");
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        const isLast = i === rows.length - 1;
        if (row === "" && isLast) break;
        const parsed = parseLine(row);
        if (!parsed || isLast) {
          // The only line allowed to be broken is the final, unterminated one (a torn append).
          if (isLast) break;
          throw new Error(`${path}: line ${i + 1}: corrupt judge cache entry`);
        }
        this.entries.set(parsed.k, parsed.v);
        this.lines++;
        offset += Buffer.byteLength(row, "utf8") + 1;
        goodBytes = offset;
      }
      if (goodBytes < Buffer.byteLength(text, "utf8")) truncateSync(path, goodBytes);
    }
    this.fd = openSync(path, "a");
  }
}

function parseLine(row: string): CacheLine | undefined {
  try {
    const value = JSON.parse(row) as Partial<CacheLine>;
    if (typeof value.k === "string" && typeof value.v === "string") return value as CacheLine;
  } catch {
    // fall through
  }
  return undefined;
}
