// Can a model learn the math solutions' arithmetic from drills alone? Continues training a model on a
// stream of drill lines (`a op b = c.`, src/embedded/arithmetic.ts; none of them an equation of a math
// train or test reference) and measures greedy accuracy on 400 held-out equations (100 per operator)
// before and after every quarter of the budget. Each quarter restarts warmup + cosine.
//
//   node dist/scripts/arithmetic-pilot.js [STEPS=400] [LR=1e-3] [MODEL=models/omni-tiny] [MAX_DIGITS=4] [FORMAT=plain]
//
// FORMAT scratchpad drills sums and differences with their column work written out (scratchpadText)
// and scores the result the completion ends on; held-out equations are then + and - only.
//
// Nothing is saved: this measures learnability, it does not produce a model.
import {
  arithmeticAccuracy,
  arithmeticDocs,
  type DrillFormat,
  equationKey,
  heldOutEquations,
  referenceEquations,
} from "../src/embedded/arithmetic.js";
import { loadDomainRows } from "../src/embedded/corpus.js";
import { encodeStream } from "../src/embedded/train-base.js";
import { streamBatches, trainPhase } from "../src/embedded/train-loop.js";
import { loadBackend } from "../src/engine/load-backend.js";
import { Rng } from "../src/engine/rng.js";
import { loadPretrained } from "../src/models/pretrained.js";

const steps = Number(process.argv[2] ?? 400);
const lr = Number(process.argv[3] ?? 1e-3);
const modelDir = process.argv[4] ?? "models/omni-tiny";
const maxDigits = Number(process.argv[5] ?? 4);
const format = (process.argv[6] ?? "plain") as DrillFormat;
if (format !== "plain" && format !== "scratchpad")
  throw new Error(`FORMAT: plain or scratchpad, not ${format}`);
const backend = loadBackend();
const { model, tokenizer } = loadPretrained(modelDir, { backend });
const rows = await loadDomainRows("datasets");
const references = referenceEquations([...rows.math.train, ...rows.math.test]);
const rng = new Rng(7);
const held = heldOutEquations(rng.fork(), references, 100, maxDigits).filter(
  (e) => format === "plain" || e.op === "+" || e.op === "-",
);
const unseen = new Set([...references, ...held.map(equationKey)]);
console.log(`before: ${JSON.stringify(arithmeticAccuracy(model, tokenizer, held, 64, format))}`);
const stream = encodeStream(
  tokenizer,
  arithmeticDocs(20000, rng.fork(), unseen, 16, maxDigits, format),
  tokenizer.tokenToId("<|eos|>")!,
);
console.log(`drill stream: ${stream.length} tokens (${20000 * 16} equations)`);
const quarter = Math.max(1, Math.floor(steps / 4));
for (let done = 0; done < steps; done += quarter) {
  const batches = streamBatches(stream, 8, 256, rng.fork());
  const phase = { name: "drill", steps: quarter, lr, minLr: lr / 10, warmupSteps: 10, B: 8, T: 256 };
  trainPhase(model, backend, batches, { ...phase, weightDecay: 0.1, maxGradNorm: 1 }, console.log);
  console.log(
    `after ${done + quarter} steps: ${JSON.stringify(arithmeticAccuracy(model, tokenizer, held, 64, format))}`,
  );
}
