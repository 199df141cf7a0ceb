// Can a model learn the writing rubric's keyword check on its own? Fine-tunes a model directory on one
// yes/no question per answer, "does the answer use every required word of the question?", then asks it
// about held-out answers to the writing test prompts. The answers are the judge's candidate edits
// (src/embedded/judge-pairs.ts): the reference, a keyword swapped out, another prompt's reference,
// the first half, shuffled words, a lower-cased copy, an over-long run. The label is the rubric's own
// check (keywordCoverage == 1), and both labels are drawn equally often.
//
// Accuracy by kind and label is the point: a model that reads the answer for the required words gets
// the reference "Yes" and the swapped or off-topic sentence "No"; one that answers from the answer's
// shape (one sentence or a long run) cannot tell those apart. That look-up is the judge's weakest
// check (docs/results.md, nineteenth round).
//
// `--per-word` asks about one required word at a time instead ("Does the answer use the word X?"), the
// word named last, right before the reply: the look-up a judge reply could spell out word by word.
// Its minimal pairs are within the keyword-swapped answers (the swapped word "No", the others "Yes").
//
//   node dist/scripts/keyword-probe.js [--model models/omni-tiny] [--steps 1500] [--lr 1e-3]
//                                      [--test-examples 600] [--per-word] [--out /tmp/keyword-probe]
import { parseArgs } from "node:util";
import { extraSftRows, loadDomainRows } from "../src/embedded/corpus.js";
import { candidates, writingInfo } from "../src/embedded/judge-pairs.js";
import { modelTensors } from "../src/embedded/train-base.js";
import {
  type ChatExample,
  encodeChatExample,
  packedChatBatches,
  trainPhase,
} from "../src/embedded/train-loop.js";
import { loadBackend } from "../src/engine/load-backend.js";
import { Rng } from "../src/engine/rng.js";
import type { ChatMessage } from "../src/models/chat-template.js";
import { writeHfModelDir } from "../src/models/hf-model.js";
import { loadPretrained } from "../src/models/pretrained.js";
import { LocalChatBackend } from "../src/rewards/judge/local-backend.js";
import { keywordCoverage } from "../src/rewards/keywords.js";
import { type Row, SPLITS } from "../src/tasks/schema.js";
import { writeJsonAtomic } from "../src/util/atomic.js";

const { values } = parseArgs({
  options: {
    model: { type: "string", default: "models/omni-tiny" },
    datasets: { type: "string", default: "datasets" },
    steps: { type: "string", default: "1500" },
    lr: { type: "string", default: "1e-3" },
    "extra-prompts": { type: "string", default: "20000" },
    "test-examples": { type: "string", default: "600" },
    seed: { type: "string", default: "0" },
    "per-word": { type: "boolean", default: false },
    out: { type: "string", default: "/tmp/keyword-probe" },
  },
});
/** A flag's value: a non-negative integer (or any non-negative number when `integer` is false). */
const num = (name: keyof typeof values, integer = true) => {
  const x = Number(values[name]);
  if (!Number.isFinite(x) || x < 0 || (integer && !Number.isInteger(x))) {
    const what = integer ? "a non-negative integer" : "a non-negative number";
    console.error(`keyword-probe: --${name} must be ${what}, got ${JSON.stringify(values[name])}`);
    process.exit(2);
  }
  return x;
};
const [steps, lr, extraPrompts, testExamples, seed] = [
  num("steps"),
  num("lr", false),
  num("extra-prompts"),
  num("test-examples"),
  num("seed"),
];

const perWord = values["per-word"]!;
const SYSTEM = perWord
  ? "Does the answer use the word named last? Reply Yes or No."
  : "Does the answer use every required word of the question? Reply Yes or No.";
const KINDS = new Set([
  "reference",
  "keyword_swapped",
  "off_topic",
  "truncated",
  "shuffled",
  "lowercase",
  "too_long",
]);

interface Question {
  messages: ChatMessage[];
  reply: "Yes" | "No";
  kind: string;
}

