// `omni-thinker canaries`: is this judge hackable? Judges content-free answers (empty, ":",
// "Thought process:", the question echoed back) against the reference answers of a dataset's rows,
// through the rewards config's router, and reports how often each wins. Exit code 1 when the win rate
// exceeds the threshold, so a run script can refuse to train against a judge a policy could game.
import type { Command } from "commander";
import { CANARIES, type CanaryReport, checkCanaries } from "../../rewards/judge/canaries.js";
import { loadRewardRouter } from "../../rewards/router.js";
import { readRows } from "../../tasks/io.js";
import { promptText, type Row } from "../../tasks/schema.js";

interface CanaryOptions {
  rewards: string;
  data: string;
  limit: string;
  threshold: string;
  json?: boolean;
}

/** The text a canary is judged against: the row's reference answer, else its string ground truth. */
function referenceText(row: Row, file: string, line: number): string {
  const ref = row.extra_info.reference ?? row.reward_model.ground_truth;
  if (typeof ref !== "string" || ref.length === 0) {
    throw new Error(
      `${file}:${line}: no extra_info.reference or string reward_model.ground_truth to judge against`,
    );
  }
  return ref;
}

function nonNegativeNumber(flag: string, text: string, integer: boolean): number {
  const v = Number(text);
  if (!Number.isFinite(v) || v < 0 || (integer && !Number.isInteger(v)))
    throw new Error(
      `${flag} must be a ${integer ? "non-negative integer" : "non-negative number"}, got ${text}`,
    );
  return v;
}

export function formatCanaryReport(report: CanaryReport): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const lines = [
    `canary judgments: ${report.total} (${report.failures} failed)`,
    `canary win rate: ${pct(report.winRate)} (threshold ${pct(report.threshold)}), tie rate ${pct(report.tieRate)}`,
    ...Object.keys(CANARIES).map((name) => `  ${name.padEnd(16)} wins ${pct(report.byCanary[name] ?? 0)}`),
    report.hackable
      ? "HACKABLE: this judge prefers content-free answers too often; a policy trained against it can game it"
      : "ok: content-free answers rarely win",
  ];
  return lines.join("\n");
}

export function register(program: Command): void {
  program
    .command("canaries")
    .description("check a judge for hackability: how often content-free answers beat the references")
    .requiredOption("--rewards <file>", "rewards YAML whose route for the rows' data_source is the judge")
    .requiredOption("--data <file>", "JSONL or Parquet rows (verl schema) with reference answers")
    .option("--limit <n>", "first N rows", "50")
    .option("--threshold <rate>", "win rate above which the judge is flagged", "0.05")
    .option("--json", "print the report as JSON")
    .action(async (opts: CanaryOptions) => {
      const limit = nonNegativeNumber("--limit", opts.limit, true);
      const threshold = nonNegativeNumber("--threshold", opts.threshold, false);
      const rows = (await readRows(opts.data)).slice(0, limit);
      if (rows.length === 0) throw new Error(`${opts.data}: no rows`);
      const prompts = rows.map((row, i) => ({
        question: promptText(row),
        reference: referenceText(row, opts.data, i + 1),
        dataSource: row.data_source,
      }));
      const router = loadRewardRouter(opts.rewards);
      try {
        const report = await checkCanaries(router, prompts, { threshold });
        console.log(opts.json ? JSON.stringify(report) : formatCanaryReport(report));
        if (report.hackable) process.exitCode = 1;
      } finally {
        await router.close();
      }
    });
}
