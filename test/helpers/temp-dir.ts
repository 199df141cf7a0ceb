// Temp directories for tests, removed when the test file's process exits (each test file runs in its
// own process under `node --test`), so repeated `npm test` runs leave nothing behind in the OS temp
// dir. OMNI_KEEP_TEST_DIRS=1 keeps them for debugging.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const created: string[] = [];

function removeAtExit(): void {
  if (process.env.OMNI_KEEP_TEST_DIRS !== "1") removeTempDirs();
}

/** A fresh directory under the OS temp dir, removed at exit (or earlier by removeTempDirs). */
export function tempDir(prefix = "omni-test-"): string {
  if (created.length === 0) process.once("exit", removeAtExit);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Removes every directory made by tempDir so far (for a file's `after` hook). */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}
