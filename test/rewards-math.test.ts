import assert from "node:assert/strict";
import { test } from "node:test";
import { answersEquivalent, extractAnswer, normalizeAnswer } from "../src/rewards/math/index.js";

test("extractors find boxed (balanced braces, last one wins), ####, 'the answer is', and the last number", () => {
  const cases: [string, string | null, string | null][] = [
    // [response, extractor, answer]
    ["so \\boxed{\\frac{1}{\\sqrt{2}}} hence", "boxed", "\\frac{1}{\\sqrt{2}}"],
    ["first \\boxed{1} then \\boxed{x^{2}+\\{1\\}}", "boxed", "x^{2}+\\{1\\}"],
    ["\\fbox{42}", "boxed", "42"],
    ["$\\boxed 7$", "boxed", "7"],
    ["unbalanced \\boxed{1 + {2}", "answer_is", null], // replaced below: falls through to later extractors
    ["step 1: 3 + 4 = 7\n#### 1,234\n", "hash", "1,234"],
    ["Thus the final answer is $\\frac{3}{4}$.", "answer_is", "\\frac{3}{4}"],
    ["The answer is 42. Done", "answer_is", "42"],
    ["Final Answer: 3.5\nmore text", "answer_is", "3.5"],
    ["the answer is: \\boxed{9} I think", "boxed", "9"],
    ["I got 3 then -4.5.", "last_number", "-4.5"],
    ["it costs 1,000 dollars and 2/3 of that", "last_number", "2/3"],
    ["no digits at all", null, null],
  ];
  for (const [response, extractor, answer] of cases) {
    const got = extractAnswer(response);
    if (response.startsWith("unbalanced")) {
      assert.deepEqual(got, { extractor: "last_number", answer: "2" }, response);
      continue;
    }
    assert.deepEqual(got, extractor === null ? null : { extractor, answer }, response);
  }
});

test("only the configured extractors apply, in the configured order", () => {
  const text = "The answer is 5.\n#### 6\nand \\boxed{7} then 8";
  assert.deepEqual(extractAnswer(text, ["hash", "boxed"]), { extractor: "hash", answer: "6" });
  assert.deepEqual(extractAnswer(text, ["answer_is"]), { extractor: "answer_is", answer: "5" });
  assert.deepEqual(extractAnswer(text, ["last_number"]), { extractor: "last_number", answer: "8" });
  assert.equal(extractAnswer("no box here, 3", ["boxed"]), null);
});

test("normalization strips notation noise and keeps meaning", () => {
  const cases: [string, string][] = [
    ["$\\dfrac{3}{4}$", "\\frac{3}{4}"],
    ["\\tfrac12", "\\frac{1}{2}"],
    ["10\\text{ cm}", "10"],
    ["5 apples", "5"],
    ["3 meters per second", "3"],
    ["12 \\mathrm{kg}", "12"],
    ["90^\\circ", "90"],
    ["90^{\\circ}", "90"],
    ["45°", "45"],
    ["\\$18.00", "18.00"],
    ["1,234,567", "1234567"],
    ["(1, 2)", "(1,2)"],
    ["\\left( 1, \\frac{1}{2} \\right]", "(1,\\frac{1}{2}]"],
    ["42.", "42"],
    ["x = 5", "5"],
    ["25\\%", "25%"],
    ["25 percent", "25%"],
    ["1 1/2", "\\frac{3}{2}"],
    ["-2\\frac{1}{3}", "-\\frac{7}{3}"],
    ["\\pi r^2", "\\pi r^2"],
    ["\\sqrt2", "\\sqrt{2}"],
    ["\\text{Monday}", "Monday"],
    ["\\boxed{7}", "7"],
    ["+3", "3"],
  ];
  for (const [input, expected] of cases) {
    assert.equal(normalizeAnswer(input), expected, input);
    assert.equal(normalizeAnswer(normalizeAnswer(input)), expected, `${input} (idempotent)`);
  }
});

