// Recipe for models/omni-tiny, the embedded base policy:
//   1. a byte-level BPE tokenizer (vocab 4096) trained on the domains' train text + WordNet glosses;
//   2. a Llama-style decoder, pretrained on domain prompts + WordNet glosses (see corpus.ts for what
//      each stage may see), half of the stream's documents copy examples (copy-task.ts);
//   3. an option look-up phase (--lookup-steps 2000): qa-shaped questions whose reply names an option
//      (`It is X, so the answer is`) and must give that option's letter, on a curriculum from two
//      options to the qa shape, a quarter of the steps on the pretraining stream. The qa references
//      name the option the same way, so this is the step from naming the answer to its letter that a
//      small model does not learn from SFT alone (docs/results.md, twenty-eighth and twenty-ninth
//      rounds);
//   4. SFT on the sft split of the four domains in ChatML, loss on the assistant's tokens only, with a
//      share of copy examples and 4,000 of those look-up examples (--sft-lookup-examples) kept in the
//      mix. Half of the SFT steps are plain next-token batches of the qa task's WordNet facts
//      (--sft-gloss-share 0.5; --no-sft-fact-lines reads the raw gloss lines instead).
//   Other options, off by default: look-up examples that name the option in the question instead
//   (--lookup-anchor question: learnt, but qa never moved; twenty-eighth round), a loss weight on their
//   letter token (--lookup-letter-weight), and a share of keyword look-ups in the phase, the writing
//   rubric's keyword check (--keyword-lookup-share, keyword-task.ts).
// In-context copying (repeating words the prompt names) is what the writing and code tasks need and
// what a small model does not learn from the domain text alone; the held-out copy probe is logged
// after each phase.
// Written in HF layout (bf16 weights) with a training log. Seeded: the same seed and step counts give
// the same loss curve. The options are in usage() below (`npm run model:train-base -- --help`).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { loadBackend } from "../engine/load-backend.js";
import { Rng } from "../engine/rng.js";
import { countWords, trainBpe, writeTokenizerFiles } from "../models/bpe-train.js";
import { type LlamaConfig, makeConfig } from "../models/config.js";
import { copyTokenizerFiles, readHfModelDir, writeHfModelDir } from "../models/hf-model.js";
import { LlamaModel } from "../models/llama.js";
import type { Tensor } from "../models/safetensors.js";
import { generate } from "../models/sampler.js";
import { loadTokenizer, type TextTokenizer } from "../models/tokenizer.js";
import { LETTERS, qaFactLines } from "../tasks/qa/generate.js";
import { promptText, SPLITS, TASK_NAMES } from "../tasks/schema.js";
import { writeJsonAtomic } from "../util/atomic.js";
import { parseCommandLine } from "../util/cli.js";
import { formatDuration } from "../util/progress.js";
import {
  type CopyAccuracy,
  type CopyExample,
  copyAccuracy,
  copyChatText,
  copyCountFor,
  copyExamples,
  greedyReplies,
  heldOutCopyPrompts,
  heldOutLookups,
  type LookupAnchor,
  type LookupShape,
  letterTokenIndex,
  lookupAccuracy,
  lookupExamples,
  lookupNamedText,
  QA_LOOKUP_SHAPE,
  replyLookupAccuracy,
} from "./copy-task.js";
import {
  type DomainRows,
  extraSftRows,
  glossesWithoutHeldOutExamples,
  loadDomainRows,
  pretrainTexts,
  referenceOf,
  tokenizerTexts,
  wordnetGlosses,
} from "./corpus.js";
import {
  heldOutKeywordLookups,
  KEYWORD_CURRICULUM,
  keywordLookupAccuracy,
  keywordLookupExamples,
} from "./keyword-task.js";
import {
  type ChatExample,
  encodeChatExample,
  interleavedBatches,
  type PhaseLog,
  packedChatBatches,
  stagedBatches,
  streamBatches,
  trainPhase,
} from "./train-loop.js";

export const VOCAB_SIZE = 4096;
export const CONTEXT = 512;

/** omni-tiny's shape: 6 layers, d=256, SwiGLU 704, 4 heads of 64, tied embeddings (~5.8M params). */
export const OMNI_TINY_CONFIG = {
  vocab_size: VOCAB_SIZE,
  hidden_size: 256,
  intermediate_size: 704,
  num_hidden_layers: 6,
  num_attention_heads: 4,
  num_key_value_heads: 4,
  max_position_embeddings: CONTEXT,
  rope_theta: 10000,
  rms_norm_eps: 1e-5,
  tie_word_embeddings: true,
};

