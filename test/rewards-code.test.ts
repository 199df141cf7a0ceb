// The code reward and the python grader, end to end through the local sandbox (bwrap on this machine).
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { createCodeReward } from "../src/rewards/code.js";
import { createPythonGrader } from "../src/rewards/python-grader.js";
import type { Reward, RewardSample } from "../src/rewards/types.js";

const opened: Reward[] = [];
function track<R extends Reward>(r: R): R {
  opened.push(r);
  return r;
}
after(async () => {
  await Promise.all(opened.map((r) => r.close?.()));
});

const py = (code: string) => `Here is my solution.\n\n\`\`\`python\n${code}\n\`\`\`\n`;

function code(response: string, groundTruth: unknown): RewardSample {
  return { dataSource: "code", prompt: [{ role: "user", content: "Write it." }], response, groundTruth };
}

const SQUARE = py("def sq(x):\n    return x * x");
const MBPP = { test_list: ["assert sq(2) == 4", "assert sq(3) == 10", "assert sq(0) == 0"] };

test("assert tests (MBPP layout): all_pass gives 0 on one failure, fraction the share passed", async () => {
  const allPass = track(createCodeReward({ timeout_ms: 5000 }));
  const fraction = track(createCodeReward({ score: "fraction", timeout_ms: 5000 }));
  const [a] = await allPass.scoreBatch([code(SQUARE, MBPP)]);
  const [f] = await fraction.scoreBatch([code(SQUARE, MBPP)]);
  for (const r of [a!, f!]) {
    assert.equal(r.status, "ok");
    assert.equal(r.details.layout, "assert");
    assert.equal(r.details.passed, 2);
    assert.equal(r.details.total, 3);
    assert.deepEqual(r.details.failed, [{ test: 1, error: "AssertionError" }]);
    assert.equal(r.details.extracted_from, "python_block");
    assert.equal(r.details.sandbox, "bwrap");
  }
  assert.equal(a!.score, 0);
  assert.equal(a!.details.metric, 0);
  assert.equal(f!.score, 2 / 3);
  assert.equal(f!.details.metric, 0, "the raw metric stays pass/fail under fraction scoring");
  const [full] = await allPass.scoreBatch([
    code(SQUARE, { test_list: ["assert sq(2) == 4", "assert sq(-3) == 9"] }),
  ]);
  assert.deepEqual([full!.score, full!.status, full!.details.passed], [1, "ok", 2]);
});

test("assert tests: HumanEval's check(entry_point), MBPP setup code and a plain string of asserts", async () => {
  const reward = track(createCodeReward({ score: "fraction" }));
  const humanEval = {
    test: "def check(candidate):\n    assert candidate(2) == 4\n    assert candidate(-1) == 1\n",
    entry_point: "sq",
  };
  const [he, heWrong, setup, plain] = await reward.scoreBatch([
    code(SQUARE, humanEval),
    code(py("def sq(x):\n    return 2 * x"), humanEval),
    code(SQUARE, { test_setup_code: "BIG = 12", test_list: ["assert sq(BIG) == 144"] }),
    code(SQUARE, "assert sq(1) == 1\nassert sq(4) == 16\nassert sq(5) == 24"),
  ]);
  assert.deepEqual([he!.score, he!.details.total], [1, 1]);
  assert.equal(heWrong!.score, 0);
  assert.match(String((heWrong!.details.failed as { error: string }[])[0]!.error), /^AssertionError/);
  assert.equal(setup!.score, 1);
  assert.deepEqual([plain!.score, plain!.details.passed, plain!.details.total], [2 / 3, 2, 3]);
});

test("a solution that fails to load, or exits before the tests, passes nothing and says why", async () => {
  const reward = track(createCodeReward({ score: "fraction" }));
  const [syntax, raises, exits, crash] = await reward.scoreBatch([
    code(py("def sq(x) return x"), MBPP),
    code(py("raise RuntimeError('no')\ndef sq(x):\n    return x * x"), MBPP),
    code(py("import sys\nsys.exit(0)"), MBPP),
    code(py("import ctypes\nctypes.string_at(0)"), MBPP),
  ]);
  assert.equal(syntax!.score, 0);
  assert.match(String(syntax!.details.error), /^compile: SyntaxError/);
  assert.equal(raises!.score, 0);
  assert.match(String(raises!.details.error), /^load: RuntimeError: no/);
  assert.deepEqual((raises!.details.failed as { error: string }[])[0], {
    test: 0,
    error: "not run (load failed)",
  });
  // sys.exit(0) ends the run "successfully" before any test: still 0, never a pass.
  assert.equal(exits!.score, 0);
  assert.match(String(exits!.details.error), /^load: SystemExit/);
  // A hard crash (SIGSEGV) kills the harness: the run status says so.
  assert.equal(crash!.score, 0);
  assert.equal(crash!.status, "ok");
  assert.equal(crash!.details.run_status, "runtime_error");
  assert.match(String(crash!.details.error), /harness did not finish: run runtime_error/);
});

