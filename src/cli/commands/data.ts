// `omni-thinker data`: dataset files in verl's row schema.
//   data inspect FILE...   rows by data_source and difficulty, split sizes, schema problems (file:line: field)
//   data convert IN OUT    JSONL <-> Parquet, by extension
//   data build             the bundled datasets (same as `npm run data:build`)
// inspect and convert exit with code 1 when any row has a schema problem.
import type { Command } from "commander";
import { buildDatasets, DEFAULT_OUT, DEFAULT_SEED, parseSizes, parseTasks } from "../../tasks/build.js";
import { convertRows } from "../../tasks/convert.js";
import { DEFAULT_SIZES } from "../../tasks/dataset.js";
import { type FileInspection, formatInspection, inspectFile } from "../../tasks/inspect.js";
import { formatProblem, TASK_NAMES } from "../../tasks/schema.js";

interface InspectOptions {
  json?: boolean;
  maxProblems: string;
}

interface ConvertOptions {
  allowInvalid?: boolean;
}

interface BuildOptions {
  seed: string;
  out: string;
  tasks: string;
  sizes: string;
}

async function inspectOrReport(file: string): Promise<FileInspection> {
  try {
    return await inspectFile(file);
  } catch (err) {
    // An unreadable file is a problem of that file, not the end of the whole report.
    return {
      file,
      rows: 0,
      bySource: {},
      bySplit: {},
      problems: [{ file, line: 0, field: "(file)", message: (err as Error).message }],
      badRows: 0,
    };
  }
}

export function register(program: Command): void {
  const data = program.command("data").description("inspect, convert and build datasets (verl row schema)");

  data
    .command("inspect")
    .description(
      "rows by data_source and difficulty, split sizes and schema problems of .jsonl/.parquet files",
    )
    .argument("<files...>", "dataset files (.jsonl or .parquet)")
    .option("--json", "print one JSON object per file instead of tables")
    .option("--max-problems <n>", "problems listed per file", "50")
    .action(async (files: string[], opts: InspectOptions) => {
      const maxProblems = Number(opts.maxProblems);
      if (!Number.isInteger(maxProblems) || maxProblems < 0)
        throw new Error(`--max-problems must be a non-negative integer, got ${opts.maxProblems}`);
      let problems = 0;
      for (const file of files) {
        const r = await inspectOrReport(file);
        problems += r.problems.length;
        console.log(opts.json ? JSON.stringify(r) : formatInspection(r, maxProblems));
      }
      if (problems > 0) {
        console.error(`${problems} schema problem(s) in ${files.length} file(s)`);
        process.exitCode = 1;
      }
    });

  data
    .command("convert")
    .description("convert dataset rows between JSONL and Parquet (format by extension)")
    .argument("<input>", "input .jsonl or .parquet")
    .argument("<output>", "output .jsonl or .parquet")
    .option("--allow-invalid", "write rows even when some fail the schema (problems are still listed)")
    .action(async (input: string, output: string, opts: ConvertOptions) => {
      const r = await convertRows(input, output, { allowInvalid: opts.allowInvalid });
      for (const p of r.problems.slice(0, 50)) console.error(formatProblem(p));
      if (r.problems.length > 50) console.error(`... and ${r.problems.length - 50} more`);
      if (r.written) console.log(`${input} (${r.from}) -> ${output} (${r.to}): ${r.rows} rows`);
      if (r.problems.length > 0) {
        console.error(
          r.written
            ? `${r.problems.length} schema problem(s); rows written anyway (--allow-invalid)`
            : `${r.problems.length} schema problem(s); nothing written (--allow-invalid writes anyway)`,
        );
        process.exitCode = 1;
      }
    });

  data
    .command("build")
    .description("build the bundled datasets deterministically (train, sft and test splits per task)")
    .option("--seed <n>", "seed", String(DEFAULT_SEED))
    .option("--out <dir>", "output directory", DEFAULT_OUT)
    .option("--tasks <list>", "comma-separated tasks", TASK_NAMES.join(","))
    .option(
      "--sizes <train,sft,test>",
      "rows per split",
      `${DEFAULT_SIZES.train},${DEFAULT_SIZES.sft},${DEFAULT_SIZES.test}`,
    )
    .action((opts: BuildOptions) => {
      const seed = Number(opts.seed);
      if (!Number.isInteger(seed) || seed < 0)
        throw new Error(`--seed must be a non-negative integer, got ${opts.seed}`);
      buildDatasets({ seed, out: opts.out, tasks: parseTasks(opts.tasks), sizes: parseSizes(opts.sizes) });
    });
}