/** omni-tiny's attention head size; a wider model built by --hidden-size keeps it. */
const HEAD_DIM = OMNI_TINY_CONFIG.hidden_size / OMNI_TINY_CONFIG.num_attention_heads;

export interface BaseRecipe {
  out: string;
  datasets: string;
  seed: number;
  pretrainSteps: number;
  sftSteps: number;
  /** Extra SFT rows per domain, disjoint from every dataset split (corpus.ts extraSftRows). */
  sftExtraRows: number;
  batch: number;
  seq: number;
  pretrainLr: number;
  sftLr: number;
  /** Share of the pretraining documents that are copy examples (ChatML). */
  pretrainCopyShare: number;
  /** Share of the SFT examples that are copy examples. */
  sftCopyShare: number;
  /** Option look-up examples in the SFT mix (copy-task.ts lookupExamples). */
  sftLookupExamples: number;
  /** Share of the SFT stage's steps that are plain next-token batches (of the lines sftFactLines picks). */
  sftGlossShare: number;
  /**
   * Those steps read the qa task's WordNet facts (qa/generate.ts qaFactLines: lemmas, definitions
   * both ways, hypernyms of the familiar synsets) instead of the gloss lines.
   */
  sftFactLines: boolean;
  /**
   * Steps of a look-up phase between pretraining and SFT (0 = none): option look-ups alone, from two
   * single-word options to the qa task's shape (LOOKUP_CURRICULUM), with a quarter of the steps on
   * the pretraining stream so that it is not forgotten.
   */
  lookupSteps: number;
  /** Loss weight of the letter token in look-up examples (the phase's and the SFT mix's). */
  lookupLetterWeight: number;
  /**
   * Where look-up examples (the phase's and the SFT mix's) name the option: in the question, or only
   * in the reply, as a qa answer does (copy-task.ts LookupAnchor).
   */
  lookupAnchor: LookupAnchor;
  /** Share of the look-up phase's examples that are keyword look-ups (keyword-task.ts), in [0, 1]. */
  keywordLookupShare: number;
  /** The model's shape (from scratch only; --init keeps the init model's): omni-tiny's by default. */
  hiddenSize: number;
  intermediateSize: number;
  layers: number;
  /** Attention heads (hiddenSize / HEAD_DIM by default, omni-tiny's head size). */
  heads: number;
  /** Start from this model directory instead of training a tokenizer and pretraining (look-up phase and SFT only). */
  init?: string;
}

/** The defaults are the run recorded in models/omni-tiny/README.md. */
export const DEFAULT_BASE_RECIPE: BaseRecipe = {
  out: "models/omni-tiny",
  datasets: "datasets",
  seed: 0,
  pretrainSteps: 2500,
  sftSteps: 8000,
  sftExtraRows: 20000,
  batch: 8,
  seq: 256,
  pretrainLr: 2e-3,
  sftLr: 1e-3,
  pretrainCopyShare: 0.5,
  sftCopyShare: 0.25,
  sftGlossShare: 0.5,
  sftFactLines: true,
  sftLookupExamples: 4000,
  lookupSteps: 2000,
  lookupLetterWeight: 1,
  lookupAnchor: "reply",
  keywordLookupShare: 0,
  hiddenSize: OMNI_TINY_CONFIG.hidden_size,
  intermediateSize: OMNI_TINY_CONFIG.intermediate_size,
  layers: OMNI_TINY_CONFIG.num_hidden_layers,
  heads: OMNI_TINY_CONFIG.num_attention_heads,
};

/**
 * The look-up phase's curriculum, each stage a third of its steps: a small model learns to read the
 * letter in front of a named option with two options, then with more, and not at all when trained on
 * the qa shape from the start (docs/results.md, twelfth round).
 */
export const LOOKUP_CURRICULUM: LookupShape[] = [
  { minOptions: 2, maxOptions: 2, definitionShare: 0 },
  { minOptions: 2, maxOptions: 4, definitionShare: 0 },
  { minOptions: 2, maxOptions: LETTERS.length, definitionShare: 1 / 3 },
];

