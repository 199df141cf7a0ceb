// Atomic writes that create the parent directory first.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../util/atomic.js";

export function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeJsonAtomic(path, value);
}

export function writeText(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, text);
}
