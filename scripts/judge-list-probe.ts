// Can a model learn to copy a writing prompt's required words into a judge reply? Fine-tunes a model
// (in memory; nothing is saved) on judge prompts whose whole target is the list the `--reply listed`
// judge opens with ("Required words: hit, ball."), and every `--every` steps asks it, greedily, for
// that list on held-out pairs from the writing test split: how many lists are exact, and how many of
// the required words appear in them.
//
// A listed judge can only check the required words in the answers once it can copy them; this
// measures that first step with all of the loss on it. With `--question-only` the prompt holds the
// question alone (the words a few tokens back) instead of the judge's question, answer A and answer B
// (about 200 tokens back): it separates "cannot copy at that distance" from "cannot copy at all"
// (docs/results.md, thirty-fifth round).
//
//   node dist/scripts/judge-list-probe.js [--model models/omni-tiny-judge] [--steps 1200] [--every 200]
//                                         [--lr 3e-4] [--test-pairs 150] [--question-only]
import { parseArgs } from "node:util";
import { extraSftRows, loadDomainRows } from "../src/embedded/corpus.js";
import {
  fluencyModel,
  type JudgePair,
  judgeMessages,
  listedCopy,
  listedOpening,
  pairsFor,
  swapped,
  writingInfo,
} from "../src/embedded/judge-pairs.js";
import { encodeChatExample, packedChatBatches, trainPhase } from "../src/embedded/train-loop.js";
import { loadBackend } from "../src/engine/load-backend.js";
import { Rng } from "../src/engine/rng.js";
import type { ChatMessage } from "../src/models/chat-template.js";
import { loadPretrained } from "../src/models/pretrained.js";
import { generate } from "../src/models/sampler.js";
import { SPLITS } from "../src/tasks/schema.js";
import { parseCommandLine } from "../src/util/cli.js";

const USAGE = `
node dist/scripts/judge-list-probe.js [options]

Fine-tunes a model on judge prompts whose target is only the list of the question's required words
("Required words: hit, ball."), and measures exact copies on held-out test pairs as it trains.
  --model DIR          the model to fine-tune, in memory (models/omni-tiny-judge)
  --steps N            training steps of 6 rows x 448 tokens (1200)
  --every K            measure every K steps, and before the first (200)
  --lr LR              peak learning rate, cosine to a tenth (3e-4)
  --test-pairs N       held-out pairs measured, one per test prompt (150)
  --extra-prompts N    writing prompts beyond the sft split, as train-judge (20000)
  --question-only      the prompt is the question alone, not the question and both answers
  --datasets DIR       the four domains' splits (datasets)
`;

const opts = parseCommandLine("judge-list-probe", USAGE, process.argv.slice(2), (args) => {
  const { values } = parseArgs({
    args,
    options: {
      model: { type: "string", default: "models/omni-tiny-judge" },
      steps: { type: "string", default: "1200" },
      every: { type: "string", default: "200" },
      lr: { type: "string", default: "3e-4" },
      "test-pairs": { type: "string", default: "150" },
      "extra-prompts": { type: "string", default: "20000" },
      "question-only": { type: "boolean", default: false },
      datasets: { type: "string", default: "datasets" },
    },
  });
  const whole = (name: keyof typeof values) => {
    const n = Number(values[name]);
    if (!(Number.isInteger(n) && n >= 0))
      throw new Error(`--${name}: "${values[name]}" is not a whole number`);
    return n;
  };
  const lr = Number(values.lr);
  if (!(lr > 0)) throw new Error(`--lr: "${values.lr}" is not a positive number`);
  const every = whole("every");
  if (every < 1) throw new Error("--every: must be at least 1");
  return {
    model: values.model!,
    steps: whole("steps"),
    every,
    lr,
    testPairs: whole("test-pairs"),
    extraPrompts: whole("extra-prompts"),
    questionOnly: values["question-only"]!,
    datasets: values.datasets!,
  };
});

const rows = await loadDomainRows(opts.datasets);
const lm = fluencyModel(rows.writing.train);
const backend = loadBackend();
const { model, tokenizer } = loadPretrained(opts.model, { backend });
const messages = (p: JudgePair): ChatMessage[] => {
  const judge = judgeMessages(p);
  return opts.questionOnly ? [judge[0]!, { role: "user", content: p.question }] : judge;
};
// the listed reply's opening, without the verdict that follows it
const list = (p: JudgePair) => listedOpening(p.keywords);

