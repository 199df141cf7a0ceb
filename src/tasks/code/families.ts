// Python function-writing task families (MBPP / HumanEval layout). Each family has parameters baked
// into its docstring (which character, which k, which operation), a reference solution in Python,
// an input generator, and `solve`, a TS re-implementation that computes the expected outputs.
// The build runs every reference against its tests with python3, so TS and Python must agree.
import type { Rng } from "../../engine/rng.js";
import {
  between,
  chars,
  intList,
  LOWER,
  letterSet,
  MIXED,
  sentence,
  WORDS,
  wordDict,
  words,
} from "./inputs.js";
import { PyDict, type PyValue, py, pymod } from "./python.js";

export type Params = Record<string, string | number | boolean>;

export interface CodeFamily {
  id: string;
  difficulty(p: Params): number;
  args: string[];
  draw(rng: Rng): Params;
  name(p: Params): string;
  doc(p: Params): string;
  /** The function body, indented by 4 spaces. */
  body(p: Params): string;
  input(rng: Rng, p: Params): PyValue[];
  // biome-ignore lint/suspicious/noExplicitAny: each family knows its own argument types
  solve(p: Params, args: any[]): PyValue;
}

const S = (p: Params, k: string) => p[k] as string;
const N = (p: Params, k: string) => p[k] as number;
const B = (p: Params, k: string) => p[k] as boolean;
const lines = (...ls: string[]) => ls.map((l) => `    ${l}`).join("\n");
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const cmpNum = (a: number, b: number) => a - b;
/** Python's sorted() on str (code-point order; ASCII here). */
const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const ordinal = (k: number) => (k === 1 ? "1st" : k === 2 ? "2nd" : k === 3 ? "3rd" : `${k}th`);

const countChars: CodeFamily = {
  id: "count_chars_in_set",
  difficulty: () => 1,
  args: ["s"],
  draw: (rng) => ({ chars: letterSet(rng, 2, 4), ignore_case: rng.next() < 0.5 }),
  name: () => "count_chars",
  doc: (p) =>
    `Return how many characters of s are one of ${py(S(p, "chars"))}${B(p, "ignore_case") ? " (ignoring case)" : " (case-sensitive)"}.`,
  body: (p) =>
    lines(`return sum(1 for ch in ${B(p, "ignore_case") ? "s.lower()" : "s"} if ch in ${py(S(p, "chars"))})`),
  input: (rng, p) => [
    chars(rng, between(rng, 0, 14), `${MIXED}${S(p, "chars")}${S(p, "chars").toUpperCase()}`),
  ],
  solve: (p, [s]) => {
    const t = B(p, "ignore_case") ? (s as string).toLowerCase() : (s as string);
    return [...t].filter((ch) => S(p, "chars").includes(ch)).length;
  },
};

const replaceChar: CodeFamily = {
  id: "replace_char",
  difficulty: () => 1,
  args: ["s"],
  draw: (rng) => {
    const [a, b] = rng.shuffle(LOWER.split("")).slice(0, 2);
    return { from: a!, to: b! };
  },
  name: () => "replace_char",
  doc: (p) => `Return s with every ${py(S(p, "from"))} replaced by ${py(S(p, "to"))}.`,
  body: (p) => lines(`return s.replace(${py(S(p, "from"))}, ${py(S(p, "to"))})`),
  input: (rng, p) => [chars(rng, between(rng, 0, 12), `${LOWER} ${S(p, "from").repeat(6)}`)],
  solve: (p, [s]) => (s as string).split(S(p, "from")).join(S(p, "to")),
};

const caesar: CodeFamily = {
  id: "caesar_shift",
  difficulty: () => 2,
  args: ["s"],
  draw: (rng) => ({ shift: between(rng, 1, 25), direction: rng.pick(["forward", "backward"]) }),
  name: () => "shift_letters",
  doc: (p) =>
    `Shift each lowercase letter of s ${S(p, "direction")} by ${N(p, "shift")} places in the alphabet, wrapping around; leave other characters unchanged.`,
  body: (p) =>
    lines(
      `k = ${S(p, "direction") === "forward" ? N(p, "shift") : -N(p, "shift")}`,
      `return "".join(chr((ord(c) - 97 + k) % 26 + 97) if "a" <= c <= "z" else c for c in s)`,
    ),
  input: (rng) => [chars(rng, between(rng, 0, 12), `${LOWER}${LOWER} .!XYZ`)],
  solve: (p, [s]) => {
    const k = S(p, "direction") === "forward" ? N(p, "shift") : -N(p, "shift");
    return [...(s as string)]
      .map((c) => (c >= "a" && c <= "z" ? String.fromCharCode(pymod(c.charCodeAt(0) - 97 + k, 26) + 97) : c))
      .join("");
  },
};

const runLength: CodeFamily = {
  id: "run_length_encode",
  difficulty: () => 2,
  args: ["s"],
  draw: (rng) => ({ count_first: rng.next() < 0.5, skip_ones: rng.next() < 0.5 }),
  name: () => "run_length_encode",
  doc: (p) =>
    `Run-length encode s: each run of a repeated character becomes ${B(p, "count_first") ? "the count followed by the character" : "the character followed by the count"}${B(p, "skip_ones") ? ", and a run of length 1 is written as the character alone" : ""}. Example: "aaab" -> ${py(rle("aaab", B(p, "count_first"), B(p, "skip_ones")))}.`,
  body: (p) =>
    lines(
      "out = []",
      "i = 0",
      "while i < len(s):",
      "    j = i",
      "    while j < len(s) and s[j] == s[i]:",
      "        j += 1",
      "    n = j - i",
      B(p, "skip_ones")
        ? `    out.append(s[i] if n == 1 else ${B(p, "count_first") ? "str(n) + s[i]" : "s[i] + str(n)"})`
        : `    out.append(${B(p, "count_first") ? "str(n) + s[i]" : "s[i] + str(n)"})`,
      "    i = j",
      'return "".join(out)',
    ),
  input: (rng) => {
    let s = "";
    const runs = between(rng, 0, 5);
    for (let i = 0; i < runs; i++) s += rng.pick(["a", "b", "c", "x", "z"]).repeat(between(rng, 1, 12));
    return [s];
  },
  solve: (p, [s]) => rle(s as string, B(p, "count_first"), B(p, "skip_ones")),
};

function rle(s: string, countFirst: boolean, skipOnes: boolean): string {
  let out = "";
  let i = 0;
  while (i < s.length) {
    let j = i;
    while (j < s.length && s[j] === s[i]) j++;
    const n = j - i;
    out += skipOnes && n === 1 ? s[i] : countFirst ? `${n}${s[i]}` : `${s[i]}${n}`;
    i = j;
  }
  return out;
}

const removeChars: CodeFamily = {
  id: "remove_chars",
  difficulty: () => 1,
  args: ["s"],
  draw: (rng) => ({ chars: letterSet(rng, 2, 5) }),
  name: () => "remove_chars",
  doc: (p) =>
    `Return s with every occurrence of the characters in ${py(S(p, "chars"))} removed (case-sensitive).`,
  body: (p) => lines(`return "".join(c for c in s if c not in ${py(S(p, "chars"))})`),
  input: (rng, p) => [chars(rng, between(rng, 0, 14), `${LOWER}${S(p, "chars")}${S(p, "chars")} AB`)],
  solve: (p, [s]) => [...(s as string)].filter((c) => !S(p, "chars").includes(c)).join(""),
};

const LEN_OPS: Record<string, [string, (a: number, b: number) => boolean]> = {
  ">": ["longer than", (a, b) => a > b],
  "<": ["shorter than", (a, b) => a < b],
  "==": ["exactly", (a, b) => a === b],
  ">=": ["at least", (a, b) => a >= b],
  "<=": ["at most", (a, b) => a <= b],
};

