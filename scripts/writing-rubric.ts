// A judge-independent check of writing answers: scores an eval result's writing samples with the
// programmatic rubric the embedded judge was trained to imitate (src/embedded/judge-rubric.ts), against
// the references, as win / tie / loss. When GRPO raises the judge's win rate, this shows whether the
// answers got better by the rubric too, or only found what the judge likes (reward hacking).
//
//   omni-thinker eval --model DIR --tasks writing --limit 100 --keep-samples --out /tmp/w.json
//   node dist/scripts/writing-rubric.js /tmp/w.json [--data datasets] [--split test]
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { fluencyModel, rubricContext, writingInfo } from "../src/embedded/judge-pairs.js";
import { rubricVerdict, scoreAnswer } from "../src/embedded/judge-rubric.js";
import { words } from "../src/rewards/keywords.js";
import { readRows } from "../src/tasks/io.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { data: { type: "string", default: "datasets" }, split: { type: "string", default: "test" } },
});
const file = positionals[0];
if (!file) {
  console.error("usage: node dist/scripts/writing-rubric.js EVAL.json [--data DIR] [--split test]");
  process.exit(2);
}
const result = JSON.parse(readFileSync(file, "utf8")) as {
  samples?: {
    task: string;
    index: number;
    response: string;
    metric: number;
    details: { graders?: Record<string, { metric?: number }> };
  }[];
};
const samples = (result.samples ?? []).filter((s) => s.task === "writing");
if (samples.length === 0) {
  console.error(`${file}: no writing samples (run eval --tasks writing with --keep-samples)`);
  process.exit(2);
}
const rows = await readRows(`${values.data}/writing/${values.split}.jsonl`);
const lm = fluencyModel(await readRows(`${values.data}/writing/train.jsonl`));

const counts = { win: 0, tie: 0, loss: 0 };
let answerTotal = 0;
let referenceTotal = 0;
let keywords = 0;
let length = 0;
let rewardMetric = 0;
let judgeMetric = 0;
const answerCounts = new Map<string, number>();
for (const s of samples) {
  rewardMetric += s.metric;
  // under a multi reward (judge gated by keywords) the judge's own verdict, else the reward's
  judgeMetric += s.details.graders?.judge?.metric ?? s.metric;
  answerCounts.set(s.response.trim(), (answerCounts.get(s.response.trim()) ?? 0) + 1);
  const row = rows[s.index];
  if (!row) throw new Error(`${file}: sample index ${s.index} is not a row of the ${values.split} split`);
  const ctx = rubricContext(row, lm);
  const answer = scoreAnswer(s.response, ctx);
  const reference = scoreAnswer(writingInfo(row).reference, ctx);
  const v = rubricVerdict(answer, reference);
  counts[v === "A" ? "win" : v === "B" ? "loss" : "tie"]++;
  answerTotal += answer.total;
  referenceTotal += reference.total;
  keywords += answer.checks.keywords;
  length += words(s.response).length;
}
const n = samples.length;
const normalized = (counts.win + 0.5 * counts.tie) / n;
// a policy that games its reward collapses onto a few strings: the most repeated answer shows it
const [topAnswer, topCount] = [...answerCounts].sort((a, b) => b[1] - a[1])[0]!;
console.log(
  `| samples | reward | judge alone | rubric win / tie / loss vs reference | rubric normalized | answer score | reference score | keyword coverage | words | most repeated answer |`,
);
console.log("|---|---|---|---|---|---|---|---|---|---|");
console.log(
  `| ${n} | ${(rewardMetric / n).toFixed(3)} | ${(judgeMetric / n).toFixed(3)} | ${counts.win} / ${counts.tie} / ${counts.loss} | ${normalized.toFixed(3)} | ${(answerTotal / n).toFixed(3)} | ${(referenceTotal / n).toFixed(3)} | ${(keywords / n).toFixed(3)} | ${(length / n).toFixed(1)} | ${topCount}x ${JSON.stringify(topAnswer.slice(0, 60))} |`,
);
console.log(
  JSON.stringify({
    samples: n,
    reward_metric: rewardMetric / n,
    judge_metric: judgeMetric / n,
    top_answer_count: topCount,
    ...counts,
    normalized,
    answer_score: answerTotal / n,
    reference_score: referenceTotal / n,
    keyword_coverage: keywords / n,
    words: length / n,
  }),
);
