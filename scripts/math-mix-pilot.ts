// Pilot for the math domain's difficulty mix (issue: math starts below the 0.1-0.7 band). Draws math
// rows with another mix of step counts, none sharing a dedup key with any bundled split, writes
// OUT/data/math/test.jsonl (held-out rows of the new mix), then continues omni-tiny's SFT on math rows of
// that mix (plus, 1 in 2, the other domains' sft rows, so it does not only forget them) and saves
// OUT/model. Evaluate both models on both mixes with `omni-thinker eval` (the commands are printed).
//
//   node dist/scripts/math-mix-pilot.js --out /tmp/mathmix [--weights 4,3,2,1] [--steps 600] [--rows 20000]
//                                     [--max-digits D (default 2, as the bundled datasets; Infinity: no cap)]
//
// Nothing here changes the bundled datasets or models; it tells whether changing them would work.
import { join } from "node:path";
import { parseArgs } from "node:util";
import { drawDisjointRows, extraSftRows, loadDomainRows, referenceOf } from "../src/embedded/corpus.js";
import { modelTensors } from "../src/embedded/train-base.js";
import { encodeChatExample, packedChatBatches, trainPhase } from "../src/embedded/train-loop.js";
import { loadBackend } from "../src/engine/load-backend.js";
import { Rng } from "../src/engine/rng.js";
import { writeHfModelDir } from "../src/models/hf-model.js";
import { loadPretrained } from "../src/models/pretrained.js";
import { dedupKeys } from "../src/tasks/dedup.js";
import { writeRows } from "../src/tasks/io.js";
import { mathTaskWithMix } from "../src/tasks/math/generate.js";
import { promptText, type Row, SPLITS } from "../src/tasks/schema.js";

const { values } = parseArgs({
  options: {
    out: { type: "string", default: "/tmp/mathmix" },
    model: { type: "string", default: "models/omni-tiny" },
    weights: { type: "string", default: "4,3,2,1" },
    steps: { type: "string", default: "600" },
    rows: { type: "string", default: "20000" },
    test: { type: "string", default: "300" },
    lr: { type: "string", default: "5e-4" },
    "max-digits": { type: "string" },
  },
});
const weights = values.weights.split(",").map(Number);
const maxDigits = values["max-digits"] === undefined ? undefined : Number(values["max-digits"]);
const gen = mathTaskWithMix({ stepWeights: weights, maxDigits });
const rows = await loadDomainRows("datasets");
const seen = new Set<string>();
for (const split of SPLITS) for (const row of rows.math[split]) for (const k of dedupKeys(row)) seen.add(k);

const rng = new Rng(11);
const test = drawDisjointRows(gen, Number(values.test), rng.fork(), seen, "test");
writeRows(join(values.out, "data", "math", "test.jsonl"), test);
const sft = drawDisjointRows(gen, Number(values.rows), rng.fork(), seen, "sft");
const byDifficulty: Record<number, number> = {};
for (const r of test)
  byDifficulty[r.extra_info.difficulty as number] =
    (byDifficulty[r.extra_info.difficulty as number] ?? 0) + 1;
console.log(
  `mix ${weights.join(":")}: ${test.length} test rows ${JSON.stringify(byDifficulty)}, ${sft.length} math SFT rows`,
);

const backend = loadBackend();
const { model, tokenizer } = loadPretrained(values.model, { backend });
const others: Row[] = [];
for (const task of ["code", "qa", "writing"] as const) {
  const taken = SPLITS.flatMap((s) => rows[task][s]);
  others.push(...rows[task].sft, ...extraSftRows(task, 2000, 0, taken));
}
const examples = [...sft, ...others].map((row) =>
  encodeChatExample(tokenizer, [{ role: "user", content: promptText(row) }], referenceOf(row)),
);
const lr = Number(values.lr);
trainPhase(
  model,
  backend,
  packedChatBatches(examples, 8, 256, tokenizer.padTokenId ?? 0, rng.fork()),
  {
    name: "math-mix-sft",
    steps: Number(values.steps),
    lr,
    minLr: lr / 10,
    warmupSteps: 20,
    B: 8,
    T: 256,
    weightDecay: 0.1,
    maxGradNorm: 1,
  },
  console.log,
);
const modelOut = join(values.out, "model");
writeHfModelDir(modelOut, model.config, modelTensors(model), { dtype: "BF16", tokenizerDir: values.model });
console.log(`saved ${modelOut}; evaluate with:`);
for (const m of [values.model, modelOut]) {
  console.log(`  node bin/omni-thinker.js eval --model ${m} --tasks math --data ${join(values.out, "data")}`);
  console.log(`  node bin/omni-thinker.js eval --model ${m} --tasks math,code,qa,writing --limit 100`);
}