test("an assert run past its time limit is status timeout, keeping only the tests passed before it", async () => {
  const reward = track(createCodeReward({ score: "fraction", timeout_ms: 1500 }));
  const started = performance.now();
  const [r] = await reward.scoreBatch([
    code(SQUARE, { test_list: ["assert sq(2) == 4", "import time\ntime.sleep(30)", "assert sq(1) == 1"] }),
  ]);
  assert.equal(r!.status, "timeout");
  assert.equal(r!.details.run_status, "timeout");
  assert.equal(r!.details.passed, 1);
  assert.equal(r!.score, 1 / 3);
  assert.ok(performance.now() - started < 5000);
});

const ADD = py("a, b = map(int, input().split())\nprint(a + b)");

test("stdin/stdout cases: output compared by lines, all_pass stops at the first failure", async () => {
  const reward = track(createCodeReward({}));
  const cases = {
    cases: [
      { input: "1 2\n", output: "3\n" },
      { input: "5 7\n", output: "12" }, // no trailing newline: `lines` matching ignores it
      { input: "-4 4\n", output: "0\n\n" },
    ],
  };
  const [ok, wrong] = await reward.scoreBatch([
    code(ADD, cases),
    code(py("a, b = map(int, input().split())\nprint(a * b)"), cases),
  ]);
  assert.deepEqual([ok!.score, ok!.status, ok!.details.passed, ok!.details.run], [1, "ok", 3, 3]);
  assert.equal(ok!.details.layout, "stdin_stdout");
  // 1*2 = 2 is wrong at once: the other cases are not run.
  assert.deepEqual([wrong!.score, wrong!.details.passed, wrong!.details.run], [0, 0, 1]);
  assert.deepEqual(wrong!.details.failed, [{ test: 0, error: 'wrong output: expected "3\\n", got "2\\n"' }]);
});

test("stdin/stdout cases with fraction scoring run every case (APPS inputs/outputs layout)", async () => {
  const reward = track(createCodeReward({ score: "fraction", output_match: "tokens" }));
  const [r] = await reward.scoreBatch([
    code(ADD, { inputs: ["1 2\n", "2 2\n", "10 -3\n", "0 0\n"], outputs: ["3", "5", "  7 \n", "0"] }),
  ]);
  assert.equal(r!.status, "ok");
  assert.deepEqual([r!.score, r!.details.passed, r!.details.run, r!.details.metric], [0.75, 3, 4, 0]);
  assert.deepEqual(r!.details.failed, [{ test: 1, error: 'wrong output: expected "5", got "4\\n"' }]);
});

test("a stdin/stdout case past its time limit makes the sample status timeout; a crash is a failed case", async () => {
  const reward = track(createCodeReward({ score: "fraction", timeout_ms: 1500 }));
  const program = py(
    "import sys, time\nn = int(input())\nif n == 0:\n    time.sleep(30)\nif n < 0:\n    raise ValueError('negative')\nprint(n)",
  );
  const [r] = await reward.scoreBatch([
    code(program, {
      cases: [
        { input: "1\n", output: "1" },
        { input: "0\n", output: "0" },
        { input: "-1\n", output: "-1" },
      ],
    }),
  ]);
  assert.equal(r!.status, "timeout");
  assert.equal(r!.score, 1 / 3);
  const failed = r!.details.failed as { test: number; error: string }[];
  assert.deepEqual(
    failed.map((f) => f.test),
    [1, 2],
  );
  assert.match(failed[0]!.error, /^timeout/);
  assert.match(failed[1]!.error, /^runtime_error: ValueError: negative/);
});

test("a response without a code block is no_answer; bad ground truth fails the batch naming the sample", async () => {
  const reward = track(createCodeReward({}));
  const [r] = await reward.scoreBatch([code("I would use recursion.", MBPP)]);
  assert.deepEqual([r!.score, r!.status], [0, "no_answer"]);
  await assert.rejects(
    reward.scoreBatch([code(SQUARE, MBPP), code(SQUARE, { cases: [] })]),
    /code: sample 1 \(data_source code\): ground_truth: /,
  );
});

test("the reward's concurrency setting bounds the sandbox runs in flight", async () => {
  // `concurrency` overrides sandbox.concurrency (1 here).
  const reward = track(createCodeReward({ concurrency: 3, sandbox: { kind: "local", concurrency: 1 } }));
  const timing =
    "import time\n_t0 = time.time()\ntime.sleep(0.6)\nassert False, '%r %r' % (_t0, time.time())";
  const results = await reward.scoreBatch(Array.from({ length: 7 }, () => code(SQUARE, { tests: [timing] })));
  const spans = results.map((r) => {
    const error = (r.details.failed as { error: string }[])[0]!.error;
    const m = /^AssertionError: ([\d.]+) ([\d.]+)$/.exec(error);
    assert.ok(m, error);
    return [Number(m[1]), Number(m[2])] as const;
  });
  let maxOverlap = 0;
  for (const [start] of spans) {
    maxOverlap = Math.max(maxOverlap, spans.filter(([s, e]) => s <= start && start < e).length);
  }
  assert.equal(maxOverlap, 3);
});

