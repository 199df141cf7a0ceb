// report.md: the experiment's answers in numbers, then the tables they come from.
import type { ArmResult, ComparisonLine, ExperimentResult } from "./experiment-runner.js";
import type { Summary } from "./stats.js";

const f3 = (x: number) => x.toFixed(3);
const f4 = (x: number) => x.toFixed(4);
const signed = (x: number, d = 4) => `${x >= 0 ? "+" : ""}${x.toFixed(d)}`;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function spreadText(s: Summary): string {
  return s.spreadKind === "seeds" ? `± ${f4(s.spread)} (std, ${s.n} seeds)` : `± ${f4(s.spread)} (eval SE)`;
}

/** One sentence per comparison: the difference, the margin it had to beat, and whether it is claimed. */
export function comparisonSentence(c: ComparisonLine): string {
  const { delta, margin, claimed } = c.diff;
  const verdict = claimed
    ? `${delta > 0 ? "**yes**" : "**no, it is worse**"}: ${c.a} ${delta > 0 ? "beats" : "trails"} ${c.b} by ${signed(delta)} (${delta > 0 ? "+" : ""}${pct(delta)} absolute), beyond the spread margin ${f4(margin)}`
    : `**not shown**: the difference ${signed(delta)} is within the spread margin ${f4(margin)}; no claim is made`;
  return verdict;
}

function armRow(a: ArmResult, tasks: string[]): string {
  const cells = tasks.map((t) => {
    const p = a.perTask[t]!;
    return a.seeds.length >= 2 ? `${f3(p.mean)} ± ${f3(p.std)}` : f3(p.mean);
  });
  const steps = a.seeds[0]?.rlSteps ?? 0;
  return `| ${a.arm} | ${a.order ? a.order.join(" → ") : "-"} | ${cells.join(" | ")} | **${f4(a.summary.mean)}** ${spreadText(a.summary)} | ${steps} |`;
}

