// eval-judge's command line: malformed counts name the option and the value.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseEvalJudgeArgs } from "../src/embedded/eval-judge.js";

test("eval-judge refuses counts that are not whole numbers, naming the option", () => {
  assert.equal(parseEvalJudgeArgs(["--max-tokens", "64", "--pairs", "1000"])["max-tokens"], "64");
  assert.throws(
    () => parseEvalJudgeArgs(["--max-tokens", "lots"]),
    /--max-tokens: "lots" is not a whole number >= 1/,
  );
  assert.throws(() => parseEvalJudgeArgs(["--max-tokens", "0"]), /--max-tokens: "0"/);
  assert.throws(() => parseEvalJudgeArgs(["--pairs", "2.5"]), /--pairs: "2.5" is not a whole number >= 1/);
  assert.throws(() => parseEvalJudgeArgs(["--canary-prompts=-1"]), /--canary-prompts: "-1"/);
  assert.equal(parseEvalJudgeArgs(["--policy-prompts", "0"])["policy-prompts"], "0");
});
