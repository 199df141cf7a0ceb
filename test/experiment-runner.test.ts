import assert from "node:assert/strict";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as experimentCommand from "../src/cli/commands/experiment.js";
import * as pipelineCommand from "../src/cli/commands/pipeline.js";
import type { ExperimentResult } from "../src/experiment/experiment-runner.js";
import { sampleStd } from "../src/experiment/stats.js";
import { readBwtFile } from "../src/schedule/bwt.js";
import { rankOrders } from "../src/schedule/order-predictor.js";
import { microPresetArgs, OMNI4, writeExperimentFixture } from "./helpers/experiment-fixture.js";
import { runCommand } from "./helpers/run-command.js";

const ALL_ARMS = [
  "base",
  "sft",
  "joint",
  "merge_ties",
  "merge_task_arithmetic",
  "curriculum_best",
  "curriculum_worst",
  "curriculum_heuristic",
];
const TASKS = ["math", "code", "qa", "writing"];

function mtimes(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(p, statSync(p).mtimeMs);
    }
  };
  walk(dir);
  return out;
}

const readResult = (out: string): ExperimentResult =>
  JSON.parse(readFileSync(join(out, "experiment.json"), "utf8"));

test("experiment micro preset end to end: every arm in experiment.json, report.md and report.html; a re-run skips every arm", async () => {
  const fx = writeExperimentFixture("experiment-e2e-");
  const args = microPresetArgs(fx);
  const first = await runCommand(experimentCommand, ["experiment", ...args]);
  assert.match(first.stderr, /\[arm 1\/8\] base s0: start/);
  assert.match(first.stderr, /\[arm 8\/8\] curriculum_heuristic s0: done in .* ETA/);
  const r = readResult(fx.out);
  assert.deepEqual(
    r.arms.map((a) => a.arm),
    ALL_ARMS,
  );
  assert.equal(r.armsRun.length, 8);
  for (const a of r.arms) {
    for (const t of TASKS) {
      const v = a.perTask[t]!.mean;
      assert.ok(v >= 0 && v <= 1, `${a.arm} ${t} = ${v}`);
    }
    // Same RL budget for every RL arm: 4 tasks x 2 steps (merges: 4 experts x 2 steps).
    assert.equal(a.seeds[0]!.rlSteps, a.arm === "base" || a.arm === "sft" ? 0 : 8, a.arm);
  }
  // The best-order arm trains the order the BWT matrix predicts best, the control the worst one.
  const ranked = rankOrders(readBwtFile(join(fx.out, "bwt.json")));
  assert.deepEqual(r.arms.find((a) => a.arm === "curriculum_best")!.order, ranked.best.names);
  assert.deepEqual(r.arms.find((a) => a.arm === "curriculum_worst")!.order, ranked.worst.names);
  assert.deepEqual(r.arms.find((a) => a.arm === "curriculum_heuristic")!.order!.at(-1), "writing");
  assert.ok(r.prediction && r.prediction.orders.length >= 2 && Number.isFinite(r.prediction.maeOrders));
  assert.deepEqual(
    r.comparisons.slice(0, 3).map((c) => `${c.a}-${c.b}`),
    ["curriculum_best-joint", "curriculum_best-merge_ties", "curriculum_best-merge_task_arithmetic"],
  );

  const md = readFileSync(join(fx.out, "report.md"), "utf8");
  assert.match(md, /Does curriculum beat joint RL, and by how much\?/);
  assert.match(md, /Does it beat merging the single-task experts\?/);
  assert.match(md, /Spearman correlation of predicted vs measured/);
  assert.match(md, /one seed: its margins cover evaluation noise only/);
  for (const arm of ALL_ARMS) assert.match(md, new RegExp(`\\| ${arm} \\|`));
  const html = readFileSync(join(fx.out, "report.html"), "utf8");
  assert.ok((html.match(/<svg /g) ?? []).length >= 5, "bars, heatmap, scatter, entropy panels");
  assert.equal((html.match(/<title>B\[/g) ?? []).length, 12, "12 off-diagonal heatmap cells");
  assert.equal(
    (html.match(/in [a-z]+ → [a-z]+ → [a-z]+ → [a-z]+: predicted/g) ?? []).length,
    4 * r.prediction!.orders.length,
  );

  // Re-run: every arm is skipped, nothing is trained or evaluated, no run file is rewritten.
  const before = mtimes(join(fx.out, "rl"));
  const second = await runCommand(experimentCommand, ["experiment", ...args]);
  const again = readResult(fx.out);
  assert.equal((second.stderr.match(/finished earlier, skipped/g) ?? []).length, 8);
  assert.deepEqual(again.armsRun, []);
  assert.equal(again.armsSkipped.length, 8);
  assert.equal(again.counters.runsTrained, 0);
  assert.equal(again.counters.stepsTrained, 0);
  assert.equal(again.counters.taskEvalsComputed, 0);
  assert.equal(again.counters.sftSteps, 0);
  assert.deepEqual(mtimes(join(fx.out, "rl")), before);
  assert.deepEqual(
    again.arms.map((a) => a.summary.mean),
    r.arms.map((a) => a.summary.mean),
  );

  // A run killed after its last checkpoint but before it was recorded resumes without training again.
  rmSync(join(fx.out, "rl", "s0-joint", "run.json"));
  rmSync(join(fx.out, "arms", "joint.s0.json"));
  await runCommand(experimentCommand, ["experiment", ...args, "--arms", "joint"]);
  const resumed = readResult(fx.out);
  assert.equal(resumed.counters.runsResumed, 1);
  assert.equal(resumed.counters.stepsTrained, 0);
  assert.equal(resumed.arms[0]!.summary.mean, r.arms.find((a) => a.arm === "joint")!.summary.mean);

  // --seeds 2 adds seed 1 and keeps seed 0: joint is then mean ± std over two seeds.
  await runCommand(experimentCommand, ["experiment", ...args, "--arms", "base,joint", "--seeds", "2"]);
  const two = readResult(fx.out);
  assert.deepEqual(two.armsRun, ["joint s1"]);
  assert.deepEqual(two.armsSkipped, ["base s0", "joint s0"]);
  const joint = two.arms.find((a) => a.arm === "joint")!;
  assert.equal(joint.summary.spreadKind, "seeds");
  assert.equal(joint.summary.n, 2);
  assert.ok(Math.abs(joint.summary.spread - sampleStd(joint.seeds.map((s) => s.mean))) < 1e-12);

  // The pipeline is the same runner on three arms: on this workspace it reuses everything.
  const pipe = await runCommand(pipelineCommand, ["pipeline", ...args]);
  assert.match(pipe.stdout, /predicted best order: (\w+ -> ){3}\w+/);
  const p = readResult(fx.out);
  assert.deepEqual(
    p.arms.map((a) => a.arm),
    ["base", "joint", "curriculum_best"],
  );
  assert.equal(p.counters.runsTrained, 0);
});