const wordsByLength: CodeFamily = {
  id: "words_by_length",
  difficulty: (p) => (S(p, "output") === "list" ? 1 : 2),
  args: ["s"],
  draw: (rng) => ({
    op: rng.pick(Object.keys(LEN_OPS)),
    k: between(rng, 1, 8),
    output: rng.pick(["list", "count", "joined"]),
  }),
  name: () => "select_words",
  doc: (p) => {
    const what = `the words of s (split on whitespace) whose length is ${LEN_OPS[S(p, "op")]![0]} ${N(p, "k")}${S(p, "op") === "==" ? "" : " letters"}`;
    if (S(p, "output") === "list") return `Return a list of ${what}, in order.`;
    if (S(p, "output") === "count") return `Return the number of ${what}.`;
    return `Return ${what}, in order, joined by "-".`;
  },
  body: (p) => {
    const pick = `[w for w in s.split() if len(w) ${S(p, "op")} ${N(p, "k")}]`;
    if (S(p, "output") === "list") return lines(`return ${pick}`);
    if (S(p, "output") === "count") return lines(`return len(${pick})`);
    return lines(`return "-".join(${pick})`);
  },
  input: (rng) => [sentence(rng)],
  solve: (p, [s]) => {
    const test = LEN_OPS[S(p, "op")]![1];
    const picked = (s as string)
      .split(" ")
      .filter((w) => w !== "")
      .filter((w) => test(w.length, N(p, "k")));
    if (S(p, "output") === "list") return picked;
    if (S(p, "output") === "count") return picked.length;
    return picked.join("-");
  },
};

const padString: CodeFamily = {
  id: "pad_string",
  difficulty: () => 1,
  args: ["s"],
  draw: (rng) => ({
    side: rng.pick(["left", "right"]),
    width: between(rng, 4, 16),
    fill: rng.pick(["*", "-", "0", ".", "#"]),
  }),
  name: (p) => `pad_${S(p, "side")}`,
  doc: (p) =>
    `Return s padded on the ${S(p, "side")} with ${py(S(p, "fill"))} to length ${N(p, "width")}; if s is already that long or longer, return it unchanged.`,
  body: (p) =>
    lines(`return s.${S(p, "side") === "left" ? "rjust" : "ljust"}(${N(p, "width")}, ${py(S(p, "fill"))})`),
  input: (rng) => [chars(rng, between(rng, 0, 18), LOWER)],
  solve: (p, [s]) =>
    S(p, "side") === "left"
      ? (s as string).padStart(N(p, "width"), S(p, "fill"))
      : (s as string).padEnd(N(p, "width"), S(p, "fill")),
};

const kthOccurrence: CodeFamily = {
  id: "kth_occurrence",
  difficulty: () => 2,
  args: ["s"],
  draw: (rng) => ({ ch: rng.pick(LOWER.split("")), k: between(rng, 1, 4) }),
  name: () => "find_occurrence",
  doc: (p) =>
    `Return the index of the ${ordinal(N(p, "k"))} occurrence of ${py(S(p, "ch"))} in s, or -1 if there is none.`,
  body: (p) =>
    lines(
      "count = 0",
      "for i, c in enumerate(s):",
      `    if c == ${py(S(p, "ch"))}:`,
      "        count += 1",
      `        if count == ${N(p, "k")}:`,
      "            return i",
      "return -1",
    ),
  input: (rng, p) => [chars(rng, between(rng, 0, 16), `${LOWER}${S(p, "ch").repeat(8)}`)],
  solve: (p, [s]) => {
    let count = 0;
    for (let i = 0; i < (s as string).length; i++) {
      if ((s as string)[i] === S(p, "ch") && ++count === N(p, "k")) return i;
    }
    return -1;
  },
};

const acronym: CodeFamily = {
  id: "acronym",
  difficulty: () => 2,
  args: ["s"],
  draw: (rng) => ({ sep: rng.pick(["", ".", "-"]), upper: rng.next() < 0.5, min_len: between(rng, 1, 4) }),
  name: () => "initials",
  doc: (p) =>
    `Return the first letters of the words of s (split on whitespace) that have at least ${N(p, "min_len")} letters, ${B(p, "upper") ? "uppercased" : "lowercased"}, joined by ${py(S(p, "sep"))}.`,
  body: (p) =>
    lines(
      `return ${py(S(p, "sep"))}.join(w[0].${B(p, "upper") ? "upper" : "lower"}() for w in s.split() if len(w) >= ${N(p, "min_len")})`,
    ),
  input: (rng) => [sentence(rng)],
  solve: (p, [s]) =>
    (s as string)
      .split(" ")
      .filter((w) => w.length >= N(p, "min_len") && w !== "")
      .map((w) => (B(p, "upper") ? w[0]!.toUpperCase() : w[0]!.toLowerCase()))
      .join(S(p, "sep")),
};

const transformLongWords: CodeFamily = {
  id: "transform_long_words",
  difficulty: () => 2,
  args: ["s"],
  draw: (rng) => ({ k: between(rng, 0, 6), mode: rng.pick(["reverse", "upper", "capitalize"]) }),
  name: () => "transform_words",
  doc: (p) => {
    const how = {
      reverse: "reversed",
      upper: "in uppercase",
      capitalize: "with its first letter uppercased",
    }[S(p, "mode")];
    return `Split s on whitespace and return the words joined by single spaces, with every word longer than ${N(p, "k")} letters ${how}.`;
  },
  body: (p) => {
    const f = { reverse: "w[::-1]", upper: "w.upper()", capitalize: "w[0].upper() + w[1:]" }[S(p, "mode")];
    return lines(`return " ".join(${f} if len(w) > ${N(p, "k")} else w for w in s.split())`);
  },
  input: (rng) => [sentence(rng)],
  solve: (p, [s]) =>
    (s as string)
      .split(" ")
      .filter((w) => w !== "")
      .map((w) => {
        if (w.length <= N(p, "k")) return w;
        if (S(p, "mode") === "reverse") return [...w].reverse().join("");
        if (S(p, "mode") === "upper") return w.toUpperCase();
        return w[0]!.toUpperCase() + w.slice(1);
      })
      .join(" "),
};

const palindrome: CodeFamily = {
  id: "is_palindrome",
  difficulty: (p) => (B(p, "only_alnum") ? 2 : 1),
  args: ["s"],
  draw: (rng) => ({ ignore_case: rng.next() < 0.5, only_alnum: rng.next() < 0.5 }),
  name: () => "is_palindrome",
  doc: (p) =>
    `Return True if s reads the same forwards and backwards${B(p, "ignore_case") ? ", ignoring case" : ""}${B(p, "only_alnum") ? ", considering only letters and digits" : ""}.`,
  body: (p) =>
    lines(
      `t = ${B(p, "only_alnum") ? '"".join(c for c in s if c.isalnum())' : "s"}`,
      ...(B(p, "ignore_case") ? ["t = t.lower()"] : []),
      "return t == t[::-1]",
    ),
  input: (rng) => {
    const half = chars(rng, between(rng, 0, 5), "abAB1 ,");
    const mid = rng.next() < 0.5 ? chars(rng, 1, "abc") : "";
    const mirrored = [...half]
      .reverse()
      .map((c) => (rng.next() < 0.3 ? c.toUpperCase() : c))
      .join("");
    return [rng.next() < 0.7 ? half + mid + mirrored : chars(rng, between(rng, 0, 8), "abAB1 ,")];
  },
  solve: (p, [s]) => {
    let t = s as string;
    if (B(p, "only_alnum")) t = [...t].filter((c) => /[A-Za-z0-9]/.test(c)).join("");
    if (B(p, "ignore_case")) t = t.toLowerCase();
    return t === [...t].reverse().join("");
  },
};

