import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../src/engine/rng.js";

test("the same seed gives the same stream, and a restored state continues it exactly", () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const first = Array.from({ length: 5 }, () => a.nextU32());
  assert.deepEqual(
    first,
    Array.from({ length: 5 }, () => b.nextU32()),
  );
  const saved = a.getState();
  const next = Array.from({ length: 5 }, () => a.next());
  const c = new Rng(saved);
  assert.deepEqual(
    Array.from({ length: 5 }, () => c.next()),
    next,
  );
  assert.notDeepEqual(
    first,
    Array.from({ length: 5 }, () => new Rng(43).nextU32()),
  );
});

test("uniform draws have mean near 1/2 and normals have unit variance", () => {
  const r = new Rng(7);
  let sum = 0;
  let sq = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) sum += r.next();
  for (let i = 0; i < n; i++) sq += r.normal() ** 2;
  assert.ok(Math.abs(sum / n - 0.5) < 0.01, `mean ${sum / n}`);
  assert.ok(Math.abs(sq / n - 1) < 0.05, `var ${sq / n}`);
});