/**
 * A look-up example in chat form, its letter token weighing `letterWeight` in the loss. With the
 * "reply" anchor the named text (`It is X,`) weighs 0: the question does not decide which option the
 * reply names, so only the step from the named text to its letter is taught.
 */
export function encodeLookup(
  tokenizer: TextTokenizer,
  c: CopyExample,
  letterWeight: number,
  anchor: LookupAnchor = "question",
): ChatExample {
  const example = encodeChatExample(tokenizer, [{ role: "user", content: c.prompt }], c.reply);
  if (letterWeight === 1 && anchor === "question") return example;
  const letter = /\(([A-H])\)\.$/.exec(c.reply)![1]!;
  const at = letterTokenIndex(tokenizer, example.reply, letter);
  let masked = 0;
  if (anchor === "reply") {
    const named = tokenizer.encode(`It is ${lookupNamedText(c.reply)},`, { addSpecialTokens: false });
    if (!named.every((id, i) => example.reply[i] === id))
      throw new Error(
        `encodeLookup: the reply's tokens do not start with its named text: ${JSON.stringify(c.reply)}`,
      );
    masked = named.length;
  }
  example.replyWeights = example.reply.map((_, i) => (i === at ? letterWeight : i < masked ? 0 : 1));
  return example;
}

/** Encodes a list of documents into one stream, each followed by <|eos|>. */
export function encodeStream(tokenizer: TextTokenizer, texts: readonly string[], eosId: number): Int32Array {
  const ids: number[] = [];
  for (const t of texts) {
    for (const id of tokenizer.encode(t, { addSpecialTokens: false })) ids.push(id);
    ids.push(eosId);
  }
  return Int32Array.from(ids);
}

/** The SFT examples: every domain's sft split plus `extraRows` disjoint extra rows, prompt -> reference. */
export function sftExamples(
  tokenizer: TextTokenizer,
  rows: DomainRows,
  extraRows = 0,
  seed = 0,
): ChatExample[] {
  const out: ChatExample[] = [];
  for (const task of TASK_NAMES) {
    const taken = SPLITS.flatMap((s) => rows[task][s]);
    const extra = extraRows > 0 ? extraSftRows(task, extraRows, seed, taken) : [];
    for (const row of [...rows[task].sft, ...extra]) {
      out.push(encodeChatExample(tokenizer, [{ role: "user", content: promptText(row) }], referenceOf(row)));
    }
  }
  return out;
}

export function modelTensors(model: LlamaModel): Map<string, Tensor> {
  const tensors = new Map<string, Tensor>();
  for (const p of model.params.values()) tensors.set(p.name, { shape: p.shape, data: p.data });
  return tensors;
}