const topLetters: CodeFamily = {
  id: "top_letters",
  difficulty: () => 3,
  args: ["s"],
  draw: (rng) => ({ k: between(rng, 1, 4) }),
  name: () => "top_letters",
  doc: (p) =>
    `Return the ${N(p, "k")} most frequent lowercase letters in s as a string, most frequent first; break ties alphabetically. Return fewer if s has fewer distinct lowercase letters.`,
  body: (p) =>
    lines(
      "counts = {}",
      "for c in s:",
      '    if "a" <= c <= "z":',
      "        counts[c] = counts.get(c, 0) + 1",
      `return "".join(sorted(counts, key=lambda c: (-counts[c], c))[:${N(p, "k")}])`,
    ),
  input: (rng) => [chars(rng, between(rng, 0, 20), "aabbbcdeeeexyz Q")],
  solve: (p, [s]) => {
    const counts = new Map<string, number>();
    for (const c of s as string) if (c >= "a" && c <= "z") counts.set(c, (counts.get(c) ?? 0) + 1);
    return [...counts.keys()]
      .sort((a, b) => counts.get(b)! - counts.get(a)! || cmpStr(a, b))
      .slice(0, N(p, "k"))
      .join("");
  },
};

const alternateCase: CodeFamily = {
  id: "alternate_case",
  difficulty: () => 2,
  args: ["s"],
  draw: (rng) => ({ start_upper: rng.next() < 0.5, letters_only: rng.next() < 0.5 }),
  name: () => "alternate_case",
  doc: (p) =>
    `Return s with its ${B(p, "letters_only") ? "letters" : "characters"} alternating between ${B(p, "start_upper") ? "upper and lower" : "lower and upper"} case, starting with the first ${B(p, "letters_only") ? "letter; other characters are kept and do not count" : "character"}.`,
  body: (p) =>
    lines(
      "out = []",
      "i = 0",
      "for c in s:",
      ...(B(p, "letters_only")
        ? ["    if not c.isalpha():", "        out.append(c)", "        continue"]
        : []),
      `    out.append(c.upper() if i % 2 == ${B(p, "start_upper") ? 0 : 1} else c.lower())`,
      "    i += 1",
      'return "".join(out)',
    ),
  input: (rng) => [chars(rng, between(rng, 0, 14), `${LOWER}ABC  -1`)],
  solve: (p, [s]) => {
    let i = 0;
    let out = "";
    for (const c of s as string) {
      if (B(p, "letters_only") && !/[A-Za-z]/.test(c)) {
        out += c;
        continue;
      }
      out += i % 2 === (B(p, "start_upper") ? 0 : 1) ? c.toUpperCase() : c.toLowerCase();
      i++;
    }
    return out;
  },
};

// ---- lists of integers ----

const PREDICATES: Record<string, { doc: string; py: string; test: (x: number) => boolean }> = {};
for (let k = 2; k <= 9; k++) {
  PREDICATES[`div${k}`] = { doc: `divisible by ${k}`, py: `x % ${k} == 0`, test: (x) => pymod(x, k) === 0 };
  PREDICATES[`ndiv${k}`] = {
    doc: `not divisible by ${k}`,
    py: `x % ${k} != 0`,
    test: (x) => pymod(x, k) !== 0,
  };
}
for (let t = -5; t <= 15; t++) {
  PREDICATES[`gt${t}`] = { doc: `greater than ${t}`, py: `x > ${t}`, test: (x) => x > t };
  PREDICATES[`lt${t}`] = { doc: `less than ${t}`, py: `x < ${t}`, test: (x) => x < t };
}
const TRANSFORMS: Record<string, { doc: string; py: string; f: (x: number) => number }> = {
  id: { doc: "", py: "x", f: (x) => x },
  sq: { doc: "squared", py: "x * x", f: (x) => x * x },
  neg: { doc: "negated", py: "-x", f: (x) => -x },
  abs: { doc: "as absolute values", py: "abs(x)", f: (x) => Math.abs(x) },
};
for (let c = 2; c <= 5; c++) {
  TRANSFORMS[`mul${c}`] = { doc: `multiplied by ${c}`, py: `x * ${c}`, f: (x) => x * c };
  TRANSFORMS[`add${c}`] = { doc: `plus ${c}`, py: `x + ${c}`, f: (x) => x + c };
  TRANSFORMS[`sub${c}`] = { doc: `minus ${c}`, py: `x - ${c}`, f: (x) => x - c };
}
const AGGREGATES: Record<string, { doc: string; py: (e: string) => string; f: (xs: number[]) => PyValue }> = {
  list: { doc: "the resulting list", py: (e) => `[${e}]`, f: (xs) => xs },
  sum: { doc: "their sum", py: (e) => `sum(${e})`, f: sum },
  count: { doc: "how many there are", py: (e) => `len([${e}])`, f: (xs) => xs.length },
  max: {
    doc: "the largest of them (None if there are none)",
    py: (e) => `max([${e}], default=None)`,
    f: (xs) => (xs.length ? Math.max(...xs) : null),
  },
  min: {
    doc: "the smallest of them (None if there are none)",
    py: (e) => `min([${e}], default=None)`,
    f: (xs) => (xs.length ? Math.min(...xs) : null),
  },
  sorted: {
    doc: "them sorted in ascending order",
    py: (e) => `sorted(${e})`,
    f: (xs) => [...xs].sort(cmpNum),
  },
};

const filterMapReduce: CodeFamily = {
  id: "filter_map_reduce",
  difficulty: (p) => (S(p, "map") === "id" ? 2 : 3),
  args: ["nums"],
  draw: (rng) => ({
    keep: rng.pick(Object.keys(PREDICATES)),
    map: rng.pick(Object.keys(TRANSFORMS)),
    agg: rng.pick(Object.keys(AGGREGATES)),
  }),
  name: () => "process",
  doc: (p) => {
    const t = TRANSFORMS[S(p, "map")]!;
    return `Keep the numbers in nums that are ${PREDICATES[S(p, "keep")]!.doc}${t.doc ? `, take them ${t.doc}` : ""}, and return ${AGGREGATES[S(p, "agg")]!.doc}.`;
  },
  body: (p) =>
    lines(
      `return ${AGGREGATES[S(p, "agg")]!.py(`${TRANSFORMS[S(p, "map")]!.py} for x in nums if ${PREDICATES[S(p, "keep")]!.py}`)}`,
    ),
  input: (rng) => [intList(rng, -12, 25)],
  solve: (p, [nums]) =>
    AGGREGATES[S(p, "agg")]!.f(
      (nums as number[]).filter(PREDICATES[S(p, "keep")]!.test).map(TRANSFORMS[S(p, "map")]!.f),
    ),
};

const kthLargest: CodeFamily = {
  id: "kth_largest",
  difficulty: (p) => (B(p, "distinct") ? 3 : 2),
  args: ["nums"],
  draw: (rng) => ({
    k: between(rng, 1, 5),
    which: rng.pick(["largest", "smallest"]),
    distinct: rng.next() < 0.5,
  }),
  name: (p) => `kth_${S(p, "which")}`,
  doc: (p) =>
    `Return the ${ordinal(N(p, "k"))} ${S(p, "which")} ${B(p, "distinct") ? "distinct value" : "element (counting repeats)"} in nums, or None if there is no such ${B(p, "distinct") ? "value" : "element"}.`,
  body: (p) =>
    lines(
      `vals = sorted(${B(p, "distinct") ? "set(nums)" : "nums"}${S(p, "which") === "largest" ? ", reverse=True" : ""})`,
      `return vals[${N(p, "k") - 1}] if len(vals) >= ${N(p, "k")} else None`,
    ),
  input: (rng) => [intList(rng, -9, 30)],
  solve: (p, [nums]) => {
    let vals = B(p, "distinct") ? [...new Set(nums as number[])] : [...(nums as number[])];
    vals = vals.sort(cmpNum);
    if (S(p, "which") === "largest") vals.reverse();
    return vals.length >= N(p, "k") ? vals[N(p, "k") - 1]! : null;
  },
};

