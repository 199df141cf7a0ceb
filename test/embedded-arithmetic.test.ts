// Arithmetic drills (src/embedded/arithmetic.ts): right results, the sizes the math families use, the
// format of the worked solutions, and never an equation of a math train or test reference.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ARITH_OPS,
  arithmeticDocs,
  completesEquation,
  drawEquation,
  equationKey,
  heldOutEquations,
  INTEGER_EQUATION,
  referenceEquations,
  scratchpadResult,
  scratchpadText,
} from "../src/embedded/arithmetic.js";
import { loadDomainRows } from "../src/embedded/corpus.js";
import { Rng } from "../src/engine/rng.js";

test("drawn equations are exact, non-negative and within the math families' sizes", () => {
  const rng = new Rng(3);
  const seen = new Set<string>();
  for (let i = 0; i < 4000; i++) {
    const e = drawEquation(rng);
    seen.add(e.op);
    const exact = { "+": e.a + e.b, "-": e.a - e.b, "×": e.a * e.b, "÷": e.a / e.b }[e.op];
    assert.equal(e.result, exact, equationKey(e));
    assert.ok(Number.isInteger(e.result) && e.result >= 0, equationKey(e));
    if (e.op === "+" || e.op === "-") assert.ok(e.a < 10000 && e.b < 10000);
    if (e.op === "×") assert.ok(e.a < 1000 && e.b < 100);
    if (e.op === "÷") assert.ok(e.b >= 2 && e.b < 100 && e.result < 1000);
  }
  assert.deepEqual([...seen].sort(), [...ARITH_OPS].sort());
  for (let i = 0; i < 2000; i++) {
    const e = drawEquation(rng, ARITH_OPS[i % 4], 2);
    const operands = e.op === "÷" ? [e.b, e.result] : [e.a, e.b];
    for (const x of operands) assert.ok(x < 100, `maxDigits 2: ${equationKey(e)}`);
  }
});

test("drill documents use the solutions' equation form and skip the references' equations", async () => {
  const rows = await loadDomainRows("datasets");
  const references = referenceEquations([...rows.math.train, ...rows.math.test]);
  assert.ok(references.size > 1000, `only ${references.size} reference equations found`);
  const first = [...String(rows.math.test[0]!.extra_info.reference).matchAll(INTEGER_EQUATION)][0]!;
  const firstKey = `${first[1]} ${first[2]} ${first[3]}`;
  assert.ok(references.has(firstKey), `the first test row's first equation (${firstKey}) is collected`);
  const docs = arithmeticDocs(200, new Rng(5), references, 16);
  assert.equal(docs.length, 200);
  const lines = docs.flatMap((d) => d.split("\n"));
  assert.equal(lines.length, 200 * 16);
  // the drills parse back with the same pattern that reads the references
  const parsed = referenceEquations(lines.map((l) => ({ extra_info: { reference: l } }) as never));
  assert.ok(parsed.size > 3000, `drills parse back: ${parsed.size}`);
  for (const key of parsed) assert.ok(!references.has(key), `drill shows reference equation ${key}`);
  for (const line of lines) assert.match(line, /^\d+ [-+×÷] \d+ = \d+\.$/);

  const held = heldOutEquations(new Rng(6), references, 25);
  assert.equal(held.length, 100);
  assert.equal(new Set(held.map(equationKey)).size, 100);
  for (const e of held) assert.ok(!references.has(equationKey(e)));
  assert.throws(
    () => heldOutEquations(new Rng(6), new Set(), 100, 1),
    /only 55 distinct unseen - equations of at most 1 digits/,
  );
});

test("a completion counts only when its first number is the exact result", () => {
  const e = { a: 91, op: "-" as const, b: 37, result: 54 };
  assert.equal(completesEquation(" 54", e), true);
  assert.equal(completesEquation(" 54.", e), true);
  assert.equal(completesEquation(" 54\nAfter", e), true);
  assert.equal(completesEquation(" 541", e), false);
  assert.equal(completesEquation(" 54.5", e), false);
  assert.equal(completesEquation(" 55", e), false);
  assert.equal(completesEquation(" about 54", e), false);
  assert.equal(completesEquation("", e), false);
  const five = { a: 10, op: "÷" as const, b: 2, result: 5 };
  assert.equal(completesEquation(" 5.", five), true);
  assert.equal(completesEquation(" 54", five), false);
  assert.equal(completesEquation(" 5.4", five), false);
});

test("the scratchpad writes each column as a one-digit fact with its carry or borrow", () => {
  const eq = (a: number, op: "+" | "-", b: number) => ({ a, op, b, result: op === "+" ? a + b : a - b });
  assert.equal(
    scratchpadText(eq(478, "+", 356)),
    "478 + 356: 8 + 6 = 14, 7 + 5 + 1 = 13, 4 + 3 + 1 = 8, so 478 + 356 = 834.",
  );
  assert.equal(scratchpadText(eq(91, "-", 37)), "91 - 37: 11 - 7 = 4, 8 - 3 = 5, so 91 - 37 = 54.");
  assert.equal(
    scratchpadText(eq(1460, "-", 701)),
    "1460 - 701: 10 - 1 = 9, 5 - 0 = 5, 14 - 7 = 7, 0 = 0, so 1460 - 701 = 759.",
  );
  assert.equal(scratchpadText(eq(9999, "+", 1)).endsWith("9 + 1 = 10, so 9999 + 1 = 10000."), true);
  // the columns reassemble the result: each column's last digit, right to left (the last column whole)
  const rng = new Rng(9);
  for (let i = 0; i < 500; i++) {
    const e = drawEquation(rng, i % 2 ? "+" : "-");
    const text = scratchpadText(e);
    assert.equal(scratchpadResult(text), e.result, text);
    const columns = [...text.matchAll(/= (\d+)(?=,)/g)].map((m) => Number(m[1]));
    const digits = columns.map((v, c) => (c === columns.length - 1 ? v : v % 10));
    assert.equal(Number(digits.reverse().join("")), e.result, text);
  }
  assert.throws(() => scratchpadText({ a: 6, op: "×", b: 7, result: 42 }), /only \+ and -/);
  assert.equal(scratchpadResult("3 + 4: 3 + 4 = 7, so 3 + 4 = 7"), 7);
  assert.equal(scratchpadResult("3 + 4: 3 + 4 = 7"), null);
});
