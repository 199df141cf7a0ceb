// Does pretraining with copy examples in the stream give a from-scratch omni-tiny the in-context
// copying the committed one lacks? Pretrains omni-tiny's shape from scratch (its tokenizer, its
// pretraining stream) with a share of copy examples (src/embedded/copy-task.ts, written in ChatML)
// mixed into the stream, and measures greedy copying on held-out copy prompts every quarter:
// the share of prompts whose reply is exactly the requested words, and the share of words reproduced.
//
//   node dist/scripts/copy-pretrain-pilot.js [--steps 400] [--copy-share 0.3] [--induction-steps 0]
//                                            [--tokenizer models/omni-tiny]
//
// --induction-steps N first trains N steps on pure synthetic copying (a random span of ordinary
// tokens, <|eos|>, the same span again; loss on the second copy), the task a small model learns from
// scratch in a few hundred steps (test/engine-learns-copy.test.ts), to seed induction heads.
//
// Nothing is saved: this measures whether copying forms, it does not produce a model.
import { parseArgs } from "node:util";
import {
  copyAccuracy,
  copyChatText,
  copyCountFor,
  copyExamples,
  heldOutCopyPrompts,
  randomSpanCopyBatches,
} from "../src/embedded/copy-task.js";
import {
  glossesWithoutHeldOutExamples,
  loadDomainRows,
  pretrainTexts,
  wordnetGlosses,
} from "../src/embedded/corpus.js";
import { encodeStream, OMNI_TINY_CONFIG } from "../src/embedded/train-base.js";
import { streamBatches, trainPhase } from "../src/embedded/train-loop.js";
import { loadBackend } from "../src/engine/load-backend.js";
import { Rng } from "../src/engine/rng.js";
import { makeConfig } from "../src/models/config.js";
import { LlamaModel } from "../src/models/llama.js";
import { loadTokenizer } from "../src/models/tokenizer.js";

const { values } = parseArgs({
  options: {
    steps: { type: "string", default: "400" },
    "copy-share": { type: "string", default: "0.3" },
    "induction-steps": { type: "string", default: "0" },
    tokenizer: { type: "string", default: "models/omni-tiny" },
  },
});
const steps = Number(values.steps);
const share = Number(values["copy-share"]);

const backend = loadBackend();
const tokenizer = loadTokenizer(values.tokenizer);
const id = (t: string) => tokenizer.tokenToId(t)!;
const config = makeConfig({
  ...OMNI_TINY_CONFIG,
  bos_token_id: id("<|bos|>"),
  eos_token_id: [id("<|im_end|>"), id("<|eos|>")],
  pad_token_id: id("<|pad|>"),
});
const model = LlamaModel.create(config, { seed: 0, backend });
const rows = await loadDomainRows("datasets");
const glosses = glossesWithoutHeldOutExamples(rows, wordnetGlosses());
const rng = new Rng(0);
const texts = pretrainTexts(rows, wordnetGlosses());
const copies = copyExamples(glosses, copyCountFor(texts.length, share), rng.fork()).map((c) =>
  copyChatText(tokenizer, c),
);
const held = heldOutCopyPrompts(glosses);
const stream = encodeStream(tokenizer, rng.shuffle([...texts, ...copies]), id("<|eos|>"));
console.log(`stream: ${stream.length} tokens, ${texts.length} documents + ${copies.length} copy examples`);
const inductionSteps = Number(values["induction-steps"]);
if (inductionSteps > 0) {
  const span = 127;
  const T = 2 * span + 1;
  // ordinary tokens only: the special tokens come first in the vocabulary
  const ids = { lo: 16, hi: config.vocab_size, separator: id("<|eos|>") };
  const next = randomSpanCopyBatches(span, 8, ids, rng.fork());
  const phase = { name: "induction", steps: inductionSteps, lr: 2e-3, minLr: 2e-3, warmupSteps: 20 };
  const log = trainPhase(
    model,
    backend,
    next,
    { ...phase, B: 8, T, weightDecay: 0.1, maxGradNorm: 1 },
    () => {},
  );
  console.log(`induction: loss ${log.firstLoss.toFixed(3)} -> ${log.finalLoss.toFixed(3)}`);
  console.log(`after induction: ${JSON.stringify(copyAccuracy(model, tokenizer, held))}`);
}
const quarter = Math.max(1, Math.floor(steps / 4));
const batches = streamBatches(stream, 8, 256, rng.fork());
for (let done = 0; done < steps; done += quarter) {
  // one warmup + cosine over the whole run, taken a quarter at a time
  const phase = { name: "pretrain", steps: quarter, lr: 2e-3, minLr: 2e-3, warmupSteps: done === 0 ? 20 : 0 };
  trainPhase(model, backend, batches, { ...phase, B: 8, T: 256, weightDecay: 0.1, maxGradNorm: 1 }, () => {});
  console.log(`after ${done + quarter} steps: ${JSON.stringify(copyAccuracy(model, tokenizer, held))}`);
}