const rng = new Rng(7);
const taken = SPLITS.flatMap((s) => rows.writing[s]);
const prompts = [...rows.writing.sft, ...extraSftRows("writing", opts.extraPrompts, 7, taken)];
const others = prompts.map((r) => writingInfo(r).reference);
const pairs = prompts.flatMap((row) => pairsFor(row, others, lm, rng, 2));
const examples = pairs.flatMap((p) =>
  [p, swapped(p)].map((q) => encodeChatExample(tokenizer, messages(q), list(q))),
);
const testRng = new Rng(11);
const testOthers = rows.writing.test.map((r) => writingInfo(r).reference);
const test = rows.writing.test
  .slice(0, opts.testPairs)
  .map((row) => pairsFor(row, testOthers, lm, testRng, 1)[0]!);
const testPrompts = test.map((p) =>
  tokenizer.encode(tokenizer.applyChatTemplate(messages(p), { addGenerationPrompt: true }), {
    addSpecialTokens: false,
  }),
);
console.log(
  `judge-list-probe: ${opts.model}, ${examples.length} training examples (both orders), ${test.length} held-out pairs; ` +
    `the prompt: ${opts.questionOnly ? "the question alone" : "question, answer A, answer B"}`,
);

interface Probe {
  step: number;
  exact: number;
  words: number;
  requiredWords: number;
  example: string;
}
const probes: Probe[] = [];

/** Greedy lists for the held-out pairs (stopped at the list's period), scored against the prompts' words. */
function probe(step: number): void {
  const gens = [];
  for (let i = 0; i < testPrompts.length; i += 50)
    gens.push(
      ...generate(model, testPrompts.slice(i, i + 50), {
        temperature: 0,
        maxNewTokens: 24,
        stop: ["."],
        decode: (ids) => tokenizer.decode(ids),
      }),
    );
  const at: Probe = { step, exact: 0, words: 0, requiredWords: 0, example: "" };
  gens.forEach((g, i) => {
    const text = `${(g.text ?? "").trim()}.`; // generation stopped at the list's period
    const keywords = test[i]!.keywords;
    const copy = listedCopy(text, keywords);
    if (copy?.exact) at.exact++;
    at.requiredWords += keywords.length;
    at.words += keywords.filter((w) => copy?.words.includes(w)).length;
    if (!at.example && !copy?.exact)
      at.example = `${JSON.stringify(text)} for ${JSON.stringify(list(test[i]!))}`;
  });
  probes.push(at);
  console.log(
    `step ${String(step).padStart(5)}: exact ${at.exact} / ${test.length}, words ${at.words} / ${at.requiredWords}` +
      (at.example ? `; e.g. ${at.example}` : ""),
  );
}

probe(0);
const batches = packedChatBatches(examples, 6, 448, tokenizer.padTokenId ?? 0, rng.fork(), { fill: 8 });
let step = 0;
const phase = trainPhase(
  model,
  backend,
  () => {
    if (step > 0 && step % opts.every === 0 && step < opts.steps) probe(step);
    step++;
    return batches();
  },
  {
    name: "list-probe",
    steps: opts.steps,
    lr: opts.lr,
    minLr: opts.lr / 10,
    warmupSteps: 10,
    B: 6,
    T: 448,
    weightDecay: 0.1,
    maxGradNorm: 1,
  },
  () => {},
);
if (opts.steps > 0) probe(opts.steps);

console.log("\n| step | exact lists | required words listed |\n|---|---|---|");
for (const p of probes)
  console.log(`| ${p.step} | ${p.exact} / ${test.length} | ${p.words} / ${p.requiredWords} |`);
console.log(
  JSON.stringify({
    model: opts.model,
    questionOnly: opts.questionOnly,
    steps: opts.steps,
    lr: opts.lr,
    firstLoss: phase.firstLoss,
    finalLoss: phase.finalLoss,
    seconds: phase.seconds,
    heldOut: test.length,
    probes: probes.map(({ example, ...p }) => p),
  }),
);
