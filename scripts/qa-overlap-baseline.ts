// What does a qa question give away without any word knowledge? This scores a knowledge-free
// heuristic on a qa split: pick the option that shares the most words with the question (two words
// match when equal, or when both are longer than four letters and start with the same five; stop
// words and the question's own template words are left out), splitting ties evenly. It is the
// ceiling of what a policy can learn on qa from surface matching alone, next to chance (1 / options).
//
//   node dist/scripts/qa-overlap-baseline.js [--data datasets] [--split test]
import { join } from "node:path";
import { parseArgs } from "node:util";
import { readRows } from "../src/tasks/io.js";
import { promptText } from "../src/tasks/schema.js";

const STOP = new Set(
  "a an the of or and to in is be by for with as on at that which what does word means mean kind synonym".split(
    " ",
  ),
);

function contentWords(text: string): string[] {
  return (text.toLowerCase().match(/[a-z]+/g) ?? []).filter((w) => !STOP.has(w));
}

function sameWord(a: string, b: string): boolean {
  return a === b || (a.length > 4 && b.length > 4 && a.slice(0, 5) === b.slice(0, 5));
}

/** Expected accuracy of the overlap pick on one question (1/k when the answer ties k options). */
function overlapPickScore(question: string, options: readonly string[], answer: string): number {
  const asked = contentWords(question);
  const overlap = options.map((o) =>
    contentWords(o).reduce((n, w) => n + asked.filter((q) => sameWord(w, q)).length, 0),
  );
  const best = Math.max(...overlap);
  const tied = options.filter((_, i) => overlap[i] === best);
  return tied.includes(answer) ? 1 / tied.length : 0;
}

const { values } = parseArgs({
  options: { data: { type: "string", default: "datasets" }, split: { type: "string", default: "test" } },
});
const rows = await readRows(join(values.data, "qa", `${values.split}.jsonl`));
const byType = new Map<string, { n: number; pick: number; chance: number }>();
for (const row of rows) {
  const info = row.extra_info as { qtype: string; options: string[]; answer_text: string };
  const question = promptText(row).split("\n")[0]!;
  const t = byType.get(info.qtype) ?? { n: 0, pick: 0, chance: 0 };
  t.n++;
  t.pick += overlapPickScore(question, info.options, info.answer_text);
  t.chance += 1 / info.options.length;
  byType.set(info.qtype, t);
}
const all = { n: 0, pick: 0, chance: 0 };
console.log("| qtype | rows | overlap pick | chance |\n|---|---|---|---|");
for (const [qtype, t] of byType) {
  console.log(`| ${qtype} | ${t.n} | ${(t.pick / t.n).toFixed(3)} | ${(t.chance / t.n).toFixed(3)} |`);
  all.n += t.n;
  all.pick += t.pick;
  all.chance += t.chance;
}
console.log(`| all | ${all.n} | ${(all.pick / all.n).toFixed(3)} | ${(all.chance / all.n).toFixed(3)} |`);
console.log(JSON.stringify({ rows: all.n, overlap_pick: all.pick / all.n, chance: all.chance / all.n }));