const rotate: CodeFamily = {
  id: "rotate_list",
  difficulty: () => 1,
  args: ["items"],
  draw: (rng) => ({ n: between(rng, 1, 12), direction: rng.pick(["left", "right"]) }),
  name: (p) => `rotate_${S(p, "direction")}`,
  doc: (p) =>
    `Return a new list with items rotated ${S(p, "direction")} by ${N(p, "n")} position${N(p, "n") > 1 ? "s" : ""} (wrapping around; an empty list stays empty).`,
  body: (p) =>
    lines(
      "if not items:",
      "    return []",
      `k = ${N(p, "n")} % len(items)`,
      S(p, "direction") === "left"
        ? "return items[k:] + items[:k]"
        : "return items[-k:] + items[:-k] if k else list(items)",
    ),
  input: (rng) => [intList(rng, 0, 50)],
  solve: (p, [items]) => {
    const xs = items as number[];
    if (xs.length === 0) return [];
    const k = N(p, "n") % xs.length;
    return S(p, "direction") === "left"
      ? [...xs.slice(k), ...xs.slice(0, k)]
      : [...xs.slice(xs.length - k), ...xs.slice(0, xs.length - k)];
  },
};

const windowAgg: CodeFamily = {
  id: "sliding_window",
  difficulty: () => 2,
  args: ["nums"],
  draw: (rng) => ({ w: between(rng, 2, 6), agg: rng.pick(["sum", "max", "min"]) }),
  name: (p) => `window_${S(p, "agg")}`,
  doc: (p) =>
    `Return a list with the ${S(p, "agg")} of every window of ${N(p, "w")} consecutive numbers in nums, in order (empty if nums is shorter than ${N(p, "w")}).`,
  body: (p) =>
    lines(`return [${S(p, "agg")}(nums[i:i + ${N(p, "w")}]) for i in range(len(nums) - ${N(p, "w") - 1})]`),
  input: (rng) => [intList(rng, -10, 20)],
  solve: (p, [nums]) => {
    const xs = nums as number[];
    const out: number[] = [];
    const f =
      S(p, "agg") === "sum"
        ? sum
        : S(p, "agg") === "max"
          ? (v: number[]) => Math.max(...v)
          : (v: number[]) => Math.min(...v);
    for (let i = 0; i + N(p, "w") <= xs.length; i++) out.push(f(xs.slice(i, i + N(p, "w"))));
    return out;
  },
};

const pairCount: CodeFamily = {
  id: "pair_count",
  difficulty: () => 2,
  args: ["nums"],
  draw: (rng) => {
    const kind = rng.pick(["sum", "difference"]);
    return { kind, target: kind === "sum" ? between(rng, -10, 40) : between(rng, 0, 15) };
  },
  name: () => "count_pairs",
  doc: (p) =>
    S(p, "kind") === "sum"
      ? `Return the number of index pairs i < j with nums[i] + nums[j] == ${N(p, "target")}.`
      : `Return the number of index pairs i < j with abs(nums[i] - nums[j]) == ${Math.abs(N(p, "target"))}.`,
  body: (p) =>
    lines(
      "n = len(nums)",
      S(p, "kind") === "sum"
        ? `return sum(1 for i in range(n) for j in range(i + 1, n) if nums[i] + nums[j] == ${N(p, "target")})`
        : `return sum(1 for i in range(n) for j in range(i + 1, n) if abs(nums[i] - nums[j]) == ${Math.abs(N(p, "target"))})`,
    ),
  input: (rng) => [intList(rng, -10, 25, 0, 10)],
  solve: (p, [nums]) => {
    const xs = nums as number[];
    let c = 0;
    for (let i = 0; i < xs.length; i++) {
      for (let j = i + 1; j < xs.length; j++) {
        if (
          S(p, "kind") === "sum"
            ? xs[i]! + xs[j]! === N(p, "target")
            : Math.abs(xs[i]! - xs[j]!) === Math.abs(N(p, "target"))
        )
          c++;
      }
    }
    return c;
  },
};

const clamp: CodeFamily = {
  id: "clamp_values",
  difficulty: () => 1,
  args: ["nums"],
  draw: (rng) => {
    const lo = between(rng, -10, 10);
    return { lo, hi: lo + between(rng, 2, 30) };
  },
  name: () => "clamp_all",
  doc: (p) =>
    `Return a new list where each number in nums is clamped to the range [${N(p, "lo")}, ${N(p, "hi")}].`,
  body: (p) => lines(`return [min(max(x, ${N(p, "lo")}), ${N(p, "hi")}) for x in nums]`),
  input: (rng) => [intList(rng, -20, 45)],
  solve: (p, [nums]) => (nums as number[]).map((x) => Math.min(Math.max(x, N(p, "lo")), N(p, "hi"))),
};

const everyNth: CodeFamily = {
  id: "every_nth",
  difficulty: () => 1,
  args: ["nums"],
  draw: (rng) => {
    const n = between(rng, 2, 6);
    return { n, start: between(rng, 0, n - 1), agg: rng.pick(["list", "sum"]) };
  },
  name: () => "every_nth",
  doc: (p) =>
    `Return ${S(p, "agg") === "sum" ? "the sum of" : "a list of"} the elements of nums at indices ${N(p, "start")}, ${N(p, "start") + N(p, "n")}, ${N(p, "start") + 2 * N(p, "n")}, ... (every ${ordinal(N(p, "n"))} element starting at index ${N(p, "start")}).`,
  body: (p) => {
    const slice = `nums[${N(p, "start")}::${N(p, "n")}]`;
    return lines(`return ${S(p, "agg") === "sum" ? `sum(${slice})` : slice}`);
  },
  input: (rng) => [intList(rng, -5, 30, 0, 14)],
  solve: (p, [nums]) => {
    const picked = (nums as number[]).filter(
      (_, i) => i >= N(p, "start") && (i - N(p, "start")) % N(p, "n") === 0,
    );
    return S(p, "agg") === "sum" ? sum(picked) : picked;
  },
};

const chunkAgg: CodeFamily = {
  id: "chunk_list",
  difficulty: () => 2,
  args: ["nums"],
  draw: (rng) => ({ n: between(rng, 2, 6), agg: rng.pick(["list", "sum", "max"]) }),
  name: () => "chunks",
  doc: (p) => {
    const base = `Split nums into consecutive chunks of ${N(p, "n")} (the last one may be shorter)`;
    if (S(p, "agg") === "list") return `${base} and return the list of chunks.`;
    return `${base} and return a list with the ${S(p, "agg")} of each chunk.`;
  },
  body: (p) => {
    const chunk = `nums[i:i + ${N(p, "n")}] for i in range(0, len(nums), ${N(p, "n")})`;
    return lines(
      S(p, "agg") === "list"
        ? `return [${chunk}]`
        : `return [${S(p, "agg")}(${chunk.replace(" for", ") for")}]`,
    );
  },
  input: (rng) => [intList(rng, -5, 30, 0, 13)],
  solve: (p, [nums]) => {
    const xs = nums as number[];
    const out: PyValue[] = [];
    for (let i = 0; i < xs.length; i += N(p, "n")) {
      const c = xs.slice(i, i + N(p, "n"));
      out.push(S(p, "agg") === "list" ? c : S(p, "agg") === "sum" ? sum(c) : Math.max(...c));
    }
    return out;
  },
};

