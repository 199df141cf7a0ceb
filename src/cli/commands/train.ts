// `omni-thinker train --config X.yaml` starts a GRPO run; `omni-thinker train --resume runs/NAME`
// continues one from its newest good checkpoint (its resolved config.yaml is the config).
import { existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import { loadTrainConfig, type TrainConfig } from "../../rl/config.js";
import { train } from "../../rl/trainer.js";

const int = (v: string) => {
  const n = Number.parseInt(v, 10);
  if (!Number.isFinite(n) || n < 1) throw new Error(`not a positive integer: ${v}`);
  return n;
};

interface TrainCliOptions {
  config?: string;
  resume?: string;
  name?: string;
  model?: string;
  steps?: number;
  outDir?: string;
  tasks?: string;
  seed?: number;
  set: string[];
  progress: boolean;
}

const seedInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`not a non-negative integer: ${v}`);
  return n;
};

export function configForCli(o: TrainCliOptions): TrainConfig {
  if (Boolean(o.config) === Boolean(o.resume))
    throw new Error("give either --config FILE or --resume RUN_DIR");
  let cfg: TrainConfig;
  if (o.resume) {
    const runDir = resolve(o.resume);
    const file = join(runDir, "config.yaml");
    if (!existsSync(file)) throw new Error(`${runDir} is not a run directory (no config.yaml)`);
    cfg = loadTrainConfig(file);
    cfg = { ...cfg, out_dir: dirname(runDir), name: basename(runDir) };
    if (o.name || o.model || o.outDir || o.tasks || o.seed !== undefined || o.set.length > 0)
      throw new Error("--name, --model, --out-dir, --tasks, --seed and --set cannot change on --resume");
  } else {
    cfg = loadTrainConfig(o.config!, o.set);
    if (o.name) cfg = { ...cfg, name: o.name };
    if (o.model) cfg = { ...cfg, model: o.model };
    if (o.outDir) cfg = { ...cfg, out_dir: o.outDir };
    if (o.tasks) cfg = { ...cfg, tasks: o.tasks.split(",").map((t) => t.trim()) };
    if (o.seed !== undefined) cfg = { ...cfg, seed: o.seed };
  }
  if (o.steps !== undefined) cfg = { ...cfg, steps: o.steps };
  if (!o.progress) cfg = { ...cfg, progress: false };
  return cfg;
}

export function register(program: Command): void {
  program
    .command("train")
    .description("GRPO training of a policy on one or more tasks (hybrid rewards, joint or staged schedule)")
    .option("--config <file>", "train config YAML (see docs/rl.md)")
    .option("--resume <runDir>", "continue runs/NAME from its newest good checkpoint")
    .option("--name <name>", "run name (runs/<name>); overrides the config's")
    .option("--model <dir>", "initial policy (HF model directory); overrides the config's")
    .option("--out-dir <dir>", "directory holding the run directories; overrides the config's")
    .option("--steps <n>", "total RL steps; overrides the config's (also to extend a resumed run)", int)
    .option("--tasks <list>", "comma-separated tasks to train on; overrides the config's")
    .option("--seed <n>", "run seed (sampling, data order); overrides the config's", seedInt)
    .option(
      "--set <key=value>",
      "override a config key before validation, e.g. --set optim.lr=5e-5 (repeatable)",
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option("--no-progress", "no progress bar")
    .action(async (o: TrainCliOptions) => {
      const cfg = configForCli(o);
      const result = await train(cfg, { resume: Boolean(o.resume) });
      const m = result.lastMetrics;
      const tasks = m
        ? Object.keys(m)
            .filter((k) => k.endsWith("/reward_mean"))
            .map((k) => `${k.slice(0, -"/reward_mean".length)} ${(m[k] as number).toFixed(3)}`)
        : [];
      console.log(
        `trained steps ${result.startStep + 1}..${result.step} of ${result.totalSteps}` +
          (tasks.length ? ` | last step reward: ${tasks.join(", ")}` : ""),
      );
      if (result.checkpoint) console.log(`checkpoint: ${result.checkpoint}`);
      console.log(`run directory: ${result.runDir}`);
    });
}
