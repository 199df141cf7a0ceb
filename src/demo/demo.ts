// The `omni-thinker demo`: train a small byte-level Llama on WordNet glosses for a fixed time, sample
// from it, save it as a Hugging Face model directory, load it back and check that the same seed gives
// the same samples. It exercises the engine end to end: native kernels, AdamW, the KV-cache sampler,
// safetensors, config.json and the tokenizer files.

import { AdamW } from "../engine/adamw.js";
import { loadBackend } from "../engine/load-backend.js";
import { Rng } from "../engine/rng.js";
import { ByteTokenizer } from "../models/byte-tokenizer.js";
import { type LlamaConfig, makeConfig } from "../models/config.js";
import { readHfModelDir, writeHfModelDir } from "../models/hf-model.js";
import { LlamaModel } from "../models/llama.js";
import type { Tensor } from "../models/safetensors.js";
import { type Generation, generate, type SamplingOptions } from "../models/sampler.js";
import { loadTokenizer, type TextTokenizer } from "../models/tokenizer.js";
import { formatDuration, Progress } from "../util/progress.js";
import { readWordnetGlosses } from "./wordnet-corpus.js";

export interface DemoSize {
  config: Parameters<typeof makeConfig>[0];
  batch: number;
  seq: number;
  /** Use every n-th WordNet synset (1 = all 117k glosses, ~10 MB). */
  corpusEvery: number;
}

const BYTE_VOCAB = 512; // 256 bytes + 3 specials, rounded up to a GEMM-friendly size

/** "S" is the benchmark's small shape; "tiny" is for quick tests. */
export const DEMO_SIZES: Record<"S" | "tiny", DemoSize> = {
  S: {
    config: {
      vocab_size: BYTE_VOCAB,
      hidden_size: 256,
      intermediate_size: 1024,
      num_hidden_layers: 4,
      num_attention_heads: 4,
      max_position_embeddings: 128,
    },
    batch: 8,
    seq: 128,
    corpusEvery: 1,
  },
  tiny: {
    config: {
      vocab_size: BYTE_VOCAB,
      hidden_size: 64,
      intermediate_size: 192,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      max_position_embeddings: 128,
    },
    batch: 4,
    seq: 64,
    corpusEvery: 10,
  },
};

/** Words whose definitions the demo asks for, after training. */
export const DEMO_WORDS = ["water", "music", "to run", "small", "a teacher"];

/** How the demo samples (also used by tests to re-sample a saved model). */
export function demoSampling(tokenizer: TextTokenizer, seed: number): SamplingOptions {
  return {
    maxNewTokens: 80,
    temperature: 0.8,
    topK: 40,
    seed,
    stop: ["\n"],
    eosTokenIds: tokenizer.eosTokenId === null ? [] : [tokenizer.eosTokenId],
    sampleVocabSize: tokenizer.vocabSize, // the embedding table is padded to 512; never sample its unused rows
    decode: (ids) => tokenizer.decode(ids),
  };
}

/** Each prompt is a line start ("\n") then "word: ", in the corpus's "lemma: gloss" format. */
export function demoPrompts(tokenizer: TextTokenizer): number[][] {
  return DEMO_WORDS.map((w) => tokenizer.encode(`\n${w}: `, { addSpecialTokens: false }));
}

export interface DemoOptions {
  seconds: number;
  out: string;
  size: keyof typeof DEMO_SIZES;
  seed: number;
  lr: number;
  /** Progress and sample lines go here (stderr for progress, stdout for results). */
  log?: (line: string) => void;
  progressStream?: NodeJS.WriteStream;
}

export interface DemoSample {
  prompt: string;
  text: string;
  tokens: number[];
}

