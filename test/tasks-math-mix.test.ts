// mathTaskWithSteps: the math task with another difficulty mix (used by scripts/math-mix-pilot.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../src/engine/rng.js";
import { mathTaskWithSteps } from "../src/tasks/math/generate.js";

test("the step weights decide the difficulty mix; bad weights are refused", () => {
  const count = (weights: number[]) => {
    const draw = mathTaskWithSteps(weights).createDrawer();
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
  assert.throws(() => mathTaskWithSteps([1, 1, 1]), /4 non-negative weights/);
  assert.throws(() => mathTaskWithSteps([0, 0, 0, 0]), /not all 0/);
  assert.throws(() => mathTaskWithSteps([1, -1, 1, 1]), /non-negative/);
});