const running: CodeFamily = {
  id: "running_aggregate",
  difficulty: () => 2,
  args: ["nums"],
  draw: (rng) => ({ agg: rng.pick(["sum", "max", "min", "product"]), from_right: rng.next() < 0.3 }),
  name: (p) => `running_${S(p, "agg")}`,
  doc: (p) =>
    `Return a list whose i-th element is the ${S(p, "agg")} of ${B(p, "from_right") ? "nums[i:] (from index i to the end)" : "nums[:i + 1] (the first i + 1 numbers)"}.`,
  body: (p) => {
    const f =
      S(p, "agg") === "product" ? "acc * x" : S(p, "agg") === "sum" ? "acc + x" : `${S(p, "agg")}(acc, x)`;
    return lines(
      "out = []",
      "acc = None",
      `for x in ${B(p, "from_right") ? "reversed(nums)" : "nums"}:`,
      `    acc = x if acc is None else ${f}`,
      "    out.append(acc)",
      `return ${B(p, "from_right") ? "out[::-1]" : "out"}`,
    );
  },
  input: (rng, p) => [
    intList(rng, S(p, "agg") === "product" ? -3 : -10, S(p, "agg") === "product" ? 4 : 25, 0, 8),
  ],
  solve: (p, [nums]) => {
    const xs = B(p, "from_right") ? [...(nums as number[])].reverse() : (nums as number[]);
    const out: number[] = [];
    let acc: number | null = null;
    for (const x of xs) {
      if (acc === null) acc = x;
      else if (S(p, "agg") === "sum") acc += x;
      else if (S(p, "agg") === "product") acc *= x;
      else if (S(p, "agg") === "max") acc = Math.max(acc, x);
      else acc = Math.min(acc, x);
      out.push(acc);
    }
    return B(p, "from_right") ? out.reverse() : out;
  },
};

const ELEMENTWISE: Record<string, [string, (a: number, b: number) => number]> = {
  add: ["a + b", (a, b) => a + b],
  subtract: ["a - b", (a, b) => a - b],
  multiply: ["a * b", (a, b) => a * b],
  max: ["max(a, b)", Math.max],
  min: ["min(a, b)", Math.min],
};

const elementwise: CodeFamily = {
  id: "elementwise_pairs",
  difficulty: () => 1,
  args: ["xs", "ys"],
  draw: (rng) => ({ op: rng.pick(Object.keys(ELEMENTWISE)), pad: rng.next() < 0.5 }),
  name: (p) => `pairwise_${S(p, "op")}`,
  doc: (p) =>
    `Return a list combining xs and ys position by position with ${ELEMENTWISE[S(p, "op")]![0].replace(/\ba\b/, "x").replace(/\bb\b/, "y")}${B(p, "pad") ? "; the shorter list is padded with 0 to the length of the longer one" : "; stop at the end of the shorter list"}.`,
  body: (p) =>
    lines(
      B(p, "pad") ? "n = max(len(xs), len(ys))" : "n = min(len(xs), len(ys))",
      B(p, "pad") ? "xs = xs + [0] * (n - len(xs))" : "",
      B(p, "pad") ? "ys = ys + [0] * (n - len(ys))" : "",
      `return [${ELEMENTWISE[S(p, "op")]![0]} for a, b in zip(xs[:n], ys[:n])]`,
    )
      .split("\n")
      .filter((l) => l.trim() !== "")
      .join("\n"),
  input: (rng) => [intList(rng, -9, 20, 0, 6), intList(rng, -9, 20, 0, 6)],
  solve: (p, [xs, ys]) => {
    const a = xs as number[];
    const b = ys as number[];
    const n = B(p, "pad") ? Math.max(a.length, b.length) : Math.min(a.length, b.length);
    const f = ELEMENTWISE[S(p, "op")]![1];
    return Array.from({ length: n }, (_, i) => f(a[i] ?? 0, b[i] ?? 0));
  },
};

const dedupe: CodeFamily = {
  id: "dedupe",
  difficulty: (p) => (S(p, "keep") === "last" ? 3 : 2),
  args: ["items"],
  // `keep` only matters for the list output; a count of removed elements is the same task either way.
  draw: (rng): Params => {
    const output = rng.pick(["list", "removed"]);
    return output === "list" ? { keep: rng.pick(["first", "last"]), output } : { output };
  },
  name: () => "dedupe",
  doc: (p) =>
    S(p, "output") === "list"
      ? `Return items without duplicates, keeping the ${S(p, "keep")} occurrence of each value and the order of the kept elements.`
      : "Return how many elements would be removed from items to leave each value exactly once.",
  body: (p) => {
    if (S(p, "output") === "removed") return lines("return len(items) - len(set(items))");
    if (S(p, "keep") === "first")
      return lines(
        "seen = set()",
        "out = []",
        "for x in items:",
        "    if x not in seen:",
        "        seen.add(x)",
        "        out.append(x)",
        "return out",
      );
    return lines(
      "last = {x: i for i, x in enumerate(items)}",
      "return [x for i, x in enumerate(items) if last[x] == i]",
    );
  },
  input: (rng) => [intList(rng, 0, 6, 0, 10)],
  solve: (p, [items]) => {
    const xs = items as number[];
    if (S(p, "output") === "removed") return xs.length - new Set(xs).size;
    if (S(p, "keep") === "first") return xs.filter((x, i) => xs.indexOf(x) === i);
    return xs.filter((x, i) => xs.lastIndexOf(x) === i);
  },
};

// ---- integers ----

const digitOps: CodeFamily = {
  id: "digits_in_base",
  difficulty: (p) => (N(p, "base") === 10 ? 1 : 2),
  args: ["n"],
  draw: (rng) => ({
    base: rng.next() < 0.3 ? 10 : between(rng, 2, 16),
    op: rng.pick(["sum", "count_nonzero", "max"]),
  }),
  name: (p) => `digit_${S(p, "op")}`,
  doc: (p) => {
    const what = {
      sum: "the sum of the digits",
      count_nonzero: "the number of nonzero digits",
      max: "the largest digit",
    }[S(p, "op")];
    return `Given an integer n >= 0, return ${what} of n written in base ${N(p, "base")} (n = 0 has the single digit 0).`;
  },
  body: (p) =>
    lines(
      "digits = []",
      "while True:",
      `    digits.append(n % ${N(p, "base")})`,
      `    n //= ${N(p, "base")}`,
      "    if n == 0:",
      "        break",
      `return ${{ sum: "sum(digits)", count_nonzero: "sum(1 for d in digits if d)", max: "max(digits)" }[S(p, "op")]}`,
    ),
  input: (rng) => [rng.next() < 0.1 ? 0 : between(rng, 1, rng.pick([50, 1000, 100000]))],
  solve: (p, [n]) => {
    const digits = (n as number)
      .toString(N(p, "base"))
      .split("")
      .map((c) => Number.parseInt(c, 36));
    if (S(p, "op") === "sum") return sum(digits);
    if (S(p, "op") === "count_nonzero") return digits.filter((d) => d !== 0).length;
    return Math.max(...digits);
  },
};

const toBase: CodeFamily = {
  id: "to_base",
  difficulty: () => 2,
  args: ["n"],
  // Letter case only matters for bases above 10 (a base-10 task with either flag is the same task).
  draw: (rng): Params => {
    const base = between(rng, 2, 16);
    return base > 10 ? { base, upper: rng.next() < 0.5 } : { base };
  },
  name: (p) => `to_base_${N(p, "base")}`,
  doc: (p) =>
    `Return the integer n >= 0 written in base ${N(p, "base")} as a string${N(p, "base") > 10 ? ` using ${B(p, "upper") ? "uppercase" : "lowercase"} letters for digits above 9` : ""} ("0" for n = 0).`,
  body: (p) =>
    lines(
      `digits = "${(B(p, "upper") ? "0123456789ABCDEF" : "0123456789abcdef").slice(0, N(p, "base"))}"`,
      `out = digits[n % ${N(p, "base")}]`,
      `n //= ${N(p, "base")}`,
      "while n:",
      `    out = digits[n % ${N(p, "base")}] + out`,
      `    n //= ${N(p, "base")}`,
      "return out",
    ),
  input: (rng) => [rng.next() < 0.1 ? 0 : between(rng, 1, rng.pick([20, 500, 70000]))],
  solve: (p, [n]) => {
    const s = (n as number).toString(N(p, "base"));
    return B(p, "upper") ? s.toUpperCase() : s;
  },
};