export async function trainBase(r: BaseRecipe, log: (line: string) => void = console.log): Promise<void> {
  const t0 = performance.now();
  const rows = await loadDomainRows(r.datasets);
  const glosses = wordnetGlosses();

  // 1. tokenizer (or the --init model's)
  const tTok = performance.now();
  if (r.init === undefined) {
    const bpe = trainBpe(countWords(tokenizerTexts(rows, glosses)), { vocabSize: VOCAB_SIZE });
    writeTokenizerFiles(r.out, bpe, CONTEXT);
    log(
      `tokenizer: ${bpe.vocab.size} tokens (${bpe.merges.length} merges) in ${formatDuration((performance.now() - tTok) / 1000)}`,
    );
  } else {
    mkdirSync(r.out, { recursive: true });
    copyTokenizerFiles(r.init, r.out);
  }
  const tokenizer = loadTokenizer(r.out);
  const id = (t: string) => tokenizer.tokenToId(t)!;

  // 2. model
  const backend = loadBackend();
  let config: LlamaConfig;
  let model: LlamaModel;
  if (r.init === undefined) {
    config = makeConfig({
      ...OMNI_TINY_CONFIG,
      hidden_size: r.hiddenSize,
      intermediate_size: r.intermediateSize,
      num_hidden_layers: r.layers,
      num_attention_heads: r.heads,
      num_key_value_heads: r.heads,
      bos_token_id: id("<|bos|>"),
      eos_token_id: [id("<|im_end|>"), id("<|eos|>")],
      pad_token_id: id("<|pad|>"),
    });
    model = LlamaModel.create(config, { seed: r.seed, backend });
  } else {
    const loaded = readHfModelDir(r.init);
    config = loaded.config;
    model = LlamaModel.fromTensors(config, loaded.tensors, { backend });
    log(`init: ${r.init} (pretraining skipped)`);
  }
  log(
    `model: ${(model.numParams() / 1e6).toFixed(2)}M params (${config.num_hidden_layers} layers, d=${config.hidden_size}, ` +
      `vocab ${config.vocab_size}); backend ${backend.info().backend} (GEMM ${backend.info().gemm}); batch ${r.batch}x${r.seq}`,
  );

  // 3. pretraining, with copy examples in the stream
  const rng = new Rng(r.seed);
  const copyGlosses = glossesWithoutHeldOutExamples(rows, glosses);
  const heldCopy = heldOutCopyPrompts(copyGlosses);
  const heldLookup = heldOutLookups(copyGlosses);
  const heldKeywords = heldOutKeywordLookups(copyGlosses);
  const copyProbe: Array<
    { after: string; lookup: number; replyLookup: number; keywordLookup: number } & CopyAccuracy
  > = [];
  const probe = (after: string) => {
    const acc = copyAccuracy(model, tokenizer, heldCopy);
    const lookup = lookupAccuracy(model, tokenizer, heldLookup.question);
    const replyLookup = replyLookupAccuracy(model, tokenizer, heldLookup.reply);
    const keywordReplies = greedyReplies(model, tokenizer, heldKeywords).map((g) => g.text ?? "");
    const keywordLookup = keywordLookupAccuracy(keywordReplies, heldKeywords);
    copyProbe.push({ after, ...acc, lookup, replyLookup, keywordLookup });
    log(
      `copy probe after ${after}: ${(100 * acc.exact).toFixed(1)}% exact, ${(100 * acc.words).toFixed(1)}% of words ` +
        `(e.g. ${JSON.stringify(acc.example)}); option look-up ${(100 * lookup).toFixed(1)}% ` +
        `(named in the reply only: ${(100 * replyLookup).toFixed(1)}%); ` +
        `keyword look-up ${(100 * keywordLookup).toFixed(1)}% (chance 50%)`,
    );
  };
  if (r.init !== undefined) probe("init");
  const phases: PhaseLog[] = [];
  const common = { B: r.batch, T: r.seq, weightDecay: 0.1, maxGradNorm: 1.0 };
  /** The pretraining stream: domain prompts and glosses, with copy examples as a share of the documents. */
  const pretrainStream = () => {
    const texts = pretrainTexts(rows, glosses);
    const pretrainCopies = copyExamples(
      copyGlosses,
      copyCountFor(texts.length, r.pretrainCopyShare),
      rng.fork(),
    );
    const stream = encodeStream(
      tokenizer,
      rng.shuffle([...texts, ...pretrainCopies.map((c) => copyChatText(tokenizer, c))]),
      id("<|eos|>"),
    );
    return { stream, texts, pretrainCopies };
  };
  /**
   * The look-up phase: three quarters of the steps are look-ups, split evenly over the stages of
   * LOOKUP_CURRICULUM, with keywordLookupShare of each stage's examples keyword look-ups of the matching
   * KEYWORD_CURRICULUM stage (the two curricula have as many stages); a quarter stay on the
   * pretraining stream.
   */
  const lookupPhase = (stream: Int32Array) => {
    const stageSteps = Math.ceil((0.75 * r.lookupSteps) / LOOKUP_CURRICULUM.length);
    const stages = LOOKUP_CURRICULUM.map((shape, i) => {
      // enough examples for the stage's batches (short ones pack about 8 to a 256-token row)
      const count = Math.ceil((stageSteps * r.batch * r.seq) / 24);
      const keywordCount = Math.round(count * r.keywordLookupShare);
      const lookups = lookupExamples(copyGlosses, count - keywordCount, rng.fork(), shape, r.lookupAnchor);
      const encoded = lookups.map((c) => encodeLookup(tokenizer, c, r.lookupLetterWeight, r.lookupAnchor));
      if (keywordCount > 0) {
        const keywords = keywordLookupExamples(copyGlosses, keywordCount, rng.fork(), KEYWORD_CURRICULUM[i]);
        for (const c of keywords)
          encoded.push(encodeChatExample(tokenizer, [{ role: "user", content: c.prompt }], c.reply));
      }
      return {
        steps: stageSteps,
        next: packedChatBatches(encoded, r.batch, r.seq, id("<|pad|>"), rng.fork()),
      };
    });
    log(
      `look-up phase: ${r.lookupSteps} steps, stages ${LOOKUP_CURRICULUM.map((c) => `${c.minOptions}-${c.maxOptions}`).join(" -> ")} options, ` +
        `${(100 * r.keywordLookupShare).toFixed(0)}% of the examples keyword look-ups (up to ` +
        `${KEYWORD_CURRICULUM.map((c) => c.maxWords).join(" -> ")} words), ` +
        `a quarter of the steps on the pretraining stream; letter weight ${r.lookupLetterWeight}`,
    );
    phases.push(
      trainPhase(
        model,
        backend,
        interleavedBatches(stagedBatches(stages), streamBatches(stream, r.batch, r.seq, rng.fork()), 0.25),
        {
          name: "lookup",
          steps: r.lookupSteps,
          lr: r.sftLr,
          minLr: r.sftLr / 10,
          warmupSteps: 30,
          ...common,
        },
        log,
      ),
    );
    probe("lookup");
  };
  if (r.init === undefined) {
    const { stream, texts, pretrainCopies } = pretrainStream();
    log(
      `pretraining stream: ${stream.length} tokens (${texts.length} documents + ${pretrainCopies.length} copy examples)`,
    );
    phases.push(
      trainPhase(
        model,
        backend,
        streamBatches(stream, r.batch, r.seq, rng.fork()),
        {
          name: "pretrain",
          steps: r.pretrainSteps,
          lr: r.pretrainLr,
          minLr: r.pretrainLr / 10,
          warmupSteps: 20,
          ...common,
        },
        log,
      ),
    );
    probe("pretrain");
    if (r.lookupSteps > 0) lookupPhase(stream);
  } else if (r.lookupSteps > 0) {
    // a look-up phase continuing the --init model, on the same pretraining stream
    lookupPhase(pretrainStream().stream);
  }

  // 4. SFT, copy examples kept in the mix so that copying is not forgotten
  const domainExamples = sftExamples(tokenizer, rows, r.sftExtraRows, r.seed);
  const sftCopies = copyExamples(
    copyGlosses,
    copyCountFor(domainExamples.length, r.sftCopyShare),
    rng.fork(),
  );
  const lookups =
    r.sftLookupExamples > 0
      ? lookupExamples(copyGlosses, r.sftLookupExamples, rng.fork(), QA_LOOKUP_SHAPE, r.lookupAnchor)
      : [];
  const examples = [
    ...domainExamples,
    ...sftCopies.map((c) => encodeChatExample(tokenizer, [{ role: "user", content: c.prompt }], c.reply)),
    ...lookups.map((c) => encodeLookup(tokenizer, c, r.lookupLetterWeight, r.lookupAnchor)),
  ];
  const replyTokens = examples.reduce((a, e) => a + e.reply.length, 0);
  log(
    `sft: ${examples.length} examples (${sftCopies.length} copy, ${lookups.length} look-up), ${replyTokens} reply tokens`,
  );
  const sftBatches = packedChatBatches(examples, r.batch, r.seq, id("<|pad|>"), rng.fork());
  // Optionally the gloss lines as plain next-token text on a share of the steps: SFT overwrites much of
  // the word knowledge pretraining put in (docs/results.md, tenth round). Off by default: it did not
  // make qa learnable (eleventh round).
  let batches = sftBatches;
  if (r.sftGlossShare > 0) {
    const lines = r.sftFactLines ? qaFactLines() : copyGlosses;
    const glossStream = encodeStream(tokenizer, rng.shuffle([...lines]), id("<|eos|>"));
    batches = interleavedBatches(
      sftBatches,
      streamBatches(glossStream, r.batch, r.seq, rng.fork()),
      r.sftGlossShare,
    );
    log(
      `sft: ${(100 * r.sftGlossShare).toFixed(0)}% of the steps on the ${r.sftFactLines ? "qa fact" : "gloss"} lines (${glossStream.length} tokens)`,
    );
  }
  phases.push(
    trainPhase(
      model,
      backend,
      batches,
      { name: "sft", steps: r.sftSteps, lr: r.sftLr, minLr: r.sftLr / 10, warmupSteps: 30, ...common },
      log,
    ),
  );

  probe("sft");

  // 5. save (bf16) + a log + sample replies
  writeHfModelDir(r.out, config, modelTensors(model), { dtype: "BF16" });
  writeJsonAtomic(join(r.out, "generation_config.json"), {
    bos_token_id: config.bos_token_id,
    eos_token_id: config.eos_token_id,
    pad_token_id: config.pad_token_id,
    do_sample: true,
    temperature: 1.0,
  });
  const seconds = (performance.now() - t0) / 1000;
  writeJsonAtomic(join(r.out, "training_log.json"), {
    recipe: r,
    params: model.numParams(),
    wall_seconds: seconds,
    copy_probe: copyProbe,
    phases: phases.map((p) => ({ ...p, losses: p.losses.map((l) => Math.round(l * 1e4) / 1e4) })),
  });
  log(`saved ${r.out}/ in ${formatDuration(seconds)} total`);
  const samplePrompts = TASK_NAMES.map((t) =>
    tokenizer.encode(
      tokenizer.applyChatTemplate([{ role: "user", content: promptText(rows[t].test[0]!) }], {
        addGenerationPrompt: true,
      }),
      { addSpecialTokens: false },
    ),
  );
  const gens = generate(model, samplePrompts, {
    maxNewTokens: 96,
    temperature: 0,
    eosTokenIds: [id("<|im_end|>"), id("<|eos|>")],
    sampleVocabSize: Math.min(config.vocab_size, tokenizer.vocabSize),
    decode: (ids) => tokenizer.decode(ids, { skipSpecialTokens: true }),
  });
  gens.forEach((g, i) => {
    log(`[${TASK_NAMES[i]}] ${JSON.stringify(g.text)}`);
  });
}

