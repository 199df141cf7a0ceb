import assert from "node:assert/strict";
import { test } from "node:test";
import { checkSameTensors, MergeError } from "../src/merge/merge-models.js";
import type { Tensor } from "../src/models/safetensors.js";

const t = (shape: number[]): Tensor => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });

test("mismatched tensor names are an error naming the tensor and both models, in either direction", () => {
  const base = {
    label: "base",
    tensors: new Map([
      ["a.weight", t([2, 2])],
      ["b.weight", t([3])],
    ]),
  };
  const lacking = { label: "expert-math", tensors: new Map([["a.weight", t([2, 2])]]) };
  const extra = { label: "expert-code", tensors: new Map([...base.tensors, ["c.weight", t([1])]]) };
  assert.throws(
    () => checkSameTensors([base, lacking]),
    (err: unknown) =>
      err instanceof MergeError &&
      /tensor "b\.weight" is in base but missing from expert-math/.test(err.message),
  );
  assert.throws(
    () => checkSameTensors([base, extra]),
    /tensor "c\.weight" is in expert-code but missing from base/,
  );
  assert.doesNotThrow(() => checkSameTensors([base, { label: "twin", tensors: new Map(base.tensors) }]));
});