const FIZZ_WORDS = ["Fizz", "Buzz", "Bang", "Pop", "Zap", "Ping", "Boom", "Whiz"];

const fizzBuzz: CodeFamily = {
  id: "fizzbuzz_variant",
  difficulty: () => 1,
  args: ["n"],
  draw: (rng) => {
    const a = between(rng, 2, 8);
    let b = between(rng, a + 1, 9);
    while (b % a === 0 && b < 9) b++;
    const [wa, wb] = rng.shuffle([...FIZZ_WORDS]).slice(0, 2);
    return { a, b, wa: wa!, wb: wb! };
  },
  name: () => "say",
  doc: (p) =>
    `Return ${py(S(p, "wa") + S(p, "wb"))} if n is divisible by both ${N(p, "a")} and ${N(p, "b")}, ${py(S(p, "wa"))} if only by ${N(p, "a")}, ${py(S(p, "wb"))} if only by ${N(p, "b")}, and otherwise str(n).`,
  body: (p) =>
    lines(
      `if n % ${N(p, "a")} == 0 and n % ${N(p, "b")} == 0:`,
      `    return ${py(S(p, "wa") + S(p, "wb"))}`,
      `if n % ${N(p, "a")} == 0:`,
      `    return ${py(S(p, "wa"))}`,
      `if n % ${N(p, "b")} == 0:`,
      `    return ${py(S(p, "wb"))}`,
      "return str(n)",
    ),
  input: (rng, p) => [
    rng.next() < 0.4 ? N(p, rng.pick(["a", "b"])) * between(rng, 1, 12) : between(rng, 1, 100),
  ],
  solve: (p, [n]) => {
    const x = n as number;
    const da = x % N(p, "a") === 0;
    const db = x % N(p, "b") === 0;
    return da && db ? S(p, "wa") + S(p, "wb") : da ? S(p, "wa") : db ? S(p, "wb") : String(x);
  },
};

const sumMultiples: CodeFamily = {
  id: "sum_multiples",
  difficulty: () => 2,
  args: ["n"],
  draw: (rng) => {
    const a = between(rng, 2, 11);
    return { a, b: between(rng, a + 1, 12), mode: rng.pick(["or", "and", "xor"]) };
  },
  name: () => "sum_multiples",
  doc: (p) => {
    const cond = { or: "either", and: "both", xor: "exactly one of" }[S(p, "mode")];
    return `Return the sum of the positive integers below n that are multiples of ${cond} ${N(p, "a")} ${S(p, "mode") === "or" ? "or" : "and"} ${N(p, "b")}.`;
  },
  body: (p) => {
    const a = `x % ${N(p, "a")} == 0`;
    const b = `x % ${N(p, "b")} == 0`;
    const cond = { or: `${a} or ${b}`, and: `${a} and ${b}`, xor: `(${a}) != (${b})` }[S(p, "mode")];
    return lines(`return sum(x for x in range(1, n) if ${cond})`);
  },
  input: (rng) => [between(rng, 0, 200)],
  solve: (p, [n]) => {
    let t = 0;
    for (let x = 1; x < (n as number); x++) {
      const a = x % N(p, "a") === 0;
      const b = x % N(p, "b") === 0;
      if (S(p, "mode") === "or" ? a || b : S(p, "mode") === "and" ? a && b : a !== b) t += x;
    }
    return t;
  },
};

const isPrime = (n: number) => {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
};

const primes: CodeFamily = {
  id: "primes_in_window",
  difficulty: () => 3,
  args: ["n"],
  draw: (rng) => ({ width: between(rng, 1, 10) * 10, op: rng.pick(["count", "sum", "list"]) }),
  name: (p) => `${S(p, "op")}_primes`,
  doc: (p) => {
    const what = { count: "the number of", sum: "the sum of the", list: "a sorted list of the" }[S(p, "op")];
    return `Return ${what} primes p with n <= p < n + ${N(p, "width")}.`;
  },
  body: (p) =>
    lines(
      "def is_prime(k):",
      "    if k < 2:",
      "        return False",
      "    d = 2",
      "    while d * d <= k:",
      "        if k % d == 0:",
      "            return False",
      "        d += 1",
      "    return True",
      `ps = [k for k in range(n, n + ${N(p, "width")}) if is_prime(k)]`,
      `return ${{ count: "len(ps)", sum: "sum(ps)", list: "ps" }[S(p, "op")]}`,
    ),
  input: (rng) => [between(rng, -5, 300)],
  solve: (p, [n]) => {
    const ps: number[] = [];
    for (let k = n as number; k < (n as number) + N(p, "width"); k++) if (isPrime(k)) ps.push(k);
    return S(p, "op") === "count" ? ps.length : S(p, "op") === "sum" ? sum(ps) : ps;
  },
};

const gcdLcm: CodeFamily = {
  id: "gcd_lcm_list",
  difficulty: () => 2,
  args: ["nums"],
  draw: (rng) => ({ op: rng.pick(["gcd", "lcm"]) }),
  name: (p) => `list_${S(p, "op")}`,
  doc: (p) =>
    `Return the ${S(p, "op") === "gcd" ? "greatest common divisor" : "least common multiple"} of the positive integers in nums (nums is not empty).`,
  body: (p) =>
    lines(
      "def gcd(a, b):",
      "    while b:",
      "        a, b = b, a % b",
      "    return a",
      "acc = nums[0]",
      "for x in nums[1:]:",
      `    acc = ${S(p, "op") === "gcd" ? "gcd(acc, x)" : "acc * x // gcd(acc, x)"}`,
      "return acc",
    ),
  input: (rng) => {
    const base = between(rng, 1, 6);
    return [Array.from({ length: between(rng, 1, 4) }, () => base * between(rng, 1, 9))];
  },
  solve: (p, [nums]) => {
    const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);
    return (nums as number[]).reduce((acc, x) =>
      S(p, "op") === "gcd" ? gcd(acc, x) : (acc * x) / gcd(acc, x),
    );
  },
};

const RUN_KINDS: Record<string, [string, string, (prev: number, x: number) => boolean]> = {
  equal: ["equal numbers", "x == prev", (prev, x) => x === prev],
  increasing: ["strictly increasing numbers", "x > prev", (prev, x) => x > prev],
  decreasing: ["strictly decreasing numbers", "x < prev", (prev, x) => x < prev],
};
const SINGLE_KINDS: Record<string, [string, string, (x: number) => boolean]> = {
  even: ["even numbers", "x % 2 == 0", (x) => pymod(x, 2) === 0],
  odd: ["odd numbers", "x % 2 == 1", (x) => pymod(x, 2) === 1],
  positive: ["positive numbers", "x > 0", (x) => x > 0],
};

