// What a policy's qa answers decide by: reads an eval result's qa samples and splits the score into
// the option the answer names by its text ("It is "prevent", so ...") and the letter it commits to.
// Prints how often the named text is the right option, how often the letter is the named option's
// letter (the look-up from word to letter), and the letters' spread against the keys' (a model that
// answers by position picks one letter far more often than the keys hold it). Per option count, it
// also prints the score that the answers' own letter frequencies predict: a policy that picks its
// letters at those frequencies, whatever the question says, scores that much on average, so a score
// no higher than it carries no sign of answering by content.
//
//   omni-thinker eval --model DIR --tasks qa --keep-samples --out /tmp/qa.json
//   node dist/scripts/qa-answers.js /tmp/qa.json [--data datasets] [--split test]
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { extractChoice } from "../src/rewards/mcq.js";
import { readRows } from "../src/tasks/io.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { data: { type: "string", default: "datasets" }, split: { type: "string", default: "test" } },
});
const file = positionals[0];
if (!file) {
  console.error("usage: node dist/scripts/qa-answers.js EVAL.json [--data DIR] [--split test]");
  process.exit(2);
}
const result = JSON.parse(readFileSync(file, "utf8")) as {
  samples?: { task: string; index: number; response: string; metric: number }[];
};
const samples = (result.samples ?? []).filter((s) => s.task === "qa");
if (samples.length === 0) {
  console.error(`${file}: no qa samples (run eval --tasks qa with --keep-samples)`);
  process.exit(2);
}
const rows = await readRows(`${values.data}/qa/${values.split}.jsonl`);

/** The option text an answer names: quoted (`It is "prevent", so ...`) or in the look-up reply's shape (`It is prevent, so the answer ...`). */
const namedText = (response: string): string | null =>
  /"([^"]+)"/.exec(response)?.[1] ?? /\bIt is (.+?), so the answer\b/i.exec(response)?.[1] ?? null;

let correct = 0;
let named = 0;
let namedRight = 0;
let namedIsOption = 0;
let letterMatchesNamed = 0;
const picked = new Map<string, number>();
const keys = new Map<string, number>();
const byType = new Map<string, { n: number; correct: number; namedRight: number }>();
/** Per option count: answers, correct ones, and the letters picked and keyed. */
const byCount = new Map<
  number,
  { n: number; correct: number; picked: Map<string, number>; keys: Map<string, number> }
>();
const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
for (const s of samples) {
  const row = rows[s.index];
  if (!row) throw new Error(`${file}: sample index ${s.index} is not a row of the ${values.split} split`);
  const options = row.extra_info.options as string[];
  const key = row.reward_model.ground_truth as string;
  const qtype = String(row.extra_info.qtype);
  const letter = extractChoice(s.response, options).letter;
  const text = namedText(s.response);
  const at = text === null ? -1 : options.findIndex((o) => o.toLowerCase() === text.toLowerCase());
  const t = byType.get(qtype) ?? { n: 0, correct: 0, namedRight: 0 };
  t.n++;
  if (letter === key) {
    correct++;
    t.correct++;
  }
  if (text !== null) named++;
  if (at >= 0) {
    namedIsOption++;
    if (String.fromCharCode(65 + at) === key) {
      namedRight++;
      t.namedRight++;
    }
    if (letter === String.fromCharCode(65 + at)) letterMatchesNamed++;
  }
  byType.set(qtype, t);
  const c = byCount.get(options.length) ?? { n: 0, correct: 0, picked: new Map(), keys: new Map() };
  c.n++;
  if (letter === key) c.correct++;
  if (letter) bump(c.picked, letter);
  bump(c.keys, key);
  byCount.set(options.length, c);
  if (letter) bump(picked, letter);
  bump(keys, key);
}
const n = samples.length;
const pct = (a: number, b: number) => (b === 0 ? "-" : `${((100 * a) / b).toFixed(1)}%`);
const chance =
  samples.reduce((a, s) => a + 1 / (rows[s.index]!.extra_info.options as string[]).length, 0) / n;
console.log(`${file}: ${n} qa answers (chance ${pct(chance * n, n)})`);
console.log(`  letter correct:                ${pct(correct, n)}`);
console.log(`  names an option's text:        ${pct(namedIsOption, n)} (quotes something: ${pct(named, n)})`);
console.log(`  named text is the right option: ${pct(namedRight, n)}`);
console.log(`  letter is the named option's:  ${pct(letterMatchesNamed, namedIsOption)} of those naming one`);
console.log("  per question type (n, letter correct, named text right):");
for (const [qtype, t] of [...byType].sort()) {
  console.log(
    `    ${qtype.padEnd(20)} ${String(t.n).padStart(4)}  ${pct(t.correct, t.n)}  ${pct(t.namedRight, t.n)}`,
  );
}
const letters = [...new Set([...picked.keys(), ...keys.keys()])].sort();
console.log(
  `  letters picked vs keys: ${letters.map((l) => `${l} ${picked.get(l) ?? 0}/${keys.get(l) ?? 0}`).join(", ")}`,
);
console.log(
  "  per option count (n, correct, predicted by the letter frequencies alone, the letters most picked):",
);
let predicted = 0;
for (const [count, c] of [...byCount].sort((a, b) => a[0] - b[0])) {
  // Expected correct answers if each answer drew its letter from this count's picked frequencies,
  // independently of the question: sum over letters of picked(L) * keys(L) / n.
  const expected = [...c.picked].reduce((a, [l, k]) => a + (k * (c.keys.get(l) ?? 0)) / c.n, 0);
  predicted += expected;
  const top = [...c.picked]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([l, k]) => `${l} ${k}`)
    .join(", ");
  console.log(
    `    ${String(count).padStart(2)} options ${String(c.n).padStart(4)}  ${String(c.correct).padStart(4)}  ${expected.toFixed(1).padStart(6)}  ${top}`,
  );
}
console.log(
  `  correct ${correct} of ${n}; predicted by the letter frequencies alone ${predicted.toFixed(1)}`,
);
const summary = {
  n,
  chance,
  letter_correct: correct / n,
  names_option: namedIsOption / n,
  named_right: namedRight / n,
  letter_matches_named: namedIsOption ? letterMatchesNamed / namedIsOption : null,
  predicted_by_letters: predicted / n,
};
console.log(JSON.stringify(summary));