/** Yes/no questions about the candidate answers to prompts with required words, both labels equally often. */
function questions(prompts: readonly Row[], rng: Rng): Question[] {
  const others = prompts.map((r) => writingInfo(r).reference);
  const byLabel: Record<"Yes" | "No", Question[]> = { Yes: [], No: [] };
  for (const row of prompts) {
    const { question, keywords } = writingInfo(row);
    if (keywords.length === 0) continue;
    for (const c of candidates(row, others, rng)) {
      if (!KINDS.has(c.kind)) continue;
      const asked = perWord ? keywords.map((k) => [k]) : [keywords];
      for (const words of asked) {
        const reply = keywordCoverage(c.text, words) === 1 ? "Yes" : "No";
        const user = `Question: ${question}\n\nAnswer: ${c.text}${perWord ? `\n\nWord: ${words[0]}` : ""}`;
        byLabel[reply].push({
          messages: [
            { role: "system", content: SYSTEM },
            { role: "user", content: user },
          ],
          reply,
          kind: c.kind,
        });
      }
    }
  }
  const n = Math.min(byLabel.Yes.length, byLabel.No.length);
  return rng.shuffle([...rng.shuffle(byLabel.Yes).slice(0, n), ...rng.shuffle(byLabel.No).slice(0, n)]);
}

const rows = await loadDomainRows(values.datasets);
const rng = new Rng(seed);
const taken = SPLITS.flatMap((s) => rows.writing[s]);
const train = questions([...rows.writing.sft, ...extraSftRows("writing", extraPrompts, seed, taken)], rng);
const test = questions(rows.writing.test, new Rng(seed + 7)).slice(0, testExamples);
console.log(
  `keyword probe: ${train.length} training questions, ${test.length} held out (half of each "Yes")`,
);

const backend = loadBackend();
const { tokenizer, model } = loadPretrained(values.model!, { backend });
const examples: ChatExample[] = train.map((q) => {
  const e = encodeChatExample(tokenizer, q.messages, q.reply);
  e.replyWeights = e.reply.map((_, i) => (i === 0 ? 8 : 1)); // the answer token decides, as in the judge
  return e;
});
const phase = trainPhase(
  model,
  backend,
  packedChatBatches(examples, 6, 384, tokenizer.padTokenId ?? 0, rng.fork(), { fill: 8 }),
  {
    name: "keyword-probe",
    steps,
    lr,
    minLr: lr / 10,
    warmupSteps: 10,
    B: 6,
    T: 384,
    weightDecay: 0.1,
    maxGradNorm: 1,
  },
  console.log,
);
writeHfModelDir(values.out!, model.config, modelTensors(model), {
  dtype: "BF16",
  tokenizerDir: values.model!,
});

const asked = LocalChatBackend.fromDir(values.out!);
const replies = await Promise.all(
  test.map((q) =>
    asked.complete(q.messages, { temperature: 0, maxTokens: 2, signal: new AbortController().signal }),
  ),
);
const byKind: Record<string, { n: number; right: number }> = {};
let right = 0;
test.forEach((q, i) => {
  const ok = replies[i]!.trim().startsWith(q.reply);
  right += Number(ok);
  const key = `${q.kind} (${q.reply})`;
  byKind[key] ??= { n: 0, right: 0 };
  byKind[key].n++;
  byKind[key].right += Number(ok);
});
const summary = {
  model: values.model,
  perWord,
  steps,
  lr,
  trainQuestions: train.length,
  firstLoss: phase.firstLoss,
  finalLoss: phase.finalLoss,
  seconds: phase.seconds,
  heldOut: test.length,
  accuracy: right / Math.max(1, test.length),
  byKind,
};
console.log(`held-out accuracy ${(100 * summary.accuracy).toFixed(1)}% of ${test.length} (chance 50%)`);
for (const [k, b] of Object.entries(byKind).sort()) console.log(`  ${k.padEnd(24)} ${b.right} / ${b.n}`);
writeJsonAtomic(`${values.out}/keyword_probe.json`, summary);
console.log(JSON.stringify(summary));
