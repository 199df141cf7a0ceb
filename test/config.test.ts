import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { z } from "zod";
import { ConfigError, loadConfigFile } from "../src/config/load.js";
import { tempDir } from "./helpers/temp-dir.js";

const schema = z.strictObject({
  name: z.string(),
  rl: z.strictObject({ group_size: z.number().int().positive().default(8), lr: z.number() }),
  tasks: z.array(z.strictObject({ name: z.string(), weight: z.number().nonnegative() })),
});

function write(text: string): string {
  const file = join(tempDir("cfg-"), "run.yaml");
  writeFileSync(file, text);
  return file;
}

test("a valid config parses into typed values with defaults filled in", () => {
  const cfg = loadConfigFile(schema, write("name: a\nrl: {lr: 0.001}\ntasks: [{name: math, weight: 1}]\n"));
  assert.equal(cfg.rl.group_size, 8);
  assert.equal(cfg.tasks[0]!.name, "math");
});

test("a bad field is reported with the file and the field path", () => {
  const file = write("name: a\nrl: {lr: 0.001, group_size: -2}\ntasks: [{name: math, weight: x}]\n");
  assert.throws(
    () => loadConfigFile(schema, file),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, new RegExp(file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
      assert.match(err.message, /rl\.group_size/);
      assert.match(err.message, /tasks\[0\]\.weight/);
      return true;
    },
  );
});

test("a YAML syntax error names the line", () => {
  const file = write("name: a\nrl: {lr: 0.001\n");
  assert.throws(() => loadConfigFile(schema, file), /line \d+/);
});

test("an unknown key is rejected rather than silently ignored", () => {
  const file = write("name: a\nrl: {lr: 1, grup_size: 4}\ntasks: []\n");
  assert.throws(() => loadConfigFile(schema, file), /rl.*grup_size|Unrecognized/);
});
