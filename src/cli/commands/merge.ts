// `omni-thinker merge --config merge.yaml --out DIR`: merges HF model directories as a mergekit-style
// YAML file says (linear, task_arithmetic, ties, dare_linear, dare_ties, slerp).
import type { Command } from "commander";
import { loadMergePlan } from "../../merge/config.js";
import { type MergeSummary, runMerge } from "../../merge/run-merge.js";

/** Models at least this large get one progress line per tensor on stderr. */
const PROGRESS_MIN_PARAMETERS = 10_000_000;

export function formatMergeSummary(s: MergeSummary): string {
  const lines = [
    `merged ${s.tensors} tensors (${s.parameters.toLocaleString("en-US")} parameters) with ${s.method} in ${s.seconds.toFixed(1)} s`,
  ];
  if (s.base) lines.push(`  base:   ${s.base}`);
  for (const m of s.models) lines.push(`  model:  ${m.path} (weight ${m.weight}, density ${m.density})`);
  lines.push(`  output: ${s.outDir} (${s.dtype}; config.json from ${s.configFrom})`);
  lines.push(
    s.tokenizerFiles.length > 0
      ? `  tokenizer files copied: ${s.tokenizerFiles.join(", ")}`
      : `  no tokenizer.json in ${s.configFrom}: no tokenizer files copied`,
  );
  return lines.join("\n");
}

export function register(program: Command): void {
  program
    .command("merge")
    .description("merge model directories with a mergekit-style YAML config")
    .requiredOption("--config <file>", "merge config (YAML, mergekit shape)")
    .requiredOption("--out <dir>", "output HF model directory")
    .option("--quiet", "no per-tensor progress")
    .action((opts: { config: string; out: string; quiet?: boolean }) => {
      const plan = loadMergePlan(opts.config);
      let showProgress = false;
      const summary = runMerge(plan, opts.out, {
        onLoaded: ({ parameters }) => {
          showProgress = !opts.quiet && parameters >= PROGRESS_MIN_PARAMETERS;
        },
        onProgress: (p) => {
          if (showProgress)
            console.error(`[${p.index}/${p.total}] ${p.name} (${p.elements.toLocaleString("en-US")})`);
        },
      });
      console.log(formatMergeSummary(summary));
    });
}
