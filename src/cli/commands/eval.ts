import type { Command } from "commander";
import { formatEvalTable } from "../../eval/evaluate.js";
import { runEval } from "../../eval/run-eval.js";

const int = (v: string) => {
  const n = Number.parseInt(v, 10);
  if (!Number.isFinite(n)) throw new Error(`not an integer: ${v}`);
  return n;
};
const float = (v: string) => {
  const n = Number.parseFloat(v);
  if (!Number.isFinite(n)) throw new Error(`not a number: ${v}`);
  return n;
};

export function register(program: Command): void {
  program
    .command("eval")
    .description("evaluate a local model or an OpenAI-compatible endpoint on the tasks' held-out rows")
    .option("--model <dir>", "local Hugging Face model directory (runs on the engine)")
    .option("--base-url <url>", "OpenAI-compatible endpoint, e.g. http://127.0.0.1:8001/v1")
    .option("--model-name <name>", "model name to request from the endpoint")
    .option("--api-key-env <var>", "environment variable holding the endpoint's API key", "OPENAI_API_KEY")
    .option("--tasks <list>", "comma-separated tasks", "math,code,qa,writing")
    .option("--data <dir>", "datasets directory (<dir>/<task>/<split>.jsonl)", "datasets")
    .option("--split <name>", "which split to evaluate", "test")
    .option("--limit <n>", "first N rows per task", int)
    .option("--samples <k>", "responses per prompt (pass@k for k > 1)", int, 1)
    .option("--temperature <t>", "sampling temperature (default 0 for one sample, 1 for several)", float)
    .option("--top-p <p>", "nucleus sampling", float, 1)
    .option("--max-tokens <n>", "max new tokens per response", int, 256)
    .option("--seed <n>", "sampling seed", int, 0)
    .option("--rewards <file>", "reward router config", "configs/rewards.yaml")
    .option("--out <file>", "write the JSON result here")
    .option("--concurrency <n>", "concurrent endpoint requests", int, 16)
    .option("--batch-size <n>", "sequences decoded together by the local engine", int, 32)
    .option("--timeout-ms <n>", "per-request endpoint timeout", int, 120_000)
    .option("--retries <n>", "endpoint retries with backoff", int, 3)
    .option("--keep-samples", "include every response and reward in the JSON", false)
    .option("--no-progress", "no progress bar")
    .action(async (o) => {
      const result = await runEval({
        ...o,
        tasks: String(o.tasks)
          .split(",")
          .map((t: string) => t.trim())
          .filter(Boolean),
      });
      console.log(formatEvalTable(result));
      if (o.out) console.log(`\nwrote ${o.out}`);
    });
}
