// The qa fact lines (train-base --sft-fact-lines) hold the knowledge each qa question asks for, in
// plain statements, and none of the questions' own wording, options or letters.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readRows } from "../src/tasks/io.js";
import { qaFactLines } from "../src/tasks/qa/generate.js";

test("every test question's answer is stated by a fact line, in no question's form", async () => {
  const lines = qaFactLines();
  const facts = new Set(lines);
  assert.ok(lines.length > 50_000, `${lines.length} lines`);
  for (const line of lines) assert.doesNotMatch(line, /\([A-H]\)|Which word|What does|synonym of/);
  const byLemmasOf = new Map<string, string>();
  for (const line of lines) {
    const m = /^(.*) = (.*)$/.exec(line);
    if (m) byLemmasOf.set(m[1]!, m[2]!);
  }
  const rows = await readRows("datasets/qa/test.jsonl");
  let checked = 0;
  for (const row of rows) {
    const { qtype, answer_text: answer } = row.extra_info as { qtype: string; answer_text: string };
    const q = row.prompt[0]!.content.split("\n")[0]!;
    if (qtype === "hypernym") {
      const word = /^An? (.*) is a kind of what\?$/.exec(q)![1]!;
      assert.ok(facts.has(`${/^[aeiou]/.test(word) ? "An" : "A"} ${word} is a kind of ${answer}.`), q);
    } else if (qtype === "word_for_definition") {
      const definition = /^Which word means "(.*)"\?$/.exec(q)![1]!;
      assert.equal(byLemmasOf.get(definition)?.split(", ")[0], answer, q);
    } else if (qtype === "definition_for_word") {
      const word = /^What does "(.*)" mean\?$/.exec(q)![1]!;
      assert.ok(
        lines.some((l) => l.endsWith(`: ${answer}`) && l.split(": ")[0]!.split(", ").includes(word)),
        q,
      );
    } else {
      const word = /^Which word is a synonym of "(.*)"\?$/.exec(q)![1]!;
      assert.ok(
        lines.some((l) => {
          const lemmas = l.split(": ")[0]!.split(", ");
          return lemmas.includes(word) && lemmas.includes(answer);
        }),
        q,
      );
    }
    checked++;
  }
  assert.equal(checked, 500);
});
