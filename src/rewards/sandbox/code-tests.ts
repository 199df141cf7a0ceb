// Ground truth for the code reward, in the layouts datasets already use, normalized to one of two kinds:
//   assert tests: { tests: [...], setup_code?, entry_point? }  (also MBPP's test_list / test_setup_code)
//                 { test, entry_point }                          (HumanEval: `check(entry_point)` is called)
//                 "assert f(1) == 2\nassert ..."                 (a string: one test per assert line, or one block)
//   stdin/stdout: { cases: [{ input, output }] }                 (also APPS/TACO's { inputs: [...], outputs: [...] })
// A JSON string holding one of these objects is parsed first (verl often stores ground_truth as a string).
import { z } from "zod";
import { formatPath } from "../../config/load.js";

export type CodeTests =
  | { kind: "assert"; setup: string; tests: string[] }
  | { kind: "io"; cases: { input: string; output: string }[] };

const AssertTests = z.looseObject({
  tests: z.array(z.string()).min(1).optional(),
  test_list: z.array(z.string()).min(1).optional(),
  setup_code: z.string().optional(),
  test_setup_code: z.string().optional(),
  test: z.string().optional(),
  entry_point: z.string().optional(),
});

const IoCases = z.looseObject({
  cases: z.array(z.strictObject({ input: z.string(), output: z.string() })).min(1),
});

const IoLists = z.looseObject({ inputs: z.array(z.string()).min(1), outputs: z.array(z.string()).min(1) });

export class GroundTruthError extends Error {}

function fail(message: string): never {
  throw new GroundTruthError(message);
}

function check<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    fail(r.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join("; "));
  }
  return r.data;
}

/** One test per line when every non-blank line is an assert; otherwise the whole string is one test. */
function testsFromCode(code: string): string[] {
  const lines = code.split("\n").filter((l) => l.trim() !== "");
  if (lines.length > 0 && lines.every((l) => /^assert\b/.test(l))) return lines;
  return [code];
}

export function parseCodeTests(groundTruth: unknown): CodeTests {
  let gt = groundTruth;
  if (typeof gt === "string" && /^\s*\{/.test(gt)) {
    try {
      gt = JSON.parse(gt);
    } catch {
      // not JSON: treat it as test code below
    }
  }
  if (typeof gt === "string") {
    if (!gt.trim()) fail("empty test code");
    return { kind: "assert", setup: "", tests: testsFromCode(gt) };
  }
  if (typeof gt !== "object" || gt === null || Array.isArray(gt)) {
    fail(`expected an object or a string of test code, got ${Array.isArray(gt) ? "an array" : typeof gt}`);
  }
  if ("cases" in gt) return { kind: "io", cases: check(IoCases, gt).cases };
  if ("inputs" in gt) {
    const { inputs, outputs } = check(IoLists, gt);
    if (inputs.length !== outputs.length)
      fail(`inputs has ${inputs.length} items, outputs ${outputs.length}`);
    return { kind: "io", cases: inputs.map((input, i) => ({ input, output: outputs[i]! })) };
  }
  const a = check(AssertTests, gt);
  const setup = a.setup_code ?? a.test_setup_code ?? "";
  const list = a.tests ?? a.test_list;
  if (list) return { kind: "assert", setup, tests: list };
  if (a.test !== undefined) {
    if (!a.entry_point) fail("entry_point: required with `test` (HumanEval layout)");
    return { kind: "assert", setup, tests: [`${a.test}\ncheck(${a.entry_point})`] };
  }
  return fail("expected one of: tests, test_list, test (+entry_point), cases, inputs/outputs");
}
