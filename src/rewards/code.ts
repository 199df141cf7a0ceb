// The code reward: extract the program from the response, run the ground truth's tests in a sandbox,
// score all-pass or the fraction passed. Layouts, statuses and the trust model: docs/rewards.md.
import { z } from "zod";
import { type CodeTests, GroundTruthError, parseCodeTests } from "./sandbox/code-tests.js";
import { CodeExtractConfig, extractCode } from "./sandbox/extract-code.js";
import { type CodeRunner, createCodeRunner, type RunResult, SandboxConfig } from "./sandbox/index.js";
import { newRunToken, readMarkedRecords } from "./sandbox/marked-results.js";
import { ASSERT_HARNESS, type AssertTestSpec, SPEC_FILE } from "./sandbox/test-harness.js";
import { type Reward, type RewardResult, type RewardSample, result } from "./types.js";

export const CodeRewardConfig = z.strictObject({
  type: z.literal("code").optional(),
  name: z.string().min(1).default("code"),
  sandbox: SandboxConfig,
  /**
   * all_pass: 1 when every test passes, else 0. fraction: the share of tests passed (a denser reward).
   * Either way the raw metric (details.metric: accuracy, pass@k, dynamic sampling) is 1 only when all pass.
   */
  score: z.enum(["all_pass", "fraction"]).default("all_pass"),
  /** Sandbox executions in flight for this reward; overrides `sandbox.concurrency` (default 2). */
  concurrency: z.number().int().min(1).max(256).optional(),
  /** Wall-clock limit per execution (all assert tests share one execution; each stdin case gets its own). */
  timeout_ms: z.number().int().positive().default(5000),
  extract: CodeExtractConfig.prefault({}),
  /** stdin/stdout cases: `lines` ignores trailing whitespace per line and trailing blank lines. */
  output_match: z.enum(["lines", "exact", "tokens"]).default("lines"),
  /** stdin/stdout cases under all_pass: stop at the first failing case. */
  stop_on_first_failure: z.boolean().default(true),
});
export type CodeRewardConfig = z.output<typeof CodeRewardConfig>;

/** Failures listed in details, at most. */
const MAX_LISTED_FAILURES = 5;

function normalizeOutput(text: string, mode: CodeRewardConfig["output_match"]): string {
  const unix = text.replace(/\r\n/g, "\n");
  if (mode === "exact") return unix;
  if (mode === "tokens") return unix.split(/\s+/).filter(Boolean).join(" ");
  return unix
    .split("\n")
    .map((l) => l.trimEnd())
    .join("\n")
    .replace(/\n+$/, "");
}

function lastLine(text: string): string {
  const lines = text.trim().split("\n");
  return (lines[lines.length - 1] ?? "").slice(0, 500);
}

