import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as bwtCommand from "../src/cli/commands/bwt.js";
import * as curriculumCommand from "../src/cli/commands/curriculum.js";
import { runBwt } from "../src/experiment/bwt-runner.js";
import { Workspace } from "../src/experiment/workspace.js";
import { readBwtFile } from "../src/schedule/bwt.js";
import {
  microExperimentConfig,
  microPresetArgs,
  writeExperimentFixture,
} from "./helpers/experiment-fixture.js";
import { runCommand } from "./helpers/run-command.js";

const silent = () => {};

/** mtime of every file under dir (recursively), keyed by path. */
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

const scoreOf = (owner: string, task: string): number =>
  JSON.parse(readFileSync(join(owner, "evals", `${task}.json`), "utf8")).score.normalized;

test("full BWT on the micro preset, 2 seeds: a valid bwt.json whose cells are the measured differences; a re-run trains nothing", async () => {
  const fx = writeExperimentFixture("bwt-full-");
  const cfg = microExperimentConfig(fx);
  const ws = new Workspace(cfg, silent);
  const r = await runBwt(ws, { mode: "full", seeds: 2 });
  await ws.close();
  const k = 4;
  // K singles + K(K-1) pairs per seed, 2 steps each.
  assert.equal(ws.counters.runsTrained, 2 * (k + k * (k - 1)));
  assert.equal(ws.counters.stepsTrained, 2 * 2 * (k + k * (k - 1)));
  const bwt = readBwtFile(r.file);
  assert.equal(bwt.mode, "full");
  assert.equal(bwt.seeds, 2);
  assert.deepEqual(bwt.tasks, ["math", "code", "qa", "writing"]);
  assert.ok(bwt.B_stderr, "two seeds give per-cell standard errors");
  assert.equal(bwt.base!.length, k);
  // Every off-diagonal cell is the mean over seeds of score_i(i then j) - score_i(i alone), read back
  // from the cached evaluations; the stderr is |d0 - d1| / 2 for two seeds.
  const rl = join(fx.out, "rl");
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < k; i++) {
      if (i === j) {
        assert.equal(bwt.B[j]![i], 0);
        continue;
      }
      const [ti, tj] = [bwt.tasks[i]!, bwt.tasks[j]!];
      const d = [0, 1].map(
        (s) => scoreOf(join(rl, `s${s}-${ti}.${tj}`), ti) - scoreOf(join(rl, `s${s}-${ti}`), ti),
      );
      assert.ok(Math.abs(bwt.B[j]![i]! - (d[0]! + d[1]!) / 2) < 1e-12, `B[${tj} -> ${ti}]`);
      assert.ok(
        Math.abs(bwt.B_stderr![j]![i]! - Math.abs(d[0]! - d[1]!) / 2) < 1e-12,
        `stderr[${tj} -> ${ti}]`,
      );
    }
    const aStar = [0, 1].map((s) => scoreOf(join(rl, `s${s}-${bwt.tasks[j]}`), bwt.tasks[j]!));
    assert.ok(Math.abs(bwt.A_star[j]! - (aStar[0]! + aStar[1]!) / 2) < 1e-12, `A*[${bwt.tasks[j]}]`);
  }

  // Re-run: every run and evaluation is reused, no file under rl/ is rewritten.
  const before = mtimes(rl);
  const ws2 = new Workspace(cfg, silent);
  const again = await runBwt(ws2, { mode: "full", seeds: 2 });
  await ws2.close();
  assert.equal(ws2.counters.runsTrained, 0);
  assert.equal(ws2.counters.stepsTrained, 0);
  assert.equal(ws2.counters.taskEvalsComputed, 0);
  // Each pair run looks its single-task parent up again: 2 seeds x (4 singles + 12 pairs x 2 lookups).
  assert.equal(ws2.counters.runsReused, 2 * (k + k * (k - 1) * 2));
  assert.deepEqual(mtimes(rl), before);
  assert.deepEqual(again.bwt, bwt);

  // Cheap mode reuses the full run's single-task experts: B[j -> i] = score_i(expert j) - base_i.
  const ws3 = new Workspace(cfg, silent);
  const cheap = await runBwt(ws3, { mode: "cheap", seeds: 2, out: join(fx.dir, "cheap.json") });
  await ws3.close();
  assert.equal(ws3.counters.runsTrained, 0);
  assert.equal(cheap.bwt.mode, "cheap");
  assert.deepEqual(cheap.bwt.A_star, bwt.A_star);
  const base = (t: string) => scoreOf(join(fx.out, "base"), t);
  const d = [0, 1].map((s) => scoreOf(join(rl, `s${s}-qa`), "code") - base("code"));
  assert.ok(Math.abs(cheap.bwt.B[2]![1]! - (d[0]! + d[1]!) / 2) < 1e-12, "cheap B[qa -> code]");
});

test("`omni-thinker bwt` then `curriculum --order best`: stage markers and per-task score + entropy at every stage end", async () => {
  const fx = writeExperimentFixture("bwt-cli-");
  const common = microPresetArgs(fx);
  const { stdout } = await runCommand(bwtCommand, ["bwt", ...common]);
  assert.match(stdout, /mode cheap, 1 seed\(s\); B\[j -> i\]: row = task trained LATER/);
  assert.match(stdout, /runs: 4 trained \(8 steps\), 0 reused/);
  const again = await runCommand(bwtCommand, ["bwt", ...common]);
  assert.match(again.stdout, /runs: 0 trained \(0 steps\), 4 reused; task evaluations: 0 computed/);

  const cur = await runCommand(curriculumCommand, ["curriculum", ...common, "--order", "best"]);
  assert.match(cur.stdout, /curriculum (\w+ -> ){3}\w+ \(seed 0\), 8 RL steps/);
  const file = /metrics with stage markers: (\S+)/.exec(cur.stdout)![1]!;
  const lines = readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  const starts = lines.filter((l) => l.kind === "stage_start");
  const ends = lines.filter((l) => l.kind === "stage_end");
  const train = lines.filter((l) => l.kind === "train");
  assert.equal(starts.length, 4);
  assert.equal(ends.length, 4);
  assert.deepEqual(
    train.map((l) => l.step),
    [1, 2, 3, 4, 5, 6, 7, 8],
    "stage steps are renumbered into one run",
  );
  assert.deepEqual(
    ends.map((l) => l.step),
    [2, 4, 6, 8],
  );
  for (const e of ends) {
    for (const t of ["math", "code", "qa", "writing"]) {
      assert.equal(typeof e[`eval/${t}/normalized`], "number");
      assert.ok(e[`eval/${t}/entropy`] > 0, `entropy of ${t} at stage ${e.stage}`);
    }
    assert.equal(typeof e["train/entropy"], "number");
  }
  // Every training line carries its stage, and the stages follow the printed order.
  const order = /curriculum ((?:\w+ -> ){3}\w+)/.exec(cur.stdout)![1]!.split(" -> ");
  assert.deepEqual(
    starts.map((s) => s.task),
    order,
  );
  assert.ok(train.every((l) => l.stage.task === order[l.stage.index]));
});
