// `omni-thinker demo` (what `npm start` runs): train a small model on WordNet glosses for about a
// minute, sample from it, save it in Hugging Face layout, reload it and check the samples repeat.
// Exit code 1 when the reloaded model does not reproduce the samples.
import type { Command } from "commander";
import { DEMO_SIZES, type DemoOptions, runDemo } from "../../demo/demo.js";

interface DemoCliOptions {
  seconds: string;
  out: string;
  size: string;
  seed: string;
  lr: string;
  json?: boolean;
}

function positive(value: string, flag: string, integer: boolean): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new Error(`${flag} must be a positive ${integer ? "integer" : "number"}, got "${value}"`);
  }
  return n;
}

export function register(program: Command): void {
  program
    .command("demo")
    .description(
      "train a small byte-level model on WordNet glosses, sample, save (HF layout), reload, re-sample",
    )
    .option("--seconds <n>", "training time in seconds", "60")
    .option("--out <dir>", "where to save the model", "runs/demo/model")
    .option("--size <name>", `model size: ${Object.keys(DEMO_SIZES).join(" | ")}`, "S")
    .option("--seed <n>", "seed for init, data order and sampling", "0")
    .option("--lr <x>", "peak learning rate (AdamW, 20 warmup steps, cosine to 10% by time)", "1e-3")
    .option("--json", "print a JSON summary as the last line of stdout")
    .action((o: DemoCliOptions) => {
      if (!(o.size in DEMO_SIZES)) {
        throw new Error(`--size must be one of ${Object.keys(DEMO_SIZES).join(", ")}, got "${o.size}"`);
      }
      const seed = Number(o.seed);
      if (!Number.isInteger(seed) || seed < 0)
        throw new Error(`--seed must be an integer >= 0, got "${o.seed}"`);
      const opts: DemoOptions = {
        seconds: positive(o.seconds, "--seconds", false),
        out: o.out,
        size: o.size as DemoOptions["size"],
        seed,
        lr: positive(o.lr, "--lr", false),
      };
      const result = runDemo(opts);
      if (o.json) {
        const { losses: _l, config: _c, ...summary } = result;
        console.log(JSON.stringify(summary));
      }
      if (!result.identical) process.exitCode = 1;
    });
}
