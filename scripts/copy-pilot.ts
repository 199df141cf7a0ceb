// Does a model learn to copy from its prompt when its SFT mix asks for copying? Continues SFT of a
// model on the sft split of the four domains mixed with synthetic copy examples (src/embedded/
// copy-task.ts), then saves it, so `omni-thinker eval` and scripts/writing-rubric.ts can measure it.
// Before and after, it prints the mean log-prob of the keyword tokens in the writing test references
// (teacher-forced): a model that copies puts a required word's tokens near log-prob 0.
//
//   node dist/scripts/copy-pilot.js [--steps 600] [--lr 3e-4] [--copy-share 0.5] [--model models/omni-tiny]
//                                   [--out /tmp/copy-pilot/model]
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { copyExamples } from "../src/embedded/copy-task.js";
import { glossesWithoutHeldOutExamples, loadDomainRows, wordnetGlosses } from "../src/embedded/corpus.js";
import { modelTensors, sftExamples } from "../src/embedded/train-base.js";
import { encodeChatExample, packedChatBatches, trainPhase } from "../src/embedded/train-loop.js";
import { loadBackend } from "../src/engine/load-backend.js";
import { Rng } from "../src/engine/rng.js";
import { writeHfModelDir } from "../src/models/hf-model.js";
import type { LlamaModel } from "../src/models/llama.js";
import { loadPretrained } from "../src/models/pretrained.js";
import type { TextTokenizer } from "../src/models/tokenizer.js";
import { words } from "../src/rewards/keywords.js";
import type { Row } from "../src/tasks/schema.js";

const { values } = parseArgs({
  options: {
    steps: { type: "string", default: "600" },
    lr: { type: "string", default: "3e-4" },
    "copy-share": { type: "string", default: "0.5" },
    model: { type: "string", default: "models/omni-tiny" },
    out: { type: "string", default: "/tmp/copy-pilot/model" },
  },
});
const steps = Number(values.steps);
const lr = Number(values.lr);
const share = Number(values["copy-share"]);

/** Mean log-prob of the reference tokens that spell a keyword, over writing test rows. */
function keywordLogProb(model: LlamaModel, tokenizer: TextTokenizer, rows: readonly Row[]): number {
  let sum = 0;
  let n = 0;
  for (const row of rows) {
    const gt = row.reward_model.ground_truth as { reference: string; keywords: string[] };
    const ex = encodeChatExample(tokenizer, row.prompt, gt.reference);
    const toks = Int32Array.from([...ex.prompt, ...ex.reply]);
    const logits = model.logits(toks, 1, toks.length);
    const V = logits.length / toks.length;
    const stems = gt.keywords.flatMap(words).map((k) => k.slice(0, Math.max(3, k.length - 2)));
    for (let t = ex.prompt.length - 1; t < toks.length - 1; t++) {
      const piece = tokenizer
        .decode([toks[t + 1]!])
        .trim()
        .toLowerCase();
      if (piece.length < 2 || !stems.some((s) => s.includes(piece) || piece.includes(s))) continue;
      const row_ = logits.subarray(t * V, (t + 1) * V);
      let max = Number.NEGATIVE_INFINITY;
      for (const v of row_) max = Math.max(max, v);
      let z = 0;
      for (const v of row_) z += Math.exp(v - max);
      sum += row_[toks[t + 1]!]! - max - Math.log(z);
      n++;
    }
  }
  return sum / Math.max(1, n);
}

const backend = loadBackend();
const { model, tokenizer } = loadPretrained(values.model, { backend });
const rows = await loadDomainRows("datasets");
const probe = rows.writing.test.slice(0, 100);
console.log(`before: keyword-token log-prob ${keywordLogProb(model, tokenizer, probe).toFixed(3)}`);

const rng = new Rng(11);
const sft = sftExamples(tokenizer, rows);
const copyCount = Math.round((sft.length * share) / (1 - share));
const copies = copyExamples(glossesWithoutHeldOutExamples(rows, wordnetGlosses()), copyCount, rng.fork()).map(
  (c) => encodeChatExample(tokenizer, [{ role: "user", content: c.prompt }], c.reply),
);
console.log(`mix: ${sft.length} sft examples + ${copies.length} copy examples`);
const pad = tokenizer.tokenToId("<|pad|>")!;
const batches = packedChatBatches([...sft, ...copies], 8, 256, pad, rng.fork());
const phase = { name: "copy-sft", steps, lr, minLr: lr / 10, warmupSteps: 20, B: 8, T: 256 };
trainPhase(model, backend, batches, { ...phase, weightDecay: 0.1, maxGradNorm: 1 }, console.log);
console.log(`after: keyword-token log-prob ${keywordLogProb(model, tokenizer, probe).toFixed(3)}`);

writeHfModelDir(values.out, model.config, modelTensors(model), { dtype: "BF16" });
for (const f of ["tokenizer.json", "tokenizer_config.json", "generation_config.json"])
  copyFileSync(join(values.model, f), join(values.out, f));
console.log(`saved ${values.out}`);
