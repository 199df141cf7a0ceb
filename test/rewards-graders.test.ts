// OpenAI-shaped graders without a model or a sandbox: string_check, the {{item.*}} / {{sample.*}}
// templates they render, and the calculate_output formulas of multi graders.
import assert from "node:assert/strict";
import { test } from "node:test";
import { evaluateFormula, FormulaError, parseFormula } from "../src/rewards/formula.js";
import { createStringCheckGrader, stringCheck } from "../src/rewards/string-check.js";
import {
  graderContext,
  renderTemplate,
  type TemplateContext,
  TemplateError,
  templateReferences,
} from "../src/rewards/template.js";
import type { RewardSample } from "../src/rewards/types.js";

test("string_check operations: eq and ne are exact, like is containment, ilike ignores case", () => {
  const cases: [string, string, { eq: boolean; ne: boolean; like: boolean; ilike: boolean }][] = [
    ["Paris", "Paris", { eq: true, ne: false, like: true, ilike: true }],
    ["paris", "Paris", { eq: false, ne: true, like: false, ilike: true }],
    ["The capital is Paris.", "Paris", { eq: false, ne: true, like: true, ilike: true }],
    ["THE CAPITAL IS PARIS", "paris", { eq: false, ne: true, like: false, ilike: true }],
    ["Paris ", "Paris", { eq: false, ne: true, like: true, ilike: true }],
    ["Rome", "Paris", { eq: false, ne: true, like: false, ilike: false }],
    ["anything", "", { eq: false, ne: true, like: true, ilike: true }],
  ];
  for (const [input, reference, expected] of cases) {
    for (const op of ["eq", "ne", "like", "ilike"] as const) {
      assert.equal(stringCheck(input, reference, op), expected[op], `${op}(${input}, ${reference})`);
    }
  }
});

function row(response: string, groundTruth: unknown, extraInfo?: Record<string, unknown>): RewardSample {
  return { dataSource: "qa", prompt: [], response, groundTruth, extraInfo };
}

test("the string_check grader scores 1 or 0 on its rendered templates", async () => {
  const grader = createStringCheckGrader({
    input: "{{sample.output_text}}",
    reference: "{{item.ground_truth}}",
    operation: "ilike",
  });
  const results = await grader.scoreBatch([row("It is PARIS.", "paris"), row("Rome", "paris")]);
  assert.deepEqual(
    results.map((r) => [r.score, r.status, r.details.passed, r.details.metric]),
    [
      [1, "ok", true, 1],
      [0, "ok", false, 0],
    ],
  );
  const ne = createStringCheckGrader({
    input: "{{sample.output_text}}",
    reference: "{{item.forbidden}}",
    operation: "ne",
  });
  const [same, other] = await ne.scoreBatch([
    row("I cannot help.", null, { forbidden: "I cannot help." }),
    row("Sure.", null, { forbidden: "I cannot help." }),
  ]);
  assert.equal(same!.score, 0);
  assert.equal(other!.score, 1);
  assert.throws(
    () => createStringCheckGrader({ input: "x", reference: "y", operation: "regex" as "eq" }),
    /operation/,
  );
});

const ctx: TemplateContext = {
  item: {
    question: "Capital of France?",
    meta: { lang: "en", level: 3, tags: ["geo", "eu"] },
    ok: true,
    missing: null,
  },
  sample: { output_text: "Paris" },
};

test("templates substitute {{item.*}} (nested too) and {{sample.output_text}}, spaces allowed", () => {
  assert.equal(
    renderTemplate("Q: {{ item.question }} A: {{sample.output_text}}", ctx),
    "Q: Capital of France? A: Paris",
  );
  assert.equal(renderTemplate("{{item.meta.lang}}-{{item.meta.level}}-{{item.ok}}", ctx), "en-3-true");
  assert.equal(renderTemplate("{{item.meta.tags}}", ctx), '["geo","eu"]');
  assert.equal(renderTemplate("no references at all", ctx), "no references at all");
  // A substituted value is not rendered again.
  assert.equal(
    renderTemplate("{{sample.output_text}}", { item: {}, sample: { output_text: "{{item.x}}" } }),
    "{{item.x}}",
  );
  assert.deepEqual(templateReferences("{{ item.a }} and {{sample.output_text}}"), [
    "item.a",
    "sample.output_text",
  ]);
});

