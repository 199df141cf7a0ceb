// OpenAI's `python` grader: `{type: "python", name, source, image_tag?}` where `source` defines
// `def grade(sample, item) -> float`. The source runs in the sandbox with sample and item passed as JSON.
//   sample = { output_text: <response>, output_json: <response parsed as JSON, or null> }
//   item   = { ...extraInfo, data_source, prompt, ground_truth }
// The returned float is the score (clamped to [0,1] unless `clamp: false`; the raw value is in details.raw).
// A grader that raises is `judge_error`; one that returns a non-number is `judge_unparseable`.
import { z } from "zod";
import { GRADER_HARNESS, type GraderSpec } from "./sandbox/grader-harness.js";
import { type CodeRunner, createCodeRunner, SandboxConfig } from "./sandbox/index.js";
import { newRunToken, readMarkedRecords } from "./sandbox/marked-results.js";
import { SPEC_FILE } from "./sandbox/test-harness.js";
import { type Reward, type RewardResult, type RewardSample, result } from "./types.js";

export const PythonGraderConfig = z.strictObject({
  type: z.literal("python"),
  name: z.string().min(1),
  source: z.string().min(1),
  /** OpenAI runs the grader in this image; here it is recorded in details and otherwise ignored. */
  image_tag: z.string().optional(),
  /** OpenAI's pass mark; when set, details.passed says whether the raw score reached it. */
  pass_threshold: z.number().optional(),
  clamp: z.boolean().default(true),
  sandbox: SandboxConfig,
  concurrency: z.number().int().min(1).max(256).optional(),
  timeout_ms: z.number().int().positive().default(5000),
});
export type PythonGraderConfig = z.output<typeof PythonGraderConfig>;

function outputJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function createPythonGrader(
  input: z.input<typeof PythonGraderConfig>,
  deps: { runner?: CodeRunner } = {},
): Reward {
  const cfg = PythonGraderConfig.parse(input);
  const runner = deps.runner ?? createCodeRunner(cfg.sandbox, cfg.concurrency);
  const ownsRunner = !deps.runner;

  async function gradeOne(sample: RewardSample, signal?: AbortSignal): Promise<RewardResult> {
    const token = newRunToken();
    const spec: GraderSpec = {
      token,
      source: cfg.source,
      sample: { output_text: sample.response, output_json: outputJson(sample.response) },
      item: {
        ...(sample.extraInfo ?? {}),
        data_source: sample.dataSource,
        prompt: sample.prompt,
        ground_truth: sample.groundTruth,
      },
    };
    const run = await runner.run({
      code: GRADER_HARNESS,
      files: { [SPEC_FILE]: JSON.stringify(spec) },
      timeoutMs: cfg.timeout_ms,
      signal,
    });
    const base = {
      grader: cfg.name,
      run_status: run.status,
      duration_ms: Math.round(run.durationMs),
      ...(cfg.image_tag ? { image_tag: cfg.image_tag } : {}),
    };
    if (run.status === "sandbox_error")
      return result(0, "sandbox_error", { ...base, error: run.details.error });
    if (run.status === "timeout") return result(0, "timeout", { ...base, metric: 0 });
    const records = readMarkedRecords(run.stdout, token);
    const score = records.find((r) => r.key === "score");
    if (score?.ok) {
      const raw = Number(score.text);
      if (!Number.isFinite(raw))
        return result(0, "judge_unparseable", { ...base, error: `grade() returned ${score.text}` });
      const clamped = Math.min(1, Math.max(0, raw));
      return result(cfg.clamp ? clamped : raw, "ok", {
        ...base,
        metric: clamped,
        raw,
        ...(cfg.pass_threshold === undefined ? {} : { passed: raw >= cfg.pass_threshold }),
      });
    }
    if (score) return result(0, "judge_unparseable", { ...base, error: score.text });
    const failure = records.find((r) => !r.ok);
    const why = failure
      ? `${failure.key}: ${failure.text}`
      : `grader produced no score (run ${run.status}): ${run.stderr.trim().split("\n").pop() ?? ""}`;
    return result(0, "judge_error", { ...base, error: why });
  }

  return {
    name: cfg.name,
    scoreBatch(samples, opts) {
      return Promise.all(samples.map((s) => gradeOne(s, opts?.signal)));
    },
    async close() {
      if (ownsRunner) await runner.close?.();
    },
  };
}
