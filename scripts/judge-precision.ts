// How precisely must a judge read each answer's rubric total to agree with the rubric X% of the time?
// Simulates a judge that sees every answer's total plus Gaussian noise of standard deviation sd
// (independent per answer and per judgment) and applies the rubric's own tie margin, on the held-out
// pairs eval-judge measures (both orders). The pairs are drawn a quarter from each gap band, and a
// quarter are ties, mostly between two differently flawed answers whose totals happen to land within
// the tie margin; so agreement falls fast with the noise. It needs no model; it sets the bar a judge's
// "reading" of the rubric must clear (docs/results.md, thirty-fourth round).
//
//   node dist/scripts/judge-precision.js [--pairs 1000] [--repeats 20] [--seed 123]
import { parseArgs } from "node:util";
import { loadDomainRows } from "../src/embedded/corpus.js";
import { heldOutPairs } from "../src/embedded/eval-judge.js";
import { verdictOfGap } from "../src/embedded/judge-rubric.js";
import { Rng } from "../src/engine/rng.js";
import { parseCommandLine } from "../src/util/cli.js";

const USAGE = `
node dist/scripts/judge-precision.js [--pairs N] [--repeats K] [--seed S] [--datasets DIR]

Agreement with the rubric of a judge that reads each answer's rubric total with Gaussian noise of
standard deviation sd, for sd from 0 to 0.10, on eval-judge's held-out pairs (both orders).
  --pairs N      held-out pairs, as eval-judge --pairs (1000)
  --repeats K    noise draws per judgment (20)
  --seed S       the pairs' seed, as eval-judge (123)
`;

const opts = parseCommandLine("judge-precision", USAGE, process.argv.slice(2), (args) => {
  const { values } = parseArgs({
    args,
    options: {
      pairs: { type: "string", default: "1000" },
      repeats: { type: "string", default: "20" },
      seed: { type: "string", default: "123" },
      datasets: { type: "string" },
    },
  });
  const whole = (name: string, v: string) => {
    const n = Number(v);
    if (!(Number.isInteger(n) && n > 0)) throw new Error(`--${name}: "${v}" is not a whole number > 0`);
    return n;
  };
  return {
    pairs: whole("pairs", values.pairs!),
    repeats: whole("repeats", values.repeats!),
    seed: whole("seed", values.seed!),
    datasets: values.datasets,
  };
});

const rows = await loadDomainRows(opts.datasets);
const pairs = heldOutPairs(rows.writing, opts.pairs, opts.seed);
const rng = new Rng(1);
const table: { sd: number; agreement: number }[] = [];
for (const sd of [0, 0.01, 0.02, 0.03, 0.035, 0.04, 0.045, 0.05, 0.055, 0.06, 0.07, 0.1]) {
  let agree = 0;
  let n = 0;
  for (let k = 0; k < opts.repeats; k++) {
    for (const p of pairs) {
      // both orders: the gap as read (noise on each answer) against the gap as scored
      for (const [a, b] of [
        [p.scoreA.total, p.scoreB.total],
        [p.scoreB.total, p.scoreA.total],
      ] as const) {
        const read = a + sd * rng.normal() - (b + sd * rng.normal());
        agree += Number(verdictOfGap(read) === verdictOfGap(a - b));
        n++;
      }
    }
  }
  table.push({ sd, agreement: agree / n });
}
console.log(`${pairs.length} held-out pairs x 2 orders x ${opts.repeats} noise draws`);
console.log("| noise sd per answer | agreement |\n|---|---|");
for (const r of table) console.log(`| ${r.sd.toFixed(3)} | ${(100 * r.agreement).toFixed(1)}% |`);
console.log(JSON.stringify({ pairs: pairs.length, repeats: opts.repeats, table }));