test("a reference to something absent is an error naming it and what is there, never an empty string", () => {
  const fails = (tpl: string, pattern: RegExp) =>
    assert.throws(
      () => renderTemplate(tpl, ctx),
      (err: unknown) => err instanceof TemplateError && pattern.test(err.message),
      tpl,
    );
  fails(
    "{{item.answer}}",
    /\{\{item\.answer\}\}: item has no field 'answer' \(it has: question, meta, ok, missing\)/,
  );
  fails("{{item.meta.country}}", /item\.meta has no field 'country' \(it has: lang, level, tags\)/);
  fails("{{item.question.length}}", /item\.question has no field 'length'/);
  fails("{{item.missing}}", /value is null/);
  fails("{{item}}", /name a field of item/);
  fails("{{answer}}", /must be item\.<field>/);
  fails("{{ }}", /must be item\.<field>/);
  fails("{{sample.text}}", /sample has no field 'text'/);
  fails("Q: {{item.question", /'\{\{' without a matching '\}\}' at position 3/);
  // Inherited properties are not fields.
  fails("{{item.constructor}}", /item has no field 'constructor'/);
  fails("{{item.__proto__}}", /item has no field '__proto__'/);
});

test("graderContext exposes data_source, ground_truth and extra_info as item, the response as sample", () => {
  const c = graderContext({
    dataSource: "qa",
    groundTruth: { answer: "B" },
    response: "(B)",
    extraInfo: { question: "Q?" },
  });
  assert.deepEqual(c, {
    item: { data_source: "qa", ground_truth: { answer: "B" }, question: "Q?" },
    sample: { output_text: "(B)" },
  });
  assert.equal(renderTemplate("{{item.ground_truth.answer}} vs {{sample.output_text}}", c), "B vs (B)");
});

test("calculate_output formulas: precedence, right-associative powers, functions; no eval", () => {
  const v = { a: 0.5, b: 0.25, c: 2 };
  const f = (src: string) => evaluateFormula(parseFormula(src, { variables: Object.keys(v) }), v);
  assert.equal(f("0.5 * a + 0.5 * b"), 0.375);
  assert.equal(f("a + b * c"), 1); // 0.5 + 0.5
  assert.equal(f("(a + b) * c"), 1.5);
  assert.equal(f("c ^ 3 ^ 2"), 512); // 2^9
  assert.equal(f("-c ^ 2"), -4);
  assert.equal(f("a - b - b"), 0); // left-associative
  assert.equal(f("c / 4 / 2"), 0.25);
  assert.equal(f("min(a, b, c) + max(a, b) + abs(-c)"), 2.75);
  assert.equal(f("sqrt(c * 8) + floor(2.7) + ceil(0.1) + log(exp(1))"), 8);
  assert.equal(f("1e-1 * 10 + .5"), 1.5);
  assert.deepEqual(parseFormula("a * a + b").variables, ["a", "b"]);
});

test("formula errors say what and where; code-like input is rejected by the parser", () => {
  const err = (src: string, pattern: RegExp, variables?: string[]) =>
    assert.throws(
      () => parseFormula(src, { variables }),
      (e: unknown) => e instanceof FormulaError && pattern.test(e.message),
      src,
    );
  err("a + z", /unknown name 'z' \(graders: a\) at position 4/, ["a"]);
  err("a +* b", /expected a number, a name or '\(' but found '\*' at position 3/);
  err("(a + b", /expected '\)' but found end of formula/);
  err("max()", /max\(\) takes at least 1 argument\(s\), got 0/);
  err("sqrt(a, b)", /sqrt\(\) takes 1 argument\(s\), got 2/);
  err("process.exit(1)", /unexpected character '\.' at position 7/);
  err("require(fs)", /unknown function 'require'/);
  err("require('fs')", /unexpected character ''' at position 8/);
  err("a; b", /unexpected character ';'/);
  err("a b", /unexpected name 'b' at position 2/);
  const div = parseFormula("a / b");
  assert.throws(() => evaluateFormula(div, { a: 1, b: 0 }), /division by zero at position 2/);
  assert.throws(() => evaluateFormula(div, { a: 1 }), /unknown variable 'b' \(known: a\)/);
  assert.throws(() => evaluateFormula(parseFormula("exp(a)"), { a: 1000 }), /not a finite number/);
});
