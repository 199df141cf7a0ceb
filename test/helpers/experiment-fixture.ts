// A self-contained experiment workspace for tests: a tiny random policy (d=32, 1 layer), four small
// tasks with train/test rows and references, and a rewards YAML that needs no server (fuzzy match of
// the response against the row's reference, so scores are continuous and B is not all zeros).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type ExperimentConfig,
  loadExperimentConfig,
  resolveExperimentPaths,
} from "../../src/experiment/config.js";
import { tempDir } from "./temp-dir.js";
import { toyRow, writeTaskRows, writeTinyPolicy } from "./tiny-policy.js";

export const FIXTURE_TASKS = ["math", "code", "qa", "writing"] as const;

const REFERENCES: Record<string, string[]> = {
  math: ["The answer is 4.", "The answer is 9.", "The answer is 12.", "The answer is 7."],
  code: ["def f(x): return x", "def g(y): return y + 1", "def h(): pass", "def k(a, b): return a"],
  qa: ["The answer is (A).", "The answer is (C).", "The answer is (B).", "The answer is (D)."],
  writing: ["hello world, the tree", "the world is hello", "hello there world", "the end of the world"],
};

export interface ExperimentFixture {
  dir: string;
  model: string;
  data: string;
  rewards: string;
  out: string;
}

export function writeExperimentFixture(prefix = "experiment-"): ExperimentFixture {
  const dir = tempDir(prefix);
  const model = writeTinyPolicy(join(dir, "model"), {
    hidden: 32,
    layers: 1,
    heads: 2,
    intermediate: 64,
    seed: 3,
  });
  const rows = (split: string, n: number) =>
    Object.fromEntries(
      FIXTURE_TASKS.map((task) => [
        task,
        Array.from({ length: n }, (_, i) => {
          const reference = REFERENCES[task]![i % 4]!;
          const row = toyRow(task, i, `${task} question ${i}: say ${reference}`, reference);
          return { ...row, extra_info: { ...row.extra_info, split, reference } };
        }),
      ]),
    );
  const data = join(dir, "data");
  writeTaskRows(data, "train", rows("train", 8));
  writeTaskRows(data, "test", rows("test", 4));
  const rewards = join(dir, "rewards.yaml");
  writeFileSync(
    rewards,
    [
      "rewards:",
      '  "*":',
      "    type: text_similarity",
      '    input: "{{sample.output_text}}"',
      '    reference: "{{item.reference}}"',
      "    evaluation_metric: fuzzy_match",
      "",
    ].join("\n"),
  );
  return { dir, model, data, rewards, out: join(dir, "out") };
}

/** The shipped configs/omni4.yaml. */
export const OMNI4 = fileURLToPath(new URL("../../../configs/omni4.yaml", import.meta.url));

/** CLI options that run the micro preset of configs/omni4.yaml on the fixture. */
export function microPresetArgs(fx: ExperimentFixture): string[] {
  return [
    "--config",
    OMNI4,
    "--preset",
    "micro",
    "--out-dir",
    fx.out,
    "--base-model",
    fx.model,
    "--data",
    fx.data,
    "--rewards",
    fx.rewards,
    "--no-progress",
  ];
}

/** configs/omni4.yaml's micro preset pointed at the fixture, with absolute paths (for a Workspace). */
export function microExperimentConfig(fx: ExperimentFixture): ExperimentConfig {
  return resolveExperimentPaths(
    loadExperimentConfig(OMNI4, {
      preset: "micro",
      overrides: {
        out_dir: fx.out,
        base_model: fx.model,
        data: { dir: fx.data },
        rewards: fx.rewards,
        progress: false,
      },
    }),
  );
}