export function renderReportMarkdown(r: ExperimentResult): string {
  const L: string[] = [];
  const tasks = r.tasks;
  L.push(`# Omni-Thinker experiment: ${r.name}`, "");
  L.push(
    `Preset \`${r.preset ?? "none"}\`, ${r.seeds} seed(s) for the RL arms, tasks ${tasks.join(", ")}. ` +
      `RL budget per RL arm: ${r.budget.rlStepsPerArm} steps (${r.budget.stage === "pass" ? "one pass per stage" : "fixed steps per stage"}: ` +
      `${tasks.map((t) => `${t} ${r.budget.stepsPerTask[t]}`).join(", ")}). ` +
      `Scores are normalized test scores in [0, 1], greedy decoding. Finished ${r.finishedAt}.`,
    "",
  );

  // ---- answers ----
  L.push("## Answers", "");
  const find = (a: string, b: string) => r.comparisons.find((c) => c.a === a && c.b === b);
  const head = r.comparisons[0]?.a;
  const q = (title: string, lines: string[]) => {
    L.push(`**${title}**`, "");
    for (const l of lines) L.push(`- ${l}`);
    L.push("");
  };
  if (head) {
    const joint = find(head, "joint");
    q("Does curriculum beat joint RL, and by how much?", [
      joint ? `${head} vs joint: ${comparisonSentence(joint)}.` : "joint was not run.",
    ]);
    const merges = r.comparisons.filter((c) => c.a === head && c.b.startsWith("merge_"));
    q(
      "Does it beat merging the single-task experts?",
      merges.length
        ? merges.map((c) => `${head} vs ${c.b}: ${comparisonSentence(c)}.`)
        : ["no merge arm was run."],
    );
    const worst = find(head, "curriculum_worst");
    const heur = find(head, "curriculum_heuristic");
    q("Does the order matter?", [
      worst
        ? `${head} vs curriculum_worst (the control): ${comparisonSentence(worst)}.`
        : "the worst-order control was not run.",
      ...(heur ? [`${head} vs curriculum_heuristic (structured first): ${comparisonSentence(heur)}.`] : []),
    ]);
  } else {
    L.push("No curriculum arm was run, so the curriculum questions are not answered.", "");
  }
  if (r.prediction) {
    const p = r.prediction;
    const rho = (x: number | null) =>
      x === null ? "undefined (fewer than 2 orders or constant values)" : x.toFixed(3);
    q("How well did the BWT prediction rank the orders?", [
      `${p.orders.length} distinct order(s) trained. Spearman correlation of predicted vs measured mean score over orders: ${rho(p.spearmanOrders)}; mean absolute error ${f4(p.maeOrders)}.`,
      `Over (order, task) cells (${p.orders.length * tasks.length} points): Spearman ${rho(p.spearmanCells)}, mean absolute error ${f4(p.maeCells)}.`,
      ...(p.orders.length < 3
        ? [
            "With fewer than 3 orders a rank correlation says little; add prediction.median_order or random_orders.",
          ]
        : []),
    ]);
  }
  const other = r.comparisons.filter((c) => c.a !== head || ["sft", "base"].includes(c.b));
  if (other.length)
    q(
      "Other differences",
      other.map((c) => `${c.a} vs ${c.b}: ${comparisonSentence(c)}.`),
    );
  L.push(
    "A difference is claimed only when it exceeds the spread: with 2+ seeds, the sum of the two arms' std over " +
      "seeds; with one seed, twice the standard error of the difference from the evaluation's sampling error." +
      (r.seeds < 2
        ? " **This run has one seed: its margins cover evaluation noise only, not the run-to-run variance of RL; " +
          "repeat with `--seeds 3` before trusting a claim.**"
        : ""),
    "",
  );

  // ---- results ----
  L.push("## Results per arm", "");
  L.push(`| arm | order | ${tasks.join(" | ")} | mean | RL steps |`);
  L.push(`|---|---|${tasks.map(() => "---").join("|")}|---|---|`);
  for (const a of r.arms) L.push(armRow(a, tasks));
  L.push("");

  if (r.bwt) {
    const b = r.bwt;
    L.push(`## BWT matrix (${b.mode}, ${b.seeds ?? 1} seed(s))`, "");
    L.push("B[j → i]: row j = task trained later, column i = task affected (negative = forgetting).", "");
    L.push(`| later \\ affected | ${b.tasks.join(" | ")} |`, `|---|${b.tasks.map(() => "---").join("|")}|`);
    b.tasks.forEach((t, j) => {
      const cells = b.tasks.map((_, i) =>
        i === j ? "-" : `${signed(b.B[j]![i]!, 3)}${b.B_stderr ? ` ± ${b.B_stderr[j]![i]!.toFixed(3)}` : ""}`,
      );
      L.push(`| ${t} | ${cells.join(" | ")} |`);
    });
    L.push(`| **A\\*** | ${b.A_star.map(f3).join(" | ")} |`);
    if (b.base) L.push(`| base | ${b.base.map(f3).join(" | ")} |`);
    L.push("");
  }
  if (r.orders.length) {
    L.push("## Orders: predicted vs measured", "");
    L.push("| role | order | predicted mean | measured mean |", "|---|---|---|---|");
    for (const o of r.orders) {
      const m = r.prediction?.orders.find((x) => x.order.join(">") === o.order.join(">"));
      L.push(
        `| ${o.role} | ${o.order.join(" → ")} | ${f4(o.predicted.mean)} | ${m ? f4(m.actual) : "not trained"} |`,
      );
    }
    L.push("");
  }
  const seed0 = r.curricula.filter(
    (c, i, all) => c.seed === 0 && all.findIndex((d) => d.name === c.name) === i,
  );
  if (seed0.length) {
    L.push("## Score and token entropy at each stage end (seed 0)", "");
    L.push("Each cell: normalized score / mean token entropy of the policy on that task's test prompts.", "");
    for (const c of seed0) {
      L.push(`### ${c.order.join(" → ")}`, "");
      L.push(`| after | ${tasks.join(" | ")} |`, `|---|${tasks.map(() => "---").join("|")}|`);
      const cell = (s: { normalized: number; entropy: number | null }) =>
        `${f3(s.normalized)} / ${s.entropy === null ? "-" : s.entropy.toFixed(2)}`;
      L.push(`| base | ${tasks.map((t) => cell(c.start[t]!)).join(" | ")} |`);
      for (const s of c.stages)
        L.push(`| stage ${s.index + 1}: ${s.task} | ${tasks.map((t) => cell(s.scores[t]!)).join(" | ")} |`);
      L.push("", `Metrics with stage markers: \`${c.metricsFile}\``, "");
    }
  }
  const c = r.counters;
  L.push("## This invocation", "");
  L.push(
    `Wall time ${r.wallSeconds.toFixed(1)} s. Arms run: ${r.armsRun.length}; skipped (finished earlier): ${r.armsSkipped.length}. ` +
      `RL runs trained ${c.runsTrained} (${c.stepsTrained} steps, ${c.trainSeconds.toFixed(1)} s), reused ${c.runsReused}; ` +
      `task evaluations computed ${c.taskEvalsComputed} (${c.evalSeconds.toFixed(1)} s), reused ${c.taskEvalsReused}; SFT steps ${c.sftSteps}.`,
    "",
  );
  return `${L.join("\n")}\n`;
}
