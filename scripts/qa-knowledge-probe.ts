// Does a model know the answers to the qa questions, whatever it replies? For every row it ranks the
// options by the model's log-prob of the option's text after a prefix in the form of the qa fact lines
// (src/tasks/qa/generate.ts qaFactLines, which train-base --sft-fact-lines trains on):
//   word_for_definition  `<definition> = <option>`      definition_for_word  `<word>: <option>`
//   synonym              `<word>, <option>:`            hypernym             `A <word> is a kind of <option>.`
// summed over the option's tokens (and the closing token, so that a prefix of a longer word does not
// win). The control ranks the same options after the prefix of another row of the same question type:
// only what the options carry on their own (frequency, length) helps there. The gap between the two
// is knowledge the model has in its weights, which an answer by letter may or may not use.
//
//   node dist/scripts/qa-knowledge-probe.js --model models/omni-tiny [--data datasets] [--split test] [--limit N]
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { LlamaModel } from "../src/models/llama.js";
import { loadPretrained } from "../src/models/pretrained.js";
import type { TextTokenizer } from "../src/models/tokenizer.js";
import { readRows } from "../src/tasks/io.js";
import { promptText, type Row } from "../src/tasks/schema.js";

/** Sum of log p(option + suffix | prefix) under the model, one forward pass. */
export function continuationLogProb(
  model: LlamaModel,
  tokenizer: TextTokenizer,
  prefix: string,
  continuation: string,
): number {
  const head = tokenizer.encode(prefix, { addSpecialTokens: false });
  const all = tokenizer.encode(prefix + continuation, { addSpecialTokens: false });
  const T = all.length;
  if (T <= head.length) throw new Error(`no tokens to score after ${JSON.stringify(prefix)}`);
  const targets = new Int32Array(T).fill(-1);
  // position i predicts token i + 1: score every token from the first one after the prefix
  for (let i = head.length - 1; i < T - 1; i++) targets[i] = all[i + 1]!;
  const { logprobs } = model.forward(Int32Array.from(all), targets, 1, T);
  let sum = 0;
  for (let i = 0; i < T; i++) if (targets[i]! >= 0) sum += logprobs[i]!;
  return sum;
}

interface QaInfo {
  qtype: string;
  options: string[];
  answer_text: string;
}

/** The fact-line form of a row's question: the text before the option, and after it. */
export function factForm(row: Row): { prefix: string; suffix: string } {
  const info = row.extra_info as unknown as QaInfo;
  const question = promptText(row).split("\n")[0]!;
  const quoted = question.match(/"(.*)"/)?.[1];
  if (quoted === undefined && info.qtype !== "hypernym")
    throw new Error(
      `qa row ${row.extra_info.index}: no quoted word or definition in ${JSON.stringify(question)}`,
    );
  switch (info.qtype) {
    case "word_for_definition":
      return { prefix: `${quoted} =`, suffix: "\n" };
    case "definition_for_word":
      return { prefix: `${quoted}:`, suffix: "\n" };
    case "synonym":
      return { prefix: `${quoted},`, suffix: ":" };
    case "hypernym": {
      const subject = question.replace(/ is a kind of what\?$/, "");
      return { prefix: `${subject} is a kind of`, suffix: "." };
    }
    default:
      throw new Error(`qa row ${row.extra_info.index}: unknown qtype ${JSON.stringify(info.qtype)}`);
  }
}

export interface ProbeTally {
  n: number;
  right: number;
  control: number;
  chance: number;
}

/** Per question type: rows, options ranked first that are the answer (with the row's own prefix and with the control's), chance. */
export function knowledgeProbe(
  model: LlamaModel,
  tokenizer: TextTokenizer,
  rows: readonly Row[],
): Map<string, ProbeTally> {
  const byType = new Map<string, ProbeTally>();
  const info = (r: Row) => r.extra_info as unknown as QaInfo;
  rows.forEach((row, i) => {
    const { qtype, options, answer_text } = info(row);
    // the control's prefix: the next row of the same type (wrapping around; a type with one row is
    // its own control)
    let other = row;
    for (let k = 1; k < rows.length; k++) {
      const candidate = rows[(i + k) % rows.length]!;
      if (info(candidate).qtype === qtype) {
        other = candidate;
        break;
      }
    }
    const pick = (form: { prefix: string; suffix: string }) => {
      const scores = options.map((o) =>
        continuationLogProb(model, tokenizer, form.prefix, ` ${o}${form.suffix}`),
      );
      return options[scores.indexOf(Math.max(...scores))];
    };
    const t = byType.get(qtype) ?? { n: 0, right: 0, control: 0, chance: 0 };
    t.n++;
    t.right += Number(pick(factForm(row)) === answer_text);
    t.control += Number(pick(factForm(other)) === answer_text);
    t.chance += 1 / options.length;
    byType.set(qtype, t);
  });
  return byType;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values } = parseArgs({
    options: {
      model: { type: "string" },
      data: { type: "string", default: "datasets" },
      split: { type: "string", default: "test" },
      limit: { type: "string" },
    },
  });
  if (!values.model) {
    console.error(
      "usage: node dist/scripts/qa-knowledge-probe.js --model DIR [--data datasets] [--split test] [--limit N]",
    );
    process.exit(2);
  }
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1)) {
    console.error(
      `qa-knowledge-probe: --limit must be a whole number >= 1, got ${JSON.stringify(values.limit)}`,
    );
    process.exit(2);
  }
  const rows = await readRows(join(values.data!, "qa", `${values.split}.jsonl`));
  const { model, tokenizer } = loadPretrained(values.model);
  const t0 = performance.now();
  const byType = knowledgeProbe(model, tokenizer, rows.slice(0, limit));
  const pct = (x: number, n: number) => `${((100 * x) / n).toFixed(1)}%`;
  const all: ProbeTally = { n: 0, right: 0, control: 0, chance: 0 };
  console.log(
    "| qtype | rows | answer ranked first | control (another row's prefix) | chance |\n|---|---|---|---|---|",
  );
  for (const [qtype, t] of byType) {
    console.log(
      `| ${qtype} | ${t.n} | ${pct(t.right, t.n)} | ${pct(t.control, t.n)} | ${pct(t.chance, t.n)} |`,
    );
    for (const k of ["n", "right", "control", "chance"] as const) all[k] += t[k];
  }
  console.log(
    `| all | ${all.n} | ${pct(all.right, all.n)} | ${pct(all.control, all.n)} | ${pct(all.chance, all.n)} |`,
  );
  console.log(`took ${((performance.now() - t0) / 1000).toFixed(1)}s`);
  console.log(
    JSON.stringify({
      model: values.model,
      rows: all.n,
      ranked_first: all.right / all.n,
      control: all.control / all.n,
      chance: all.chance / all.n,
    }),
  );
}
