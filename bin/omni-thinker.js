#!/usr/bin/env node
// Thin launcher: the CLI is compiled from src/cli by `npm run build` (run by `npm ci` via `prepare`).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const main = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "src", "cli", "main.js");
if (!existsSync(main)) {
  console.error("omni-thinker: dist/ is missing; run `npm run build` (npm ci does it for you).");
  process.exit(1);
}
const { runCli } = await import(main);
await runCli(process.argv);
