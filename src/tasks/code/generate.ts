// Code task: write a Python function from its signature, docstring and a few visible asserts.
// The reward runs ground_truth.tests (visible + hidden asserts) against the response's code.
// Difficulty (1-3) is set per family and parameters: 1 = one-line transforms, 3 = multi-step logic.
import type { Rng } from "../../engine/rng.js";
import type { Drawer, TaskGenerator, TaskItem } from "../dataset.js";
import { CODE_FAMILIES, type CodeFamily, type Params, referenceSource } from "./families.js";
import { type PyValue, py } from "./python.js";

export const VISIBLE_TESTS = 3;
export const TOTAL_TESTS = 8;

export function testCase(f: CodeFamily, p: Params, args: PyValue[]): string {
  return `assert ${f.name(p)}(${args.map(py).join(", ")}) == ${py(f.solve(p, args))}`;
}

/** Draws distinct test inputs; visible ones first. */
function drawTests(rng: Rng, f: CodeFamily, p: Params): string[] {
  const tests: string[] = [];
  for (let tries = 0; tries < 60 && tests.length < TOTAL_TESTS; tries++) {
    const t = testCase(f, p, f.input(rng, p));
    if (!tests.includes(t)) tests.push(t);
  }
  return tests;
}

export function codePrompt(f: CodeFamily, p: Params, visible: string[]): string {
  const signature = `def ${f.name(p)}(${f.args.join(", ")}):\n    """${f.doc(p)}"""`;
  return [
    `Write a Python function \`${f.name(p)}\` that does what its docstring says.`,
    "```python",
    signature,
    "```",
    "It must pass these tests:",
    ...visible,
    "Reply with the complete function in a ```python code block.",
  ].join("\n");
}

export function drawCodeItem(rng: Rng, f: CodeFamily, p: Params): TaskItem | null {
  const tests = drawTests(rng, f, p);
  if (tests.length < VISIBLE_TESTS + 2) return null; // too few distinct inputs to hide any
  const visible = tests.slice(0, VISIBLE_TESTS);
  const entry = f.name(p);
  return {
    prompt: codePrompt(f, p, visible),
    difficulty: f.difficulty(p),
    style: "rule",
    groundTruth: { entry_point: entry, tests },
    reference: `\`\`\`python\n${referenceSource(f, p)}\`\`\``,
    extra: { family: f.id, params: p, entry_point: entry, visible_tests: VISIBLE_TESTS },
  };
}

/**
 * Remembers which (family, params) it has drawn and skips repeats before writing any tests;
 * a family that keeps repeating itself has used up its parameter space and is dropped.
 */
function createCodeDrawer(): Drawer {
  const drawn = new Set<string>();
  const misses = new Map<CodeFamily, number>();
  let live = [...CODE_FAMILIES];
  return (rng) => {
    if (live.length === 0) return null;
    const f = rng.pick(live);
    const p = f.draw(rng);
    const key = `${f.id}:${JSON.stringify(p)}`;
    if (drawn.has(key)) {
      const m = (misses.get(f) ?? 0) + 1;
      misses.set(f, m);
      if (m >= 200) live = live.filter((x) => x !== f);
      return null;
    }
    misses.set(f, 0);
    drawn.add(key);
    return drawCodeItem(rng, f, p);
  };
}

export const codeTask: TaskGenerator = {
  name: "code",
  ability: "code",
  createDrawer: createCodeDrawer,
  // Six families have thousands of parameter choices and fill most of the draw; the test split is
  // spread evenly over the families instead, so it measures all of them.
  testStratum: (item) => String(item.extra.family),
};

/** The Python source of a row's reference (the fenced block in extra_info.reference). */
export function referenceCode(reference: string): string {
  const m = /```python\n([\s\S]*?)```/.exec(reference);
  if (!m) throw new Error("code reference has no ```python block");
  return m[1]!;
}