const longestRun: CodeFamily = {
  id: "longest_run",
  difficulty: () => 3,
  args: ["nums"],
  draw: (rng) => ({ kind: rng.pick([...Object.keys(RUN_KINDS), ...Object.keys(SINGLE_KINDS)]) }),
  name: () => "longest_run",
  doc: (p) =>
    `Return the length of the longest run of consecutive ${(RUN_KINDS[S(p, "kind")] ?? SINGLE_KINDS[S(p, "kind")])![0]} in nums (0 for an empty list).`,
  body: (p) => {
    const pair = RUN_KINDS[S(p, "kind")];
    if (pair) {
      return lines(
        "best = cur = 0",
        "prev = None",
        "for x in nums:",
        `    cur = cur + 1 if prev is not None and ${pair[1]} else 1`,
        "    best = max(best, cur)",
        "    prev = x",
        "return best",
      );
    }
    return lines(
      "best = cur = 0",
      "for x in nums:",
      `    cur = cur + 1 if ${SINGLE_KINDS[S(p, "kind")]![1]} else 0`,
      "    best = max(best, cur)",
      "return best",
    );
  },
  input: (rng) => [intList(rng, -3, 6, 0, 12)],
  solve: (p, [nums]) => {
    let best = 0;
    let cur = 0;
    let prev: number | null = null;
    const pair = RUN_KINDS[S(p, "kind")];
    for (const x of nums as number[]) {
      if (pair) cur = prev !== null && pair[2](prev, x) ? cur + 1 : 1;
      else cur = SINGLE_KINDS[S(p, "kind")]![2](x) ? cur + 1 : 0;
      best = Math.max(best, cur);
      prev = x;
    }
    return best;
  },
};

const maxWindowSum: CodeFamily = {
  id: "max_window_sum",
  difficulty: () => 3,
  args: ["nums"],
  draw: (rng) => ({ k: between(rng, 1, 6), which: rng.pick(["max", "min"]) }),
  name: (p) => `${S(p, "which")}_sum_of_${N(p, "k")}`,
  doc: (p) =>
    `Return the ${S(p, "which") === "max" ? "largest" : "smallest"} sum of ${N(p, "k")} consecutive numbers in nums, or None if nums has fewer than ${N(p, "k")} numbers.`,
  body: (p) =>
    lines(
      `if len(nums) < ${N(p, "k")}:`,
      "    return None",
      `return ${S(p, "which")}(sum(nums[i:i + ${N(p, "k")}]) for i in range(len(nums) - ${N(p, "k") - 1}))`,
    ),
  input: (rng) => [intList(rng, -15, 15, 0, 10)],
  solve: (p, [nums]) => {
    const xs = nums as number[];
    const k = N(p, "k");
    if (xs.length < k) return null;
    const sums: number[] = [];
    for (let i = 0; i + k <= xs.length; i++) sums.push(sum(xs.slice(i, i + k)));
    return S(p, "which") === "max" ? Math.max(...sums) : Math.min(...sums);
  },
};

const MATRIX_OPS: Record<string, { doc: string; py: string[]; f: (m: number[][]) => PyValue }> = {
  transpose: {
    doc: "its transpose (a list of columns)",
    py: ["return [list(col) for col in zip(*m)]"],
    f: (m) => m[0]!.map((_, j) => m.map((r) => r[j]!)),
  },
  row_sums: {
    doc: "a list with the sum of each row",
    py: ["return [sum(r) for r in m]"],
    f: (m) => m.map(sum),
  },
  col_sums: {
    doc: "a list with the sum of each column",
    py: ["return [sum(col) for col in zip(*m)]"],
    f: (m) => m[0]!.map((_, j) => sum(m.map((r) => r[j]!))),
  },
  diag: {
    doc: "the sum of m[i][i] over i < min(rows, columns)",
    py: ["return sum(m[i][i] for i in range(min(len(m), len(m[0]))))"],
    f: (m) => sum(m.slice(0, Math.min(m.length, m[0]!.length)).map((r, i) => r[i]!)),
  },
  row_max: {
    doc: "the index of the row with the largest sum (the first one on ties)",
    py: ["sums = [sum(r) for r in m]", "return sums.index(max(sums))"],
    f: (m) => {
      const s = m.map(sum);
      return s.indexOf(Math.max(...s));
    },
  },
  flip: {
    doc: "m mirrored left to right (each row reversed)",
    py: ["return [r[::-1] for r in m]"],
    f: (m) => m.map((r) => [...r].reverse()),
  },
};

const matrix: CodeFamily = {
  id: "matrix_ops",
  difficulty: (p) => (S(p, "op") === "transpose" || S(p, "op") === "row_max" ? 3 : 2),
  args: ["m"],
  draw: (rng) => ({ op: rng.pick(Object.keys(MATRIX_OPS)) }),
  name: (p) => `matrix_${S(p, "op")}`,
  doc: (p) =>
    `Given a non-empty rectangular matrix m (a list of equal-length rows), return ${MATRIX_OPS[S(p, "op")]!.doc}.`,
  body: (p) => lines(...MATRIX_OPS[S(p, "op")]!.py),
  input: (rng) => {
    const r = between(rng, 1, 4);
    const c = between(rng, 1, 4);
    return [Array.from({ length: r }, () => Array.from({ length: c }, () => between(rng, -5, 9)))];
  },
  solve: (p, [m]) => MATRIX_OPS[S(p, "op")]!.f(m as number[][]),
};

// ---- dicts ----

const MERGE_OPS: Record<string, [string, string, (a: number, b: number) => number]> = {
  sum: ["their sum", "a + b", (a, b) => a + b],
  max: ["the larger value", "max(a, b)", Math.max],
  min: ["the smaller value", "min(a, b)", Math.min],
  product: ["their product", "a * b", (a, b) => a * b],
  first: ["the value from d1", "a", (a) => a],
  diff: ["d1's value minus d2's value", "a - b", (a, b) => a - b],
};

const mergeDicts: CodeFamily = {
  id: "merge_dicts",
  difficulty: () => 2,
  args: ["d1", "d2"],
  draw: (rng) => ({ op: rng.pick(Object.keys(MERGE_OPS)) }),
  name: (p) => `merge_${S(p, "op")}`,
  doc: (p) =>
    `Merge dicts d1 and d2 into a new dict: a key in only one of them keeps its value; a key in both gets ${MERGE_OPS[S(p, "op")]![0]}.`,
  body: (p) =>
    lines(
      "out = dict(d1)",
      "for k, b in d2.items():",
      "    if k in out:",
      "        a = out[k]",
      `        out[k] = ${MERGE_OPS[S(p, "op")]![1]}`,
      "    else:",
      "        out[k] = b",
      "return out",
    ),
  input: (rng) => [wordDict(rng, 5), wordDict(rng, 5)],
  solve: (p, [d1, d2]) => {
    const out: Record<string, number> = { ...(d1 as Record<string, number>) };
    for (const [k, b] of Object.entries(d2 as Record<string, number>)) {
      out[k] = k in out ? MERGE_OPS[S(p, "op")]![2](out[k]!, b) : b;
    }
    return out;
  },
};

const invertDict: CodeFamily = {
  id: "invert_dict",
  difficulty: () => 2,
  args: ["d"],
  draw: (rng) => ({ mode: rng.pick(["sorted_keys", "count"]) }),
  name: () => "invert",
  doc: (p) =>
    S(p, "mode") === "sorted_keys"
      ? "Return a dict mapping each value of d to the sorted list of keys that have that value."
      : "Return a dict mapping each value of d to how many keys have that value.",
  body: (p) =>
    S(p, "mode") === "sorted_keys"
      ? lines("out = {}", "for k in sorted(d):", "    out.setdefault(d[k], []).append(k)", "return out")
      : lines("out = {}", "for v in d.values():", "    out[v] = out.get(v, 0) + 1", "return out"),
  input: (rng) => [wordDict(rng, 7, 0, 4)],
  solve: (p, [d]) => {
    const m = new Map<number, string[]>();
    for (const k of Object.keys(d as object).sort(cmpStr)) {
      const v = (d as Record<string, number>)[k]!;
      m.set(v, [...(m.get(v) ?? []), k]);
    }
    return new PyDict([...m].map(([v, ks]) => [v, S(p, "mode") === "sorted_keys" ? ks : ks.length]));
  },
};

