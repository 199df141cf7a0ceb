import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { formatEvalTable } from "../src/eval/evaluate.js";
import { passAtK } from "../src/eval/metrics.js";
import { type EvalCliOptions, runEval } from "../src/eval/run-eval.js";
import { type FakeModelServer, startFakeModelServer } from "./helpers/fake-model-server.js";
import { type FakeOpenAiServer, startFakeOpenAiServer } from "./helpers/fake-openai-server.js";
import { tempDir } from "./helpers/temp-dir.js";

function row(task: string, index: number, question: string, groundTruth: unknown, extra: object = {}) {
  return {
    data_source: task,
    prompt: [{ role: "user", content: question }],
    ability: task,
    reward_model: { style: task === "writing" ? "model" : "rule", ground_truth: groundTruth },
    extra_info: { split: "test", index, difficulty: 1, ...extra },
  };
}

// The fixed table: which prompt gets which answer, and what the harness must make of it.
const MATH = [
  row("math", 0, "m0: 5 + 7?", "12", { family: "sum" }), // correct
  row("math", 1, "m1: 6 + 7?", "13", { difficulty: 2, family: "sum" }), // wrong
  row("math", 2, "m2: 2 + 2?", "4", { difficulty: 2, family: "pair" }), // no answer at all
  row("math", 3, "m3: 9 + 9?", "18", { family: "pair" }), // endpoint never answers -> generation_error
];
const QA = [
  row("qa", 0, "q0: A dog is a kind of?", { answer: "B", options: ["cat", "canine", "tree"] }),
  row("qa", 1, "q1: A rose is a kind of?", { answer: "C", options: ["dog", "rock", "flower"] }),
];
const WRITING = [
  row("writing", 0, "w0: use lantern", { reference: "The lamp was lit.", keywords: ["lantern"] }),
  row("writing", 1, "w1: use river", { reference: "The river ran fast.", keywords: ["river"] }),
];
const TABLE = {
  "m0: 5 + 7?": { reply: "5 + 7 = 12, so \\boxed{12}." },
  "m1: 6 + 7?": { reply: "I get \\boxed{14}." },
  "m2: 2 + 2?": { reply: "I am not sure how to do this." },
  "m3: 9 + 9?": { hang: true as const },
  "q0: A dog is a kind of?": { reply: "The answer is (B)." },
  "q1: A rose is a kind of?": { reply: "Answer: A" },
  "w0: use lantern": { reply: "A lantern swung in the dark hall." },
  "w1: use river": { reply: "x" },
};

let model: FakeModelServer;
let judge: FakeOpenAiServer;
let dir: string;

before(async () => {
  model = await startFakeModelServer(TABLE);
  // The judge prefers whichever answer is longer than 10 characters and mentions a lantern or a river.
  judge = await startFakeOpenAiServer({
    verdict: (a, b) => {
      const good = (s: string) => s.length > 10 && /lantern|river/i.test(s);
      if (good(a) && !good(b)) return "A";
      if (good(b) && !good(a)) return "B";
      return a.length >= b.length ? "A" : "B";
    },
  });
  dir = tempDir("eval-");
  for (const [task, rows] of [
    ["math", MATH],
    ["qa", QA],
    ["writing", WRITING],
  ] as const) {
    mkdirSync(join(dir, "data", task), { recursive: true });
    writeFileSync(
      join(dir, "data", task, "test.jsonl"),
      `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`,
    );
  }
  writeFileSync(
    join(dir, "rewards.yaml"),
    [
      "rewards:",
      "  math: {type: math}",
      "  qa: {type: mcq}",
      "  writing:",
      "    type: judge_pairwise",
      "    model: fake-judge",
      `    base_url: ${judge.baseUrl}`,
      "    retries: 0",
      "    timeout_ms: 5000",
      "",
    ].join("\n"),
  );
});

after(async () => {
  await model.close();
  await judge.close();
});

function options(over: Partial<EvalCliOptions> = {}): EvalCliOptions {
  return {
    baseUrl: model.baseUrl,
    modelName: "table",
    apiKeyEnv: "NO_SUCH_KEY_VAR",
    tasks: ["math", "qa", "writing"],
    data: join(dir, "data"),
    split: "test",
    samples: 1,
    topP: 1,
    maxTokens: 64,
    seed: 0,
    rewards: join(dir, "rewards.yaml"),
    concurrency: 4,
    batchSize: 8,
    timeoutMs: 400,
    retries: 0,
    progress: false,
    keepSamples: true,
    ...over,
  };
}

