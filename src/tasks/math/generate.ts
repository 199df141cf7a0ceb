// Math task: GSM8K-style word problems with a worked solution ending in \boxed{answer}.
// Difficulty = the number of reasoning steps (1-4); families also draw bigger numbers at higher levels.
import type { Rng } from "../../engine/rng.js";
import type { TaskGenerator, TaskItem } from "../dataset.js";
import { between, MATH_FAMILIES } from "./families.js";
import { answerString, boxedAnswer } from "./work.js";

export const MATH_INSTRUCTION = "Solve the problem step by step, then put the final answer in \\boxed{}.";

export function drawMathItem(rng: Rng): TaskItem | null {
  const steps = between(rng, 1, 4);
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