function graded(response: string, groundTruth: unknown, extraInfo?: Record<string, unknown>): RewardSample {
  return {
    dataSource: "essay",
    prompt: [{ role: "user", content: "Answer briefly." }],
    response,
    groundTruth,
    extraInfo,
  };
}

test("the python grader runs grade(sample, item) in the sandbox and returns its float", async () => {
  const grader = track(
    createPythonGrader({
      type: "python",
      name: "exact",
      source: [
        "def grade(sample, item):",
        "    if sample['output_json'] is not None:",
        "        return 0.25 * sample['output_json']['n']",
        "    if item.get('city') == '東京' and item['prompt'][0]['role'] == 'user':",
        "        return 0.5",
        "    return 1.0 if sample['output_text'].strip() == item['ground_truth'] else 0.0",
      ].join("\n"),
    }),
  );
  const results = await grader.scoreBatch([
    graded(" Paris ", "Paris"),
    graded("Rome", "Paris"),
    graded('{"n": 3}', "x"),
    graded("Kyoto", "x", { city: "東京" }),
  ]);
  assert.deepEqual(
    results.map((r) => [r.score, r.status, r.details.metric]),
    [
      [1, "ok", 1],
      [0, "ok", 0],
      [0.75, "ok", 0.75],
      [0.5, "ok", 0.5],
    ],
  );
  assert.equal(results[0]!.details.grader, "exact");
  assert.equal(results[0]!.details.run_status, "ok");
});

test("python grader: clamping, pass_threshold, and a status for every way grade() can go wrong", async () => {
  const make = (source: string, extra: Record<string, unknown> = {}) =>
    track(createPythonGrader({ type: "python", name: "g", source, timeout_ms: 2000, ...extra }));
  const [clamped] = await make("def grade(sample, item):\n    return 2.5", { pass_threshold: 2 }).scoreBatch([
    graded("x", "y"),
  ]);
  assert.deepEqual([clamped!.score, clamped!.details.raw, clamped!.details.passed], [1, 2.5, true]);
  const [raw] = await make("def grade(sample, item):\n    return -3", { clamp: false }).scoreBatch([
    graded("x", "y"),
  ]);
  assert.deepEqual([raw!.score, raw!.details.metric], [-3, 0]);

  const cases: [string, string, RegExp][] = [
    [
      "def grade(sample, item):\n    return 1 / 0",
      "judge_error",
      /^grade: ZeroDivisionError: division by zero/,
    ],
    ["def grade(sample, item):\n    return 'high'", "judge_unparseable", /returned str, not a number/],
    ["def grade(sample, item):\n    return True", "judge_unparseable", /returned bool, not a number/],
    ["def grade(sample, item):\n    return float('nan')", "judge_unparseable", /grade\(\) returned nan/],
    ["def grade(sample, item) return 1", "judge_error", /^compile: SyntaxError/],
    ["def score(sample, item):\n    return 1", "judge_error", /^load: KeyError: 'grade'/],
    [
      "import os\ndef grade(sample, item):\n    os._exit(0)",
      "judge_error",
      /grader produced no score \(run ok\)/,
    ],
  ];
  for (const [source, status, error] of cases) {
    const [r] = await make(source).scoreBatch([graded("x", "y")]);
    assert.equal(r!.status, status, source);
    assert.equal(r!.score, 0, source);
    assert.match(String(r!.details.error), error, source);
  }
  const started = performance.now();
  const [slow] = await make("def grade(sample, item):\n    while True:\n        pass").scoreBatch([
    graded("x", "y"),
  ]);
  assert.deepEqual([slow!.status, slow!.score], ["timeout", 0]);
  assert.ok(performance.now() - started < 5000);
});

test("a grader cannot fake its score by printing: only the harness's token-marked line counts", async () => {
  const grader = track(
    createPythonGrader({
      type: "python",
      name: "g",
      source: [
        "import os",
        "print('score 1 1.0')",
        "os.write(1, b'\\n' + b'0' * 32 + b' score 1 312e30\\n')",
        "def grade(sample, item):",
        "    os.write(1, b'\\n' + b'f' * 32 + b' score 1 31\\n')",
        "    return 0.125",
      ].join("\n"),
    }),
  );
  const [r] = await grader.scoreBatch([graded("x", "y")]);
  assert.deepEqual([r!.score, r!.status], [0.125, "ok"]);
});