test("equivalence: exact, numeric tolerance, rationals and percents, with the method that decided", () => {
  const cases: [string, string, boolean, string][] = [
    ["42", "42", true, "exact"],
    ["1,234", "1234", true, "exact"],
    ["18.00", "18", true, "numeric"],
    ["0.5", ".5", true, "numeric"],
    ["3.14159", "3.1416", true, "numeric"], // within relTol 1e-4
    ["12", "1.2", false, "numeric"], // the classic false positive must not pass
    ["12", "12.01", false, "numeric"],
    ["100", "1000", false, "numeric"],
    ["\\frac{3}{4}", "0.75", true, "rational"],
    ["3/4", "\\dfrac34", true, "rational"],
    ["1 1/2", "1.5", true, "rational"],
    ["1\\frac{1}{2}", "3/2", true, "rational"],
    ["-\\frac{1}{2}", "-0.5", true, "rational"],
    ["\\frac{2}{3}", "\\frac{3}{4}", false, "rational"],
    ["1/3", "0.3333333", true, "numeric"],
    // Percent policy: 25% equals 0.25 and 25; 25 does not equal 0.25.
    ["25\\%", "0.25", true, "rational"],
    ["25%", "25", true, "rational"],
    ["25", "0.25", false, "numeric"],
    ["\\text{Monday}", "monday", true, "exact"],
  ];
  for (const [a, b, equal, method] of cases) {
    assert.deepEqual(answersEquivalent(a, b), { equal, method }, `${a} vs ${b}`);
    assert.equal(answersEquivalent(b, a).equal, equal, `${b} vs ${a} (symmetric)`);
  }
});

test("equivalence: tuples and intervals keep order and brackets, sets and lists ignore order", () => {
  const cases: [string, string, boolean][] = [
    ["(1, 2)", "(1,2)", true],
    ["(1,2)", "(2,1)", false],
    ["(1,2]", "(1,2)", false],
    ["[0.5, \\frac{3}{2})", "[\\frac12, 1.5)", true],
    ["(-\\infty, 3)", "(-\\infty,3)", true],
    ["\\{1,2,3\\}", "\\{3,1,2\\}", true],
    ["\\{1,2\\}", "\\{1,2,3\\}", false],
    ["1, 2", "2,1", true],
    ["\\{\\frac{1}{2}, 2\\}", "\\{2, 0.5\\}", true],
    ["(1,2)\\cup(3,4)", "(3,4)\\cup(1,2)", true],
    ["(1,2)", "\\{1,2\\}", false],
    ["(1,2)", "3", false],
  ];
  for (const [a, b, equal] of cases) assert.equal(answersEquivalent(a, b).equal, equal, `${a} vs ${b}`);
  assert.equal(answersEquivalent("[0.5, \\frac{3}{2})", "[\\frac12, 1.5)").method, "rational");
});

test("equivalence: symbolic via mathjs, backed by probing at random points", () => {
  const cases: [string, string, boolean, string[]][] = [
    ["x^2-1", "(x-1)(x+1)", true, ["symbolic"]],
    ["2x+1", "1+2x", true, ["symbolic"]],
    ["x(x+1)", "x^2+x", true, ["symbolic"]],
    ["\\sqrt{2}/2", "\\frac{\\sqrt2}{2}", true, ["symbolic"]],
    ["\\frac{1}{\\sqrt{2}}", "\\frac{\\sqrt{2}}{2}", true, ["symbolic"]],
    ["2\\pi", "6.2832", true, ["symbolic"]],
    ["e^{i\\pi}", "-1", true, ["symbolic"]],
    ["\\frac{1}{x}+\\frac{1}{y}", "\\frac{x+y}{xy}", true, ["symbolic", "probe"]],
    ["\\sin^2 x + \\cos^2 x", "1", true, ["symbolic", "probe"]],
    ["x^2", "x^3", false, ["probe"]],
    ["2x", "2y", false, ["probe"]],
    ["\\sqrt{2}", "1.41", false, ["symbolic"]],
    ["y = 2x + 1", "y=1+2x", true, ["symbolic"]],
  ];
  for (const [a, b, equal, methods] of cases) {
    const got = answersEquivalent(a, b);
    assert.equal(got.equal, equal, `${a} vs ${b}`);
    assert.ok(methods.includes(got.method), `${a} vs ${b}: method ${got.method}`);
  }
  assert.equal(answersEquivalent("x^2-1", "(x-1)(x+1)", { symbolic: false }).equal, false);
});

test("relTol is configurable", () => {
  assert.equal(answersEquivalent("100", "100.5").equal, false);
  assert.equal(answersEquivalent("100", "100.5", { relTol: 0.01 }).equal, true);
  assert.equal(answersEquivalent("3.14159", "3.1416", { relTol: 0 }).equal, false);
});
