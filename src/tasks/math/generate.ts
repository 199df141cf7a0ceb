// Math task: GSM8K-style word problems with a worked solution ending in \boxed{answer}.
// Difficulty = the number of reasoning steps (1-4); families also draw bigger numbers at higher levels.
import type { Rng } from "../../engine/rng.js";
import type { TaskGenerator, TaskItem } from "../dataset.js";
import { between, MATH_FAMILIES } from "./families.js";
import { answerString, boxedAnswer } from "./work.js";

export const MATH_INSTRUCTION = "Solve the problem step by step, then put the final answer in \\boxed{}.";

/** Draws the number of steps: uniform over 1-4 (the bundled datasets), or by `weights[steps - 1]`. */
function drawSteps(rng: Rng, weights?: readonly number[]): number {
  if (!weights) return between(rng, 1, 4);
  const total = weights.reduce((a, b) => a + b, 0);
  let u = rng.next() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i]!;
    if (u < 0) return i + 1;
  }
  return weights.length;
}

export function drawMathItem(rng: Rng, stepWeights?: readonly number[]): TaskItem | null {
  const steps = drawSteps(rng, stepWeights);
  const family = rng.pick(MATH_FAMILIES.filter((f) => f.minSteps <= steps && steps <= f.maxSteps));
  const problem = family.make(rng, steps);
  if (!problem) return null;
  if (problem.work.steps !== steps) {
    throw new Error(`math family ${family.id}: asked for ${steps} steps, wrote ${problem.work.steps}`);
  }
  const boxed = boxedAnswer(problem.answer, problem.type);
  return {
    prompt: `${problem.question}\n${MATH_INSTRUCTION}`,
    difficulty: steps,
    style: "rule",
    groundTruth: answerString(problem.answer, problem.type),
    reference: `${problem.work.lines.join("\n")}\nThe answer is \\boxed{${boxed}}.`,
    extra: { family: family.id, steps, answer_type: problem.type },
  };
}

export const mathTask: TaskGenerator = { name: "math", ability: "math", createDrawer: () => drawMathItem };

/**
 * The math task with another difficulty mix: `weights[d - 1]` is the relative share of d-step problems
 * (d = 1..4). For pilots of an easier mix; the bundled datasets use `mathTask` (uniform).
 */
export function mathTaskWithSteps(weights: readonly number[]): TaskGenerator {
  if (weights.length !== 4 || weights.some((w) => !(w >= 0)) || weights.every((w) => w === 0)) {
    throw new Error(
      `math step weights: need 4 non-negative weights, not all 0 (got ${JSON.stringify(weights)})`,
    );
  }
  return { name: "math", ability: "math", createDrawer: () => (rng) => drawMathItem(rng, weights) };
}
