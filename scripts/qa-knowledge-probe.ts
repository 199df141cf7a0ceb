// Does a model know the WordNet facts the qa task asks about? For the qa test rows whose answer can
// be read off a gloss line ("word: gloss", the pretraining format of corpus.ts), this picks each
// row's option by the language model's own likelihood, with no chat format and no answer letter:
//   word_for_definition   log p(" gloss" | "option:")
//   definition_for_word   log p(" option" | "word:") - log p(" option" | ":")   (PMI: glosses differ
//   synonym               log p(" option" | "word:") - log p(" option" | ":")    in length and rarity)
// If this pick is near chance, the model does not hold the facts, and RL on the letter format has no
// knowledge to draw on; if it is well above the greedy letter answers, RL has something to bring out.
//
//   node dist/scripts/qa-knowledge-probe.js [--model models/omni-tiny] [--data datasets] [--split test]
import { parseArgs } from "node:util";
import { loadPretrained } from "../src/models/pretrained.js";
import { readRows } from "../src/tasks/io.js";
import { promptText } from "../src/tasks/schema.js";

const { values } = parseArgs({
  options: {
    model: { type: "string", default: "models/omni-tiny" },
    data: { type: "string", default: "datasets" },
    split: { type: "string", default: "test" },
  },
});
const { model, tokenizer } = loadPretrained(values.model);

/** Sum of log p(continuation tokens | prefix). */
function logLikelihood(prefix: string, continuation: string): number {
  const head = tokenizer.encode(prefix, { addSpecialTokens: false });
  const all = tokenizer.encode(prefix + continuation, { addSpecialTokens: false });
  const T = all.length - 1;
  const targets = new Int32Array(T).fill(-1);
  for (let i = head.length - 1; i < T; i++) targets[i] = all[i + 1]!;
  const { logprobs } = model.forward(Int32Array.from(all.slice(0, T)), targets, 1, T);
  let sum = 0;
  for (let i = head.length - 1; i < T; i++) sum += logprobs[i]!;
  return sum;
}

const pmi = (word: string, option: string) =>
  logLikelihood(`${word}:`, ` ${option}`) - logLikelihood(":", ` ${option}`);

const stats: Record<string, { n: number; right: number; chance: number }> = {};
const rows = await readRows(`${values.data}/qa/${values.split}.jsonl`);
for (const row of rows) {
  const info = row.extra_info as { qtype?: string; options?: string[]; answer_text?: string };
  const { qtype, options, answer_text: answer } = info;
  if (!qtype || !options || !answer) continue;
  const text = promptText(row);
  const quoted = /"([^"]+)"/.exec(text)?.[1];
  if (!quoted) continue;
  let scores: number[];
  if (qtype === "word_for_definition") scores = options.map((o) => logLikelihood(`${o}:`, ` ${quoted}`));
  else if (qtype === "definition_for_word" || qtype === "synonym")
    scores = options.map((o) => pmi(quoted, o));
  else continue;
  const pick = options[scores.indexOf(Math.max(...scores))];
  stats[qtype] ??= { n: 0, right: 0, chance: 0 };
  const s = stats[qtype];
  s.n++;
  s.right += Number(pick === answer);
  s.chance += 1 / options.length;
}
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
console.log(`${values.model} on qa/${values.split}: the option the language model itself finds most likely`);
for (const [qtype, s] of Object.entries(stats))
  console.log(`  ${qtype.padEnd(20)} ${pct(s.right / s.n)} of ${s.n} rows (chance ${pct(s.chance / s.n)})`);
console.log(
  JSON.stringify(
    Object.fromEntries(
      Object.entries(stats).map(([k, s]) => [
        k,
        { rows: s.n, accuracy: s.right / s.n, chance: s.chance / s.n },
      ]),
    ),
  ),
);