test("eval against an endpoint reproduces hand-computed metrics, including malformed and timed-out answers", async () => {
  const out = join(dir, "result.json");
  const result = await runEval(options({ out }));
  const [math, qa, writing] = result.tasks;

  // math: 1 correct, 1 wrong, 1 with no answer, 1 whose generation timed out.
  assert.equal(math!.task, "math");
  assert.equal(math!.prompts, 4);
  assert.equal(math!.accuracy, 0.25);
  assert.equal(math!.passAtK["pass@1"], 0.25);
  assert.deepEqual(math!.statusCounts, { ok: 2, no_answer: 1, generation_error: 1 });
  assert.equal(math!.judge, undefined);
  assert.deepEqual(math!.byDifficulty, {
    "1": { prompts: 2, accuracy: 0.5 },
    "2": { prompts: 2, accuracy: 0 },
  });
  assert.deepEqual(math!.byKind, {
    sum: { prompts: 2, accuracy: 0.5 },
    pair: { prompts: 2, accuracy: 0 },
  });

  // qa: B is right, A is wrong.
  assert.equal(qa!.accuracy, 0.5);
  assert.deepEqual(qa!.statusCounts, { ok: 2 });

  // writing: the lantern sentence beats the reference in both orders (win = 1); "x" loses (0).
  assert.equal(writing!.accuracy, 0.5);
  assert.deepEqual(writing!.judge, { win: 0.5, tie: 0, loss: 0.5 });
  assert.equal(judge.calls, 4, "two samples x both orders");

  assert.equal(result.meanNormalizedScore, (0.25 + 0.5 + 0.5) / 3);
  const lens = [
    "5 + 7 = 12, so \\boxed{12}.".length,
    "I get \\boxed{14}.".length,
    "I am not sure how to do this.".length,
    0,
  ];
  assert.equal(math!.meanResponseChars, lens.reduce((a, b) => a + b) / 4);
  const timedOut = result.samples!.find((s) => s.task === "math" && s.index === 3)!;
  assert.match(timedOut.error ?? "", /time/i);

  // The JSON on disk is the same result, and the table shows every task.
  assert.deepEqual(JSON.parse(readFileSync(out, "utf8")).tasks, JSON.parse(JSON.stringify(result.tasks)));
  const table = formatEvalTable(result);
  for (const t of ["math", "qa", "writing", "generation_error:1"]) assert.ok(table.includes(t), t);
  assert.ok(table.includes("math by difficulty: 1: 50.0% of 2, 2: 0.0% of 2"), table);
  assert.ok(!table.includes("qa by difficulty"), "one level: no breakdown line");
  assert.ok(table.includes("math by kind: sum 50.0% of 2, pair 0.0% of 2"), table);
  assert.ok(!table.includes("qa by kind"), "no kinds: no breakdown line");
});

test("several samples per prompt report unbiased pass@k", async () => {
  const result = await runEval(options({ tasks: ["qa"], samples: 4 }));
  const qa = result.tasks[0]!;
  // The table answers deterministically: q0 always right, q1 always wrong.
  assert.equal(qa.samplesPerPrompt, 4);
  assert.equal(qa.accuracy, 0.5);
  assert.equal(qa.passAtK["pass@4"], 0.5);
  assert.equal(qa.passAtK["pass@2"], 0.5);
});

test("pass@k matches the combinatorial definition", () => {
  // n=5, c=2, k=2: 1 - C(3,2)/C(5,2) = 1 - 3/10.
  assert.ok(Math.abs(passAtK(5, 2, 2) - 0.7) < 1e-12);
  assert.equal(passAtK(4, 0, 3), 0);
  assert.equal(passAtK(4, 2, 3), 1);
  assert.throws(() => passAtK(2, 1, 3), /needs at least 3/);
});

test("a task whose data_source has no reward fails before generating anything", async () => {
  const before = model.calls;
  await assert.rejects(
    runEval(options({ tasks: ["math"], rewards: writeRewards("rewards:\n  qa: {type: mcq}\n") })),
    /math/,
  );
  assert.equal(model.calls, before);
});

function writeRewards(text: string): string {
  const file = join(dir, `rewards-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  return file;
}
