// The recipe scripts' command lines: --help prints the options with their defaults and exits 0;
// an unknown option or a bad value exits 2 with one line naming it, not a stack trace.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";

const run = (script: string, ...args: string[]) =>
  spawnSync(process.execPath, [`dist/src/embedded/${script}.js`, ...args], { encoding: "utf8" });

for (const [script, option] of [
  ["train-base", "--lookup-steps N"],
  ["train-judge", "--continuations STEPS:LR"],
  ["eval-judge", "--policy-prompts N"],
] as const) {
  test(`${script} --help lists its options; a bad one exits 2 naming it`, () => {
    const help = run(script, "--help");
    assert.equal(help.status, 0, help.stderr);
    assert.ok(help.stdout.includes(option), `${script} --help names ${option}`);
    const bad = run(script, "--no-such-option");
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, new RegExp(`^${script}: Unknown option '--no-such-option'`));
    assert.doesNotMatch(bad.stderr, /\n\s+at /, "no stack trace");
  });
}

test("a bad value names the option and the value", () => {
  const r = run("train-base", "--sft-lr", "fast");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^train-base: --sft-lr: "fast" is not a positive learning rate\n/);
  const j = run("train-judge", "--bands", "huge");
  assert.equal(j.status, 2);
  assert.match(j.stderr, /^train-judge: --bands: "huge" is not a gap band/);
});

test("train-base --help shows the defaults it runs with", () => {
  const help = run("train-base", "--help").stdout;
  assert.match(help, /--pretrain-steps N\s+2500\n/);
  assert.match(help, /--lookup-anchor question\|reply\s+where a look-up example names its option \(reply\)/);
});