export interface DemoResult {
  steps: number;
  tokensTrained: number;
  seconds: number;
  /** Mean training loss over the first and the last (up to) 10 steps. */
  firstLoss: number;
  lastLoss: number;
  losses: number[];
  samples: DemoSample[];
  reloadedSamples: DemoSample[];
  identical: boolean;
  out: string;
  config: LlamaConfig;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

function toSamples(gens: Generation[]): DemoSample[] {
  return gens.map((g, i) => ({ prompt: `${DEMO_WORDS[i]}: `, text: g.text ?? "", tokens: g.tokens }));
}

export function runDemo(opts: DemoOptions): DemoResult {
  const log = opts.log ?? ((line: string) => console.log(line));
  const size = DEMO_SIZES[opts.size];
  const config = makeConfig({ ...size.config, bos_token_id: 256, eos_token_id: 257, pad_token_id: 258 });
  const tokenizer = new ByteTokenizer();
  const backend = loadBackend();
  const model = LlamaModel.create(config, { seed: opts.seed, backend });
  const info = backend.info();
  log(
    `model: ${(model.numParams() / 1e6).toFixed(2)}M params (${config.num_hidden_layers} layers, d=${config.hidden_size}, ` +
      `vocab ${config.vocab_size}); backend ${info.backend} (GEMM: ${info.gemm}); batch ${size.batch}x${size.seq}`,
  );

  // corpus: WordNet "lemma: gloss" lines in a seeded order, as one byte stream
  const rng = new Rng(opts.seed);
  const glosses = rng.shuffle(readWordnetGlosses({ every: size.corpusEvery }));
  // ByteTokenizer ids 0..255 are the UTF-8 bytes themselves (the glosses hold no special-token text)
  const corpus = new TextEncoder().encode(`${glosses.join("\n")}\n`);
  log(
    `corpus: ${glosses.length} WordNet glosses, ${(corpus.length / 1e6).toFixed(1)} MB; training for ${opts.seconds}s`,
  );

  // train: random windows of the corpus, next-byte prediction, AdamW with warmup then cosine (by time)
  const { batch: B, seq: T } = size;
  const tokens = new Int32Array(B * T);
  const targets = new Int32Array(B * T);
  const optimizer = new AdamW(model.params, backend, { beta1: 0.9, beta2: 0.95, weightDecay: 0.1 });
  const warmupSteps = 20;
  const progress = new Progress({ label: "train", total: opts.seconds, stream: opts.progressStream });
  const losses: number[] = [];
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < opts.seconds || losses.length === 0) {
    for (let b = 0; b < B; b++) {
      const at = rng.int(corpus.length - T - 1);
      for (let t = 0; t < T; t++) {
        tokens[b * T + t] = corpus[at + t]!;
        targets[b * T + t] = corpus[at + t + 1]!;
      }
    }
    const step = losses.length + 1;
    const timeLeft = Math.max(0, 1 - elapsed / opts.seconds);
    const lr =
      opts.lr *
      Math.min(1, step / warmupSteps) *
      (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * (1 - timeLeft))));
    model.zeroGrad();
    losses.push(model.trainStepLoss(tokens, targets, B, T));
    optimizer.update(lr, 1.0);
    elapsed = (performance.now() - start) / 1000;
    const tokS = (step * B * T) / elapsed;
    progress.set(
      Math.min(opts.seconds, Math.floor(elapsed)),
      `step ${step} loss ${losses.at(-1)!.toFixed(3)} lr ${lr.toExponential(1)} ${Math.round(tokS)} tok/s`,
    );
  }
  progress.finish();
  const firstLoss = mean(losses.slice(0, 10));
  const lastLoss = mean(losses.slice(-10));
  log(
    `trained ${losses.length} steps (${losses.length * B * T} tokens) in ${formatDuration(elapsed)}: ` +
      `loss ${firstLoss.toFixed(3)} (first 10 steps) -> ${lastLoss.toFixed(3)} (last 10)`,
  );

  // sample, save, reload, sample again with the same seed
  const sampling = demoSampling(tokenizer, opts.seed);
  const samples = toSamples(generate(model, demoPrompts(tokenizer), sampling));
  log("\nsamples (temperature 0.8, top-k 40):");
  for (const s of samples) log(`  ${s.prompt}${s.text}`);

  const tensors = new Map<string, Tensor>();
  for (const p of model.params.values()) tensors.set(p.name, { shape: p.shape, data: p.data });
  writeHfModelDir(opts.out, config, tensors);
  tokenizer.writeHfFiles(opts.out);
  log(`\nsaved ${opts.out}/ (config.json, model.safetensors, tokenizer.json, tokenizer_config.json)`);

  const loaded = readHfModelDir(opts.out);
  const reloadedTokenizer = loadTokenizer(opts.out);
  const reloaded = LlamaModel.fromTensors(loaded.config, loaded.tensors, { backend });
  const reloadedSamples = toSamples(
    generate(reloaded, demoPrompts(reloadedTokenizer), demoSampling(reloadedTokenizer, opts.seed)),
  );
  const identical = samples.every(
    (s, i) =>
      s.text === reloadedSamples[i]!.text &&
      s.tokens.length === reloadedSamples[i]!.tokens.length &&
      s.tokens.every((t, j) => t === reloadedSamples[i]!.tokens[j]),
  );
  log(
    identical
      ? `reloaded ${opts.out}/ with its own tokenizer files: the same seed gives identical samples`
      : `reloaded ${opts.out}/: samples DIFFER from the ones before saving`,
  );
  return {
    steps: losses.length,
    tokensTrained: losses.length * B * T,
    seconds: elapsed,
    firstLoss,
    lastLoss,
    losses,
    samples,
    reloadedSamples,
    identical,
    out: opts.out,
    config,
  };
}