/** What `--help` prints, with the default of each option. */
export function usage(d: BaseRecipe = DEFAULT_BASE_RECIPE): string {
  return `
npm run model:train-base -- [options]        (node dist/src/embedded/train-base.js [options])

Trains the base policy from scratch: tokenizer, pretraining, the option look-up phase, SFT. With no
options it rebuilds the shipped ${d.out} (models/omni-tiny/README.md: command, wall time, losses).

  --out DIR                        where to write the model (${d.out})
  --datasets DIR                   the four domains' splits (${d.datasets})
  --seed N                         ${d.seed}
  --pretrain-steps N               ${d.pretrainSteps}
  --sft-steps N                    ${d.sftSteps} (0 stops after pretraining)
  --sft-extra-rows N               generated SFT rows per domain, disjoint from every split (${d.sftExtraRows})
  --batch N  --seq N               rows per step, tokens per row (${d.batch}, ${d.seq})
  --pretrain-lr LR  --sft-lr LR    (${d.pretrainLr}, ${d.sftLr})
  --pretrain-copy-share F          copy examples' share of the pretraining documents (${d.pretrainCopyShare})
  --sft-copy-share F               copy examples' share of the SFT chat examples (${d.sftCopyShare})
  --sft-gloss-share F              share of SFT steps on the qa facts (${d.sftGlossShare})
  --no-sft-fact-lines              those steps read the raw WordNet gloss lines instead
  --lookup-steps N                 the option look-up phase after pretraining (${d.lookupSteps}; 0 skips it)
  --lookup-anchor question|reply   where a look-up example names its option (${d.lookupAnchor})
  --lookup-letter-weight W         loss weight of a look-up's letter token (${d.lookupLetterWeight})
  --sft-lookup-examples N          look-up examples in the SFT mix (${d.sftLookupExamples})
  --keyword-lookup-share F         keyword look-ups' share of the phase (${d.keywordLookupShare})
  --init DIR                       start from this model (tokenizer, weights); skip pretraining
  --hidden-size D  --intermediate-size F  --layers L  --heads H
                                   another shape, from scratch (${d.hiddenSize}, ${d.intermediateSize}, ${d.layers}, D/64)
`;
}