export function createCodeReward(
  input: z.input<typeof CodeRewardConfig>,
  deps: { runner?: CodeRunner } = {},
): Reward {
  const cfg = CodeRewardConfig.parse(input);
  const runner = deps.runner ?? createCodeRunner(cfg.sandbox, cfg.concurrency);
  const ownsRunner = !deps.runner;

  const allPassed = (passed: number, total: number) => (passed === total && total > 0 ? 1 : 0);
  function finalScore(passed: number, total: number): number {
    if (cfg.score === "fraction") return total === 0 ? 0 : passed / total;
    return allPassed(passed, total);
  }

  function statusOf(runs: RunResult[]): RewardResult["status"] {
    if (runs.some((r) => r.status === "sandbox_error")) return "sandbox_error";
    if (runs.some((r) => r.status === "timeout")) return "timeout";
    return "ok";
  }

  async function scoreAsserts(code: string, setup: string, tests: string[], signal?: AbortSignal) {
    const token = newRunToken();
    const spec: AssertTestSpec = { token, solution: code, setup, tests };
    const run = await runner.run({
      code: ASSERT_HARNESS,
      files: { [SPEC_FILE]: JSON.stringify(spec) },
      timeoutMs: cfg.timeout_ms,
      signal,
    });
    const records = readMarkedRecords(run.stdout, token);
    const outcome = new Map<number, { ok: boolean; text: string }>();
    let error: string | undefined;
    let done = false;
    for (const r of records) {
      if (/^\d+$/.test(r.key)) {
        const i = Number(r.key);
        if (i < tests.length && !outcome.has(i)) outcome.set(i, r);
      } else if (r.key === "done") done = true;
      else if (!r.ok) error ??= `${r.key}: ${r.text}`;
    }
    const passed = [...outcome.values()].filter((o) => o.ok).length;
    const failed: { test: number; error: string }[] = [];
    for (let i = 0; i < tests.length && failed.length < MAX_LISTED_FAILURES; i++) {
      const o = outcome.get(i);
      if (o?.ok) continue;
      const why = o
        ? o.text
        : error
          ? `not run (${error.split(":")[0]} failed)`
          : "no result (the run ended first)";
      failed.push({ test: i, error: why });
    }
    // A run that ended without the harness finishing: say why (crash, os._exit, limit).
    if (!done && !error && run.status !== "sandbox_error") {
      error = `harness did not finish: run ${run.status}${run.stderr ? `: ${lastLine(run.stderr)}` : ""}`;
    }
    const score = finalScore(passed, tests.length);
    const status = statusOf([run]);
    return result(status === "sandbox_error" ? 0 : score, status, {
      // the raw metric is pass@1 whatever the reward's scoring: a partly passing program is not correct
      ...(status === "sandbox_error"
        ? { error: run.details.error }
        : { metric: allPassed(passed, tests.length) }),
      layout: "assert",
      passed,
      total: tests.length,
      ...(failed.length ? { failed } : {}),
      ...(error && status !== "sandbox_error" ? { error } : {}),
      run_status: run.status,
      duration_ms: Math.round(run.durationMs),
      sandbox: run.details.isolation ?? runner.kind,
      ...(run.details.note ? { sandbox_note: run.details.note } : {}),
    });
  }

  async function scoreCases(code: string, cases: { input: string; output: string }[], signal?: AbortSignal) {
    const runCase = (c: { input: string }) =>
      runner.run({ code, stdin: c.input, timeoutMs: cfg.timeout_ms, signal });
    const runs: (RunResult | undefined)[] = new Array(cases.length);
    if (cfg.score === "all_pass" && cfg.stop_on_first_failure) {
      for (let i = 0; i < cases.length; i++) {
        runs[i] = await runCase(cases[i]!);
        if (!casePassed(i)) break;
      }
    } else {
      await Promise.all(
        cases.map(async (c, i) => {
          runs[i] = await runCase(c);
        }),
      );
    }
    function casePassed(i: number): boolean {
      const r = runs[i];
      return (
        r?.status === "ok" &&
        normalizeOutput(r.stdout, cfg.output_match) === normalizeOutput(cases[i]!.output, cfg.output_match)
      );
    }
    const done = runs.filter((r): r is RunResult => r !== undefined);
    let passed = 0;
    const failed: { test: number; error: string }[] = [];
    cases.forEach((c, i) => {
      const r = runs[i];
      if (casePassed(i)) passed++;
      else if (r && failed.length < MAX_LISTED_FAILURES) {
        const why =
          r.status === "ok"
            ? `wrong output: expected ${JSON.stringify(c.output.slice(0, 200))}, got ${JSON.stringify(r.stdout.slice(0, 200))}`
            : `${r.status}${r.stderr ? `: ${lastLine(r.stderr)}` : ""}`;
        failed.push({ test: i, error: why });
      }
    });
    const score = finalScore(passed, cases.length);
    const status = statusOf(done);
    const sandboxErr = done.find((r) => r.status === "sandbox_error");
    const first = done[0];
    return result(status === "sandbox_error" ? 0 : score, status, {
      ...(sandboxErr ? { error: sandboxErr.details.error } : { metric: allPassed(passed, cases.length) }),
      layout: "stdin_stdout",
      passed,
      total: cases.length,
      run: done.length,
      ...(failed.length ? { failed } : {}),
      duration_ms: Math.round(done.reduce((s, r) => s + r.durationMs, 0)),
      sandbox: first?.details.isolation ?? runner.kind,
      ...(first?.details.note ? { sandbox_note: first.details.note } : {}),
    });
  }

  /** Bad ground truth is a data error, not the model's: it fails the batch, naming the sample. */
  function testsOf(sample: RewardSample, index: number): CodeTests {
    try {
      return parseCodeTests(sample.groundTruth);
    } catch (err) {
      if (!(err instanceof GroundTruthError)) throw err;
      throw new Error(
        `${cfg.name}: sample ${index} (data_source ${sample.dataSource}): ground_truth: ${err.message}`,
      );
    }
  }

  async function scoreOne(
    sample: RewardSample,
    tests: CodeTests,
    signal?: AbortSignal,
  ): Promise<RewardResult> {
    const extracted = extractCode(sample.response, cfg.extract);
    if (!extracted) return result(0, "no_answer", { metric: 0, error: "no code block in the response" });
    const scored =
      tests.kind === "assert"
        ? await scoreAsserts(extracted.code, tests.setup, tests.tests, signal)
        : await scoreCases(extracted.code, tests.cases, signal);
    scored.details.extracted_from = extracted.from;
    return scored;
  }

  return {
    name: cfg.name,
    // async: bad ground truth rejects the returned promise instead of throwing at the call.
    async scoreBatch(samples, opts) {
      const tests = samples.map((s, i) => testsOf(s, i));
      return Promise.all(samples.map((s, i) => scoreOne(s, tests[i]!, opts?.signal)));
    },
    async close() {
      if (ownsRunner) await runner.close?.();
    },
  };
}