const wordCount: CodeFamily = {
  id: "word_frequency",
  difficulty: (p) => (S(p, "output") === "dict" ? 2 : 3),
  args: ["text"],
  draw: (rng) => ({ min_len: between(rng, 1, 5), output: rng.pick(["dict", "most_common"]) }),
  name: () => "word_counts",
  doc: (p) => {
    const which = `the lowercased words of text (split on whitespace) with at least ${N(p, "min_len")} letters`;
    return S(p, "output") === "dict"
      ? `Return a dict counting ${which}.`
      : `Among ${which}, return the most frequent one (the alphabetically first on ties), or None if there are none.`;
  },
  body: (p) =>
    lines(
      "counts = {}",
      "for w in text.lower().split():",
      `    if len(w) >= ${N(p, "min_len")}:`,
      "        counts[w] = counts.get(w, 0) + 1",
      S(p, "output") === "dict"
        ? "return counts"
        : "return min(counts, key=lambda w: (-counts[w], w), default=None)",
    ),
  input: (rng) => [
    words(rng, between(rng, 0, 9))
      .map((w) => (rng.next() < 0.2 ? w.toUpperCase() : w))
      .join(" "),
  ],
  solve: (p, [text]) => {
    const counts = new Map<string, number>();
    for (const w of (text as string).toLowerCase().split(" ")) {
      if (w !== "" && w.length >= N(p, "min_len")) counts.set(w, (counts.get(w) ?? 0) + 1);
    }
    if (S(p, "output") === "dict") return Object.fromEntries(counts);
    const ranked = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || cmpStr(a, b));
    return ranked[0] ?? null;
  },
};

const GROUP_KEYS: Record<string, [string, string, (w: string) => PyValue]> = {
  first: ["first letter", "w[0]", (w) => w[0]!],
  last: ["last letter", "w[-1]", (w) => w.at(-1)!],
  length: ["length", "len(w)", (w) => w.length],
};

const groupWords: CodeFamily = {
  id: "group_words",
  difficulty: () => 2,
  args: ["words"],
  draw: (rng) => ({ key: rng.pick(Object.keys(GROUP_KEYS)), sort: rng.next() < 0.5 }),
  name: (p) => `group_by_${S(p, "key")}`,
  doc: (p) =>
    `Group the non-empty strings in words by their ${GROUP_KEYS[S(p, "key")]![0]}: return a dict mapping each ${GROUP_KEYS[S(p, "key")]![0]} to the list of words that have it, ${B(p, "sort") ? "sorted alphabetically" : "in their original order"}.`,
  body: (p) =>
    lines(
      "out = {}",
      `for w in ${B(p, "sort") ? "sorted(words)" : "words"}:`,
      `    out.setdefault(${GROUP_KEYS[S(p, "key")]![1]}, []).append(w)`,
      "return out",
    ),
  input: (rng) => [words(rng, between(rng, 0, 7))],
  solve: (p, [ws]) => {
    const list = B(p, "sort") ? [...(ws as string[])].sort(cmpStr) : (ws as string[]);
    const m = new Map<PyValue, string[]>();
    for (const w of list) {
      const k = GROUP_KEYS[S(p, "key")]![2](w);
      m.set(k, [...(m.get(k) ?? []), w]);
    }
    return new PyDict([...m]);
  },
};

const filterDict: CodeFamily = {
  id: "filter_dict",
  difficulty: () => 1,
  args: ["d"],
  draw: (rng): Params => {
    const kind = rng.pick(["value_gt", "value_parity", "key_letter", "key_len"]);
    if (kind === "value_gt") return { kind, t: between(rng, -5, 15) };
    if (kind === "value_parity") return { kind, even: rng.next() < 0.5 };
    if (kind === "key_letter") return { kind, c: rng.pick(LOWER.split("")) };
    return { kind, k: between(rng, 2, 6) };
  },
  name: () => "filter_items",
  doc: (p) => {
    const cond = {
      value_gt: () => `whose value is greater than ${N(p, "t")}`,
      value_parity: () => `whose value is ${B(p, "even") ? "even" : "odd"}`,
      key_letter: () => `whose key contains the letter ${py(S(p, "c"))}`,
      key_len: () => `whose key is longer than ${N(p, "k")} characters`,
    }[S(p, "kind")]!();
    return `Return a new dict with only the items of d ${cond}.`;
  },
  body: (p) => {
    const cond = {
      value_gt: () => `v > ${N(p, "t")}`,
      value_parity: () => `v % 2 == ${B(p, "even") ? 0 : 1}`,
      key_letter: () => `${py(S(p, "c"))} in k`,
      key_len: () => `len(k) > ${N(p, "k")}`,
    }[S(p, "kind")]!();
    return lines(`return {k: v for k, v in d.items() if ${cond}}`);
  },
  input: (rng) => [wordDict(rng, 7)],
  solve: (p, [d]) => {
    const test = {
      value_gt: (_: string, v: number) => v > N(p, "t"),
      value_parity: (_: string, v: number) => pymod(v, 2) === (B(p, "even") ? 0 : 1),
      key_letter: (k: string) => k.includes(S(p, "c")),
      key_len: (k: string) => k.length > N(p, "k"),
    }[S(p, "kind")]!;
    return Object.fromEntries(Object.entries(d as Record<string, number>).filter(([k, v]) => test(k, v)));
  },
};

const sumByKeyLetter: CodeFamily = {
  id: "sum_values_by_key",
  difficulty: () => 1,
  args: ["d"],
  draw: (rng) => ({ c: rng.pick(LOWER.split("")), where: rng.pick(["starts", "ends", "contains"]) }),
  name: () => "sum_selected",
  doc: (p) =>
    `Return the sum of the values of d whose key ${{ starts: "starts with", ends: "ends with", contains: "contains" }[S(p, "where")]} ${py(S(p, "c"))}.`,
  body: (p) => {
    const cond = {
      starts: `k.startswith(${py(S(p, "c"))})`,
      ends: `k.endswith(${py(S(p, "c"))})`,
      contains: `${py(S(p, "c"))} in k`,
    }[S(p, "where")];
    return lines(`return sum(v for k, v in d.items() if ${cond})`);
  },
  input: (rng, p) => {
    const d = wordDict(rng, 7);
    if (rng.next() < 0.6) {
      const w = rng.pick(WORDS.filter((x) => x.includes(S(p, "c")))) ?? "";
      if (w) d[w] = between(rng, -5, 20);
    }
    return [d];
  },
  solve: (p, [d]) => {
    const c = S(p, "c");
    const test = {
      starts: (k: string) => k.startsWith(c),
      ends: (k: string) => k.endsWith(c),
      contains: (k: string) => k.includes(c),
    }[S(p, "where")]!;
    return sum(
      Object.entries(d as Record<string, number>)
        .filter(([k]) => test(k))
        .map(([, v]) => v),
    );
  },
};

export const CODE_FAMILIES: CodeFamily[] = [
  countChars,
  replaceChar,
  caesar,
  runLength,
  removeChars,
  wordsByLength,
  padString,
  kthOccurrence,
  acronym,
  transformLongWords,
  palindrome,
  topLetters,
  alternateCase,
  filterMapReduce,
  kthLargest,
  rotate,
  windowAgg,
  pairCount,
  clamp,
  everyNth,
  chunkAgg,
  running,
  elementwise,
  dedupe,
  digitOps,
  toBase,
  fizzBuzz,
  sumMultiples,
  primes,
  gcdLcm,
  longestRun,
  maxWindowSum,
  matrix,
  mergeDicts,
  invertDict,
  wordCount,
  groupWords,
  filterDict,
  sumByKeyLetter,
];

/** The reference solution, without the docstring (the prompt has it). */
export function referenceSource(f: CodeFamily, p: Params): string {
  return `def ${f.name(p)}(${f.args.join(", ")}):\n${f.body(p)}\n`;
}