export function parseRecipe(argv: string[]): BaseRecipe {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: "string" },
      datasets: { type: "string" },
      seed: { type: "string" },
      "pretrain-steps": { type: "string" },
      "sft-steps": { type: "string" },
      "sft-extra-rows": { type: "string" },
      batch: { type: "string" },
      seq: { type: "string" },
      "pretrain-lr": { type: "string" },
      "sft-lr": { type: "string" },
      "pretrain-copy-share": { type: "string" },
      "sft-copy-share": { type: "string" },
      "sft-gloss-share": { type: "string" },
      "sft-fact-lines": { type: "boolean" },
      "no-sft-fact-lines": { type: "boolean" },
      "sft-lookup-examples": { type: "string" },
      "lookup-steps": { type: "string" },
      "lookup-letter-weight": { type: "string" },
      "lookup-anchor": { type: "string" },
      "keyword-lookup-share": { type: "string" },
      "hidden-size": { type: "string" },
      "intermediate-size": { type: "string" },
      layers: { type: "string" },
      heads: { type: "string" },
      init: { type: "string" },
    },
  });
  const d = DEFAULT_BASE_RECIPE;
  const num = (v: string | undefined, dflt: number) => (v === undefined ? dflt : Number(v));
  const size = (name: string, v: string | undefined, dflt: number) => {
    const n = num(v, dflt);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: "${v}" is not a whole number >= 1`);
    return n;
  };
  const rate = (name: string, v: string | undefined, dflt: number) => {
    const n = num(v, dflt);
    if (!(n > 0 && Number.isFinite(n))) throw new Error(`--${name}: "${v}" is not a positive learning rate`);
    return n;
  };
  const keywordLookupShare = num(values["keyword-lookup-share"], d.keywordLookupShare);
  if (!(keywordLookupShare >= 0 && keywordLookupShare <= 1))
    throw new Error(`--keyword-lookup-share: "${values["keyword-lookup-share"]}" is not a share in [0, 1]`);
  const lookupAnchor = values["lookup-anchor"] ?? d.lookupAnchor;
  if (lookupAnchor !== "question" && lookupAnchor !== "reply")
    throw new Error(`--lookup-anchor: "${lookupAnchor}" is not one of question, reply`);
  const shaped = ["hidden-size", "intermediate-size", "layers", "heads"].filter((k) => k in values);
  if (values.init !== undefined && shaped.length > 0)
    throw new Error(`--${shaped[0]} sets the shape of a new model; --init keeps the shape of ${values.init}`);
  const hiddenSize = size("hidden-size", values["hidden-size"], d.hiddenSize);
  if (values["hidden-size"] !== undefined && values.heads === undefined && hiddenSize % HEAD_DIM !== 0)
    throw new Error(
      `--hidden-size ${hiddenSize} is not a multiple of ${HEAD_DIM} (omni-tiny's head size); give --heads`,
    );
  const heads = size(
    "heads",
    values.heads,
    values["hidden-size"] === undefined ? d.heads : hiddenSize / HEAD_DIM,
  );
  if (hiddenSize % heads !== 0)
    throw new Error(`--hidden-size ${hiddenSize} is not a multiple of --heads ${heads}`);
  return {
    ...d,
    out: values.out ?? d.out,
    datasets: values.datasets ?? d.datasets,
    seed: num(values.seed, d.seed),
    pretrainSteps: num(values["pretrain-steps"], d.pretrainSteps),
    sftSteps: num(values["sft-steps"], d.sftSteps),
    sftExtraRows: num(values["sft-extra-rows"], d.sftExtraRows),
    batch: num(values.batch, d.batch),
    seq: num(values.seq, d.seq),
    pretrainLr: rate("pretrain-lr", values["pretrain-lr"], d.pretrainLr),
    sftLr: rate("sft-lr", values["sft-lr"], d.sftLr),
    pretrainCopyShare: num(values["pretrain-copy-share"], d.pretrainCopyShare),
    sftCopyShare: num(values["sft-copy-share"], d.sftCopyShare),
    sftGlossShare: num(values["sft-gloss-share"], d.sftGlossShare),
    sftFactLines: values["no-sft-fact-lines"] ? false : (values["sft-fact-lines"] ?? d.sftFactLines),
    sftLookupExamples: num(values["sft-lookup-examples"], d.sftLookupExamples),
    lookupSteps: num(values["lookup-steps"], d.lookupSteps),
    lookupLetterWeight: num(values["lookup-letter-weight"], d.lookupLetterWeight),
    lookupAnchor,
    keywordLookupShare,
    hiddenSize,
    intermediateSize: size("intermediate-size", values["intermediate-size"], d.intermediateSize),
    layers: size("layers", values.layers, d.layers),
    heads,
    ...(values.init !== undefined ? { init: values.init } : {}),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const recipe = parseCommandLine("train-base", usage(), process.argv.slice(2), parseRecipe);
  console.log(`train-base: ${JSON.stringify(recipe)}`);
  await trainBase(recipe);
}
