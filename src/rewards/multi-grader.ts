// OpenAI `multi` grader: several named sub-graders score the same sample, and a formula over their
// scores (e.g. "0.5 * fuzzy + 0.5 * bleu") gives the reward. The formula is parsed once at load time
// by the project's own formula parser, never evaluated as code.
// Score = formula over sub-scores; details.metric = the same formula (or calculate_metric, when given)
// over sub-metrics (a sub-grader without a metric contributes its score), clamped to [0,1]. The
// status is the first non-ok status among the sub-graders (in config order), so a failed judge or
// sandbox is never hidden. A formula that fails on one sample's scores (division by zero, a
// non-finite result) makes that sample `judge_error` (as a python grader that raises does), naming
// the formula and its error; the rest of the batch is scored.
import { evaluateFormula, FormulaError, parseFormula } from "./formula.js";
import type { Reward, RewardResult, RewardSample } from "./types.js";

export class MultiGrader implements Reward {
  private readonly formula: ReturnType<typeof parseFormula>;
  private readonly metricFormula: ReturnType<typeof parseFormula>;

  constructor(
    readonly name: string,
    private readonly graders: ReadonlyMap<string, Reward>,
    readonly calculateOutput: string,
    readonly calculateMetric: string = calculateOutput,
  ) {
    this.formula = parseFormula(calculateOutput, { variables: [...graders.keys()] });
    this.metricFormula =
      calculateMetric === calculateOutput
        ? this.formula
        : parseFormula(calculateMetric, { variables: [...graders.keys()] });
  }

  async scoreBatch(
    samples: RewardSample[],
    opts?: { groupIds?: number[]; signal?: AbortSignal },
  ): Promise<RewardResult[]> {
    const names = [...this.graders.keys()];
    // Sub-graders run concurrently: a slow judge overlaps with the rule-based ones.
    const perGrader = await Promise.all(names.map((n) => this.graders.get(n)!.scoreBatch(samples, opts)));
    return samples.map((_, i) => {
      const scores: Record<string, number> = {};
      const metrics: Record<string, number> = {};
      const parts: Record<string, { score: number; metric: number; status: string }> = {};
      let status: RewardResult["status"] = "ok";
      names.forEach((n, g) => {
        const r = perGrader[g]![i]!;
        scores[n] = r.score;
        metrics[n] = typeof r.details.metric === "number" ? r.details.metric : r.score;
        parts[n] = { score: r.score, metric: metrics[n]!, status: r.status };
        if (status === "ok" && r.status !== "ok") status = r.status;
      });
      let failing = `calculate_output "${this.calculateOutput}"`;
      try {
        const score = evaluateFormula(this.formula, scores);
        if (this.metricFormula !== this.formula) failing = `calculate_metric "${this.calculateMetric}"`;
        const metric = Math.min(1, Math.max(0, evaluateFormula(this.metricFormula, metrics)));
        return { score, status, details: { metric, graders: parts } };
      } catch (err) {
        if (!(err instanceof FormulaError)) throw err;
        const error = `${failing}: ${err.message}`;
        return { score: 0, status: "judge_error", details: { metric: 0, graders: parts, scores, error } };
      }
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.graders.values()].map((g) => g.close?.()));
  }
}
