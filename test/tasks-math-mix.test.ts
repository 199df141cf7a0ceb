// mathTaskWithMix: the math task with another difficulty mix or number cap (scripts/math-mix-pilot.ts),
// and the cap the bundled math datasets are built with.
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { Rng } from "../src/engine/rng.js";
import { readRows } from "../src/tasks/io.js";
import { MATH_MAX_DIGITS, mathTask, mathTaskWithMix, maxDigitsInWork } from "../src/tasks/math/generate.js";

test("the step weights decide the difficulty mix; bad weights are refused", () => {
  const count = (weights: number[]) => {
    const draw = mathTaskWithMix({ stepWeights: weights, maxDigits: Infinity }).createDrawer();
    const rng = new Rng(4);
    const byD = [0, 0, 0, 0];
    for (let n = 0; n < 400; ) {
      const item = draw(rng);
      if (!item) continue;
      byD[item.difficulty - 1]!++;
      n++;
    }
    return byD;
  };
  assert.deepEqual(count([1, 0, 0, 0]), [400, 0, 0, 0]);
  assert.deepEqual(count([0, 0, 0, 2]), [0, 0, 0, 400]);
  const mixed = count([3, 1, 0, 0]);
  assert.equal(mixed[2]! + mixed[3]!, 0);
  assert.ok(mixed[0]! > 240 && mixed[0]! < 360, `about 3/4 one-step problems: ${mixed}`);
  assert.throws(() => mathTaskWithMix({ stepWeights: [1, 1, 1] }), /4 non-negative weights/);
  assert.throws(() => mathTaskWithMix({ stepWeights: [0, 0, 0, 0] }), /not all 0/);
  assert.throws(() => mathTaskWithMix({ stepWeights: [1, -1, 1, 1] }), /non-negative/);
});

const DATASETS = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "datasets");
const workLines = (reference: string) => reference.split("\n").slice(0, -1);

test("maxDigits keeps only problems whose worked numbers fit; bad caps are refused", () => {
  assert.equal(maxDigitsInWork(["Cost: 12 × 3.25 = 39.", "Left: 50 - 39 = 11."]), 3);
  assert.equal(maxDigitsInWork(["Age in 5 years: 2 × 9 = 18."]), 2, "the label's text is not counted");
  const longest = (gen: ReturnType<typeof mathTaskWithMix>) => {
    const draw = gen.createDrawer();
    const rng = new Rng(9);
    let most = 0;
    for (let n = 0; n < 300; ) {
      const item = draw(rng);
      if (!item) continue;
      most = Math.max(most, maxDigitsInWork(workLines(item.reference)));
      n++;
    }
    return most;
  };
  assert.equal(longest(mathTaskWithMix({ maxDigits: 1 })), 1);
  assert.equal(longest(mathTaskWithMix({})), MATH_MAX_DIGITS);
  assert.equal(longest(mathTaskWithMix({ maxDigits: undefined })), MATH_MAX_DIGITS, "undefined = default");
  assert.ok(longest(mathTaskWithMix({ maxDigits: Infinity })) >= 4, "uncapped problems reach 4+ digits");
  assert.throws(() => mathTaskWithMix({ maxDigits: 0 }), /maxDigits: need an integer >= 1/);
  assert.throws(() => mathTaskWithMix({ maxDigits: 1.5 }), /maxDigits/);
});

test("the bundled math splits are built with the cap", async () => {
  assert.equal(mathTask.name, "math");
  for (const split of ["train", "sft", "test"]) {
    const rows = await readRows(join(DATASETS, "math", `${split}.jsonl`));
    const over = rows.filter(
      (r) => maxDigitsInWork(workLines(String(r.extra_info.reference))) > MATH_MAX_DIGITS,
    );
    assert.equal(
      over.length,
      0,
      `${split}: ${over.length} rows write numbers over ${MATH_MAX_DIGITS} digits`,
    );
  }
});
