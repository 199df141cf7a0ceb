// `omni-thinker score`: scores a JSONL file of responses with a rewards config and prints a per-task
// summary. Exit code 1 when any row could not be scored (its output row carries `error`).
import type { Command } from "commander";
import { formatJudgeStats } from "../../rewards/judge/stats.js";
import { loadRewardRouter } from "../../rewards/router.js";
import { formatSummary, scoreFile } from "../../rewards/score-file.js";

interface ScoreOptions {
  rewards: string;
  input: string;
  output?: string;
  batchSize: string;
}

export function register(program: Command): void {
  program
    .command("score")
    .description("score a JSONL file of responses with a rewards config")
    .requiredOption("--rewards <file>", "rewards YAML (data_source -> reward)")
    .requiredOption(
      "--input <file>",
      "JSONL rows {data_source, prompt, response, reward_model{ground_truth}, extra_info}",
    )
    .option("--output <file>", "where to write the scored rows (default: stdout)")
    .option("--batch-size <n>", "rows scored together", "256")
    .action(async (opts: ScoreOptions) => {
      const batchSize = Number(opts.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1)
        throw new Error(`--batch-size must be a positive integer, got ${opts.batchSize}`);
      const router = loadRewardRouter(opts.rewards);
      try {
        const summary = await scoreFile(router, opts.input, opts.output, { batchSize });
        // The table goes to stderr when the scored rows themselves go to stdout.
        const log = opts.output ? console.log : console.error;
        log(formatSummary(summary));
        for (const [name, stats] of Object.entries(router.judgeStats())) log(formatJudgeStats(name, stats));
        if (summary.failedRows > 0) {
          console.error(`${summary.failedRows} row(s) could not be scored; see their "error" field`);
          process.exitCode = 1;
        }
      } finally {
        await router.close();
      }
    });
}
