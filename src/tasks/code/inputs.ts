// Random test inputs for code tasks.
import type { Rng } from "../../engine/rng.js";

export const WORDS = [
  "apple",
  "river",
  "stone",
  "cloud",
  "tiger",
  "lamp",
  "ocean",
  "bread",
  "queen",
  "window",
  "garden",
  "pencil",
  "silver",
  "moon",
  "forest",
  "candle",
  "mirror",
  "rocket",
  "violin",
  "desert",
  "island",
  "planet",
  "shadow",
  "honey",
  "zebra",
  "kite",
  "jungle",
  "yellow",
  "noodle",
  "harbor",
  "eagle",
  "orbit",
  "pepper",
  "wagon",
  "echo",
  "anchor",
  "bicycle",
  "cactus",
  "dragon",
  "ember",
  "falcon",
  "glacier",
  "hammer",
  "igloo",
  "jacket",
  "koala",
  "lemon",
  "marble",
  "needle",
  "otter",
  "puzzle",
  "quartz",
  "ribbon",
  "saddle",
  "tunnel",
  "umbrella",
  "valley",
  "walrus",
  "xylophone",
  "yogurt",
  "zipper",
  "a",
  "an",
  "to",
  "go",
  "sky",
  "cat",
  "dog",
  "sun",
  "tea",
  "art",
];

export const between = (rng: Rng, lo: number, hi: number): number => lo + rng.int(hi - lo + 1);

export function ints(rng: Rng, n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, () => between(rng, lo, hi));
}

/** A list of `lo..hi` integers whose length is 0..maxLen (empty about one time in ten). */
export function intList(rng: Rng, lo: number, hi: number, minLen = 0, maxLen = 9): number[] {
  const n = minLen === 0 && rng.next() < 0.1 ? 0 : between(rng, Math.max(1, minLen), maxLen);
  return ints(rng, n, lo, hi);
}

export function words(rng: Rng, n: number): string[] {
  return Array.from({ length: n }, () => rng.pick(WORDS));
}

/** Space-separated words, sometimes capitalized. */
export function sentence(rng: Rng, minWords = 0, maxWords = 7): string {
  const n = minWords === 0 && rng.next() < 0.1 ? 0 : between(rng, Math.max(1, minWords), maxWords);
  return words(rng, n)
    .map((w) => (rng.next() < 0.2 ? w[0]!.toUpperCase() + w.slice(1) : w))
    .join(" ");
}

/** Random characters from `alphabet`. */
export function chars(rng: Rng, n: number, alphabet: string): string {
  let s = "";
  for (let i = 0; i < n; i++) s += alphabet[rng.int(alphabet.length)];
  return s;
}

export const LOWER = "abcdefghijklmnopqrstuvwxyz";
export const MIXED = `${LOWER}${LOWER.toUpperCase()}0123456789 .,!?-`;

/** Distinct letters, sorted, e.g. "ekq". */
export function letterSet(rng: Rng, min: number, max: number): string {
  return rng
    .shuffle(LOWER.split(""))
    .slice(0, between(rng, min, max))
    .sort()
    .join("");
}

/** A dict of distinct random words to small integers. */
export function wordDict(rng: Rng, maxSize = 6, lo = -5, hi = 20): Record<string, number> {
  const keys = [...new Set(words(rng, between(rng, 0, maxSize)))];
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = between(rng, lo, hi);
  return out;
}
