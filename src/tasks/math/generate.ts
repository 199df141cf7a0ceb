// Math task: GSM8K-style word problems with a worked solution ending in \boxed{answer}.
// Difficulty = the number of reasoning steps (1-4); families also draw bigger numbers at higher levels,
// and the bundled datasets cap every number at two digits (MATH_MAX_DIGITS).
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

/** The most digits of any number in a worked solution's expressions (a decimal point is not a digit). */
export function maxDigitsInWork(lines: readonly string[]): number {
  let most = 0;
  for (const line of lines) {
    const expr = line.slice(line.indexOf(":") + 1);
    for (const m of expr.matchAll(/\d+(?:\.\d+)?/g)) most = Math.max(most, m[0].replace(".", "").length);
  }
  return most;
}

export interface MathMix {
  /** Relative share of d-step problems at `stepWeights[d - 1]`; uniform over 1-4 when absent. */
  stepWeights?: readonly number[];
  /** Keep only problems whose worked solution writes no number longer than this many digits. */
  maxDigits?: number;
}

/** One problem; without `mix.maxDigits` its numbers are uncapped (the bundled datasets cap them). */
export function drawMathItem(rng: Rng, mix: MathMix = {}): TaskItem | null {
  const steps = drawSteps(rng, mix.stepWeights);
  const family = rng.pick(MATH_FAMILIES.filter((f) => f.minSteps <= steps && steps <= f.maxSteps));
  const problem = family.make(rng, steps);
  if (!problem) return null;
  if (mix.maxDigits !== undefined && maxDigitsInWork(problem.work.lines) > mix.maxDigits) return null;
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

/**
 * The bundled datasets keep only problems whose worked solution writes numbers of at most two digits
 * (`12.5` counts three). A 5.9M model cannot learn 3-4 digit arithmetic (models/omni-tiny/README.md:
 * 16% of its multi-digit equations were right and drills did not teach it); with two-digit numbers the
 * steps still chain 1-4 operations, but each one is within its reach. Small numbers leave fewer distinct
 * one-step problems, so after deduplication the bundled splits hold about 12 / 30 / 42 / 16% problems
 * of 1-4 steps (test split: 61 / 151 / 210 / 78 of 500).
 */
export const MATH_MAX_DIGITS = 2;

export const mathTask: TaskGenerator = {
  name: "math",
  ability: "math",
  createDrawer: () => (rng) => drawMathItem(rng, { maxDigits: MATH_MAX_DIGITS }),
};

/**
 * The math task with another mix: `stepWeights[d - 1]` is the relative share of d-step problems
 * (d = 1..4), `maxDigits` caps the size of every number the solution writes (default MATH_MAX_DIGITS,
 * as the bundled datasets; Infinity for no cap). For pilots; the bundled datasets use `mathTask`.
 */
export function mathTaskWithMix(options: MathMix): TaskGenerator {
  const mix = { ...options, maxDigits: options.maxDigits ?? MATH_MAX_DIGITS };
  const weights = mix.stepWeights;
  if (weights && (weights.length !== 4 || weights.some((w) => !(w >= 0)) || weights.every((w) => w === 0))) {
    throw new Error(
      `math step weights: need 4 non-negative weights, not all 0 (got ${JSON.stringify(weights)})`,
    );
  }
  if (!(mix.maxDigits >= 1) || !(Number.isInteger(mix.maxDigits) || mix.maxDigits === Infinity)) {
    throw new Error(`math maxDigits: need an integer >= 1 (got ${mix.maxDigits})`);
  }
  return { name: "math", ability: "math", createDrawer: () => (rng) => drawMathItem(rng, mix) };
}
