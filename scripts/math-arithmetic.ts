// Where does a policy's math go wrong? Reads an eval result written with --keep-samples and checks
// every integer equation `a op b = c` the model wrote in its worked solutions (op in + - × ÷), grouped
// by operator and operand digit counts. It separates "cannot do the arithmetic" from "cannot set up
// the problem": an equation is right or wrong whatever the problem asked.
//
//   omni-thinker eval --model models/omni-tiny --tasks math --keep-samples --out /tmp/math.json
//   node dist/scripts/math-arithmetic.js /tmp/math.json
import { readFileSync } from "node:fs";
import { INTEGER_EQUATION } from "../src/embedded/arithmetic.js";

interface EvalSample {
  task: string;
  response: string;
}

const file = process.argv[2];
if (!file) {
  console.error("usage: node dist/scripts/math-arithmetic.js EVAL.json (written by eval --keep-samples)");
  process.exit(2);
}
const result = JSON.parse(readFileSync(file, "utf8")) as { samples?: EvalSample[] };
if (!Array.isArray(result.samples)) {
  console.error(`${file}: no "samples" array (run eval with --keep-samples)`);
  process.exit(2);
}

const exact: Record<string, (a: number, b: number) => number> = {
  "+": (a, b) => a + b,
  "-": (a, b) => a - b,
  "×": (a, b) => a * b,
  "÷": (a, b) => a / b,
};
const groups = new Map<string, { n: number; right: number }>();
for (const s of result.samples.filter((x) => x.task === "math")) {
  for (const m of s.response.matchAll(INTEGER_EQUATION)) {
    const [a, op, b, c] = [Number(m[1]), m[2]!, Number(m[3]), Number(m[4])];
    const key = `${op} ${m[1]!.length}d ${m[3]!.length}d`;
    const g = groups.get(key) ?? { n: 0, right: 0 };
    g.n++;
    if (exact[op]!(a, b) === c) g.right++;
    groups.set(key, g);
  }
}
const rows = [...groups.entries()].sort(([x], [y]) => x.localeCompare(y));
const total = rows.reduce((t, [, g]) => ({ n: t.n + g.n, right: t.right + g.right }), { n: 0, right: 0 });
console.log("| operation | equations | right | share right |");
console.log("|---|---|---|---|");
for (const [key, g] of rows) console.log(`| ${key} | ${g.n} | ${g.right} | ${(g.right / g.n).toFixed(2)} |`);
console.log(`| all | ${total.n} | ${total.right} | ${(total.right / Math.max(1, total.n)).toFixed(2)} |`);
console.log(JSON.stringify({ equations: total.n, right: total.right, groups: Object.fromEntries(groups) }));
