// Recipe for models/omni-tiny-judge: omni-tiny fine-tuned as an MT-Bench-style pairwise judge for the
// writing domain. Prompts: the writing sft split plus extra writing prompts disjoint from every split.
// Pairs: edited references at several quality gaps (judge-pairs.ts) and the base policy's own answers
// against the reference (policy-answers.ts), labelled by the rubric (judge-rubric.ts), each shown in
// both orders. Training runs in rounds: the first from the base, each later one from the previous
// round's weights on pairs drawn anew with the next seed. Then measured on held-out pairs from the test
// split (eval-judge.ts). The options are in usage() below (`npm run model:train-judge -- --help`).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { isDeepStrictEqual, parseArgs } from "node:util";
import { loadBackend } from "../engine/load-backend.js";
import { Rng } from "../engine/rng.js";
import { LocalChatModel } from "../models/chat-model.js";
import { deepenModel } from "../models/deepen.js";
import { writeHfModelDir } from "../models/hf-model.js";
import { loadPretrained } from "../models/pretrained.js";
import type { TextTokenizer } from "../models/tokenizer.js";
import { LocalChatBackend } from "../rewards/judge/local-backend.js";
import { SPLITS } from "../tasks/schema.js";
import { writeJsonAtomic } from "../util/atomic.js";
import { parseCommandLine } from "../util/cli.js";
import { formatDuration } from "../util/progress.js";
import { extraSftRows, loadDomainRows } from "./corpus.js";
import { DEFAULT_JUDGE_EVAL, evaluateJudge, formatJudgeEval } from "./eval-judge.js";
import {
  BANDS,
  type Band,
  fluencyModel,
  type JudgePair,
  judgeMessages,
  pairsFor,
  policyPairs,
  REPLY_STYLES,
  type ReplyStyle,
  swapped,
  targetReply,
  writingInfo,
} from "./judge-pairs.js";
import { CHECKS, type Check, decidingCheck } from "./judge-rubric.js";
import { policyAnswers } from "./policy-answers.js";
import { modelTensors } from "./train-base.js";
import { encodeChatExample, type PhaseLog, packedChatBatches, trainPhase } from "./train-loop.js";

export interface JudgeRecipe {
  /** The model the judge is fine-tuned from. */
  base: string;
  /**
   * The policy whose answers the judge learns to rate against the reference, and is measured on: the
   * model the writing reward will judge. Undefined = the base (the judge starts from the policy).
   */
  policy?: string;
  out: string;
  datasets: string;
  seed: number;
  steps: number;
  batch: number;
  seq: number;
  lr: number;
  pairsPerPrompt: number;
  /** Writing prompts beyond the sft split, disjoint from every split (corpus.ts extraSftRows). */
  extraPrompts: number;
  /**
   * Loss weight of the reply's first token, which decides the verdict ("A ...", "B ...", "Both ...");
   * the rest of the reply follows from it almost deterministically, so an unweighted mean spends most
   * of the gradient on easy tokens.
   */
  decisionWeight: number;
  /**
   * Answers of the base policy per training prompt (the first greedy, the rest sampled), each paired
   * with the reference (policy-answers.ts); 0 = none.
   */
  policySamples: number;
  /**
   * Depth up-scaling of the judge (src/models/deepen.ts): each of the base's layers repeated D times
   * before fine-tuning, the repeats starting as no-ops; 1 = the base's own depth. The policy answers
   * and the evaluation's policy stay the base.
   */
  depth: number;
  /**
   * Pack training examples so that each sees only itself (train-loop.ts packedChatBatches `isolate`),
   * as the judge does at inference, instead of attending to the examples packed before it in its row.
   */
  isolateExamples: boolean;
  /** Keep each pair and its swap next to each other, so that both orders land in the same batch. */
  pairedBatches: boolean;
  /**
   * Lookahead of the packer (train-loop.ts packedChatBatches `fill`): a row looks at up to this many
   * later examples for one that fits its remaining tokens; 0 = strict order (a 384-token row then
   * holds one judge example of about 216 tokens, rarely two).
   */
  fill: number;
  /** The gap bands training pairs are drawn from (judge-pairs.ts pairsFor); the policy's pairs always. */
  bands: Band[];
  /**
   * Oversampling of edited pairs by the rubric check that decides them (judge-rubric.ts decidingCheck,
   * or "tie"; selectByCheck). Undefined = every pair as drawn, the recipe of the shipped judge.
   */
  checkWeights?: CheckWeights;
  /**
   * The target reply (judge-pairs.ts targetReply): undefined = "verdict", the verdict's first token
   * deciding (the judges before 2026-12-07); "scored" states both answers' rubric totals first,
   * "listed" (the shipped judge's) copies the prompt's required words first; the decision weight goes
   * to the verdict's first token after them (and to the totals' digits).
   */
  reply?: ReplyStyle;
  /**
   * Rounds after the first (`steps` at `lr`): each continues from the previous round's saved weights
   * with a fresh optimizer, on pairs drawn anew with the next seed (seed + 1, seed + 2, ...): other
   * extra prompts, other candidate edits, other policy samples. More data, not more passes over it.
   */
  continuations: JudgeContinuation[];
}

/** Relative sampling weight of edited pairs per deciding check; checks not named weigh 1. */
export type CheckWeights = Partial<Record<Check | "tie", number>>;

/**
 * Edited pairs drawn `ceil(max weight)` times over, each kept with probability weight / max: the
 * pairs decided by a heavier check come that many times as often as the others, per prompt.
 */
export function selectByCheck(pairs: JudgePair[], weights: CheckWeights, rng: Rng): JudgePair[] {
  const max = maxCheckWeight(weights);
  return pairs.filter((p) => rng.next() < (weights[decidingCheck(p.scoreA, p.scoreB)] ?? 1) / max);
}

/** The largest weight, at least 1 (the weight of an unnamed check). */
export function maxCheckWeight(weights: CheckWeights): number {
  return Math.max(1, ...Object.values(weights).map(Number));
}

/** `--check-weights keywords=3,tie=2`: deciding checks and their positive weights. */
export function parseCheckWeights(text: string): CheckWeights {
  const names = [...CHECKS, "tie"];
  const out: CheckWeights = {};
  for (const part of text.split(",")) {
    const [name = "", value = ""] = part.split("=").map((x) => x.trim());
    const w = Number(value);
    if (!names.includes(name) || !(Number.isFinite(w) && w > 0))
      throw new Error(
        `--check-weights: "${part}" is not CHECK=W with CHECK one of ${names.join(", ")} and W > 0`,
      );
    out[name as Check | "tie"] = w;
  }
  return out;
}

export interface JudgeContinuation {
  steps: number;
  /** Peak lr; the cosine ends at a tenth of it. */
  lr: number;
  /**
   * This round's row length, packer lookahead, pair bands, policy samples per prompt, batching of a
   * pair with its swap and isolated packing, where they differ from the recipe's.
   */
  seq?: number;
  fill?: number;
  bands?: Band[];
  policySamples?: number;
  pairedBatches?: boolean;
  isolateExamples?: boolean;
}

/** The defaults are the run recorded in models/omni-tiny-judge/README.md. */
export const DEFAULT_JUDGE_RECIPE: JudgeRecipe = {
  base: "models/omni-tiny",
  out: "models/omni-tiny-judge",
  datasets: "datasets",
  seed: 0,
  steps: 5000,
  batch: 6,
  seq: 448,
  lr: 1e-3,
  pairsPerPrompt: 4,
  extraPrompts: 20000,
  decisionWeight: 8,
  policySamples: 2,
  depth: 1,
  isolateExamples: false,
  pairedBatches: false,
  fill: 8,
  bands: [...BANDS],
  reply: "listed",
  continuations: [{ steps: 5000, lr: 3e-4 }],
};

export async function trainJudge(
  r: JudgeRecipe,
  log: (line: string) => void = console.log,
  /** With --resume: the rounds a stopped run of this recipe finished (finishedRounds). */
  earlier: FinishedRounds = NONE_FINISHED,
): Promise<void> {
  const t0 = performance.now();
  const logPath = join(r.out, "training_log.json");
  const rounds = [{ steps: r.steps, lr: r.lr }, ...r.continuations];
  const phases: RoundLog[] = [...earlier.phases];
  if (phases.length > 0)
    log(`resuming ${r.out}: ${phases.length} of ${rounds.length} rounds already trained`);
  const rows = await loadDomainRows(r.datasets);
  const lm = fluencyModel(rows.writing.train);
  const backend = loadBackend();
  const policyDir = r.policy ?? r.base;
  const shared: RoundContext = { rows, lm, backend, policyDir, log };
  const trainSeconds = () => earlier.seconds + (performance.now() - t0) / 1000;
  for (let k = phases.length; k < rounds.length; k++) {
    // each round after the first starts from the previous one as saved (bf16), with a fresh optimizer
    const from = k === 0 ? r.base : r.out;
    if (rounds.length > 1) log(`judge round ${k + 1} of ${rounds.length}: from ${from}, seed ${r.seed + k}`);
    phases.push(await trainRound(r, k, rounds[k]!, from, shared));
    // written after every round, so that a run stopped later keeps this one (--resume goes on from it)
    writeJsonAtomic(logPath, { recipe: r, train_wall_seconds: trainSeconds(), phases });
  }
  log(`saved ${r.out}/ after ${formatDuration(trainSeconds())}`);

  // measure the saved model (bf16 weights, as shipped), in-process
  const judge = new LocalChatBackend(LocalChatModel.load(r.out));
  const policy = LocalChatModel.load(policyDir, { maxBatchRows: 64 });
  const result = await evaluateJudge(judge, rows.writing, DEFAULT_JUDGE_EVAL, policy);
  log(formatJudgeEval(result));
  writeJsonAtomic(join(r.out, "judge_eval.json"), {
    ...DEFAULT_JUDGE_EVAL,
    via: "in-process",
    policyModel: policyDir,
    ...result,
  });
}

/**
 * The rounds a stopped run finished, from its training_log.json: only if that log was written by
 * this same recipe (else resuming would mix two recipes in one judge), and no more rounds than it has.
 */
export function finishedRounds(path: string, r: JudgeRecipe): FinishedRounds {
  if (!existsSync(path)) return NONE_FINISHED;
  let logged: { recipe?: Record<string, unknown>; phases?: RoundLog[]; train_wall_seconds?: number };
  try {
    logged = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`--resume: ${path} is not valid JSON (${(e as Error).message})`);
  }
  const recipe = r as unknown as Record<string, unknown>;
  for (const key of new Set([...Object.keys(recipe), ...Object.keys(logged.recipe ?? {})])) {
    if (!isDeepStrictEqual(logged.recipe?.[key], recipe[key]))
      throw new Error(
        `--resume: ${path} was written by another recipe (${key}: ${JSON.stringify(logged.recipe?.[key])} there, ${JSON.stringify(recipe[key])} here)`,
      );
  }
  const phases = logged.phases ?? [];
  if (!Array.isArray(phases) || phases.length > 1 + r.continuations.length)
    throw new Error(
      `--resume: ${path} lists ${phases.length} rounds; the recipe has ${1 + r.continuations.length}`,
    );
  return { phases, seconds: logged.train_wall_seconds ?? 0 };
}

/** The rounds of a recipe already trained, and their training time in seconds. */
export interface FinishedRounds {
  phases: RoundLog[];
  seconds: number;
}

const NONE_FINISHED: FinishedRounds = { phases: [], seconds: 0 };

/** What every round reads: the datasets, the fluency model, the engine and the policy to sample. */
interface RoundContext {
  rows: Awaited<ReturnType<typeof loadDomainRows>>;
  lm: ReturnType<typeof fluencyModel>;
  backend: ReturnType<typeof loadBackend>;
  policyDir: string;
  log: (line: string) => void;
}

/** One round's data and loss curve, as training_log.json records it. */
export interface RoundLog extends PhaseLog {
  round: number;
  seed: number;
  from: string;
  pairs: number;
  bands: Record<string, number>;
  verdicts: Record<string, number>;
}

/**
 * One round: pairs drawn with the round's seed (new extra prompts, new candidate edits, new policy
 * samples), fine-tuned from `from`, saved to the recipe's output directory in bf16.
 */
async function trainRound(
  r: JudgeRecipe,
  k: number,
  round: JudgeContinuation,
  from: string,
  { rows, lm, backend, policyDir, log }: RoundContext,
): Promise<RoundLog> {
  const seed = r.seed + k;
  const rng = new Rng(seed);
  const seq = round.seq ?? r.seq;
  const fill = round.fill ?? r.fill;
  const pairBands = round.bands ?? r.bands;
  const policySamples = round.policySamples ?? r.policySamples;
  const pairedBatches = round.pairedBatches ?? r.pairedBatches;
  const isolate = round.isolateExamples ?? r.isolateExamples;
  const taken = SPLITS.flatMap((s) => rows.writing[s]);
  const prompts = [...rows.writing.sft, ...extraSftRows("writing", r.extraPrompts, seed, taken)];
  const others = prompts.map((row) => writingInfo(row).reference);
  const start = loadPretrained(from, { backend });
  const { tokenizer } = start;
  // the policy's own answers (sampled before training changes any weights)
  const answers =
    policySamples > 0
      ? await policyAnswers(policyModel(policyDir, from, start), prompts, {
          samples: policySamples,
          maxTokens: 64,
          seed,
        })
      : [];
  const pairs: JudgePair[] = [];
  const overdraw = r.checkWeights ? Math.ceil(maxCheckWeight(r.checkWeights)) : 1; // selectByCheck's draw
  prompts.forEach((row, i) => {
    const edited = pairsFor(row, others, lm, rng, r.pairsPerPrompt * overdraw, pairBands);
    pairs.push(...(r.checkWeights ? selectByCheck(edited, r.checkWeights, rng) : edited));
    if (answers[i]) pairs.push(...policyPairs(row, answers[i]!, lm, rng));
  });
  const model = k === 0 && r.depth > 1 ? deepenModel(start.model, r.depth) : start.model;
  if (k === 0 && r.depth > 1)
    log(`judge depth: ${model.config.num_hidden_layers} layers (the base's, each repeated ${r.depth}x)`);
  const bands: Record<string, number> = {};
  const verdicts: Record<string, number> = {};
  const checks: Record<string, number> = {};
  for (const p of pairs) {
    bands[p.band] = (bands[p.band] ?? 0) + 1;
    verdicts[p.verdict] = (verdicts[p.verdict] ?? 0) + 1;
    const check = decidingCheck(p.scoreA, p.scoreB);
    checks[check] = (checks[check] ?? 0) + 1;
  }
  log(
    `judge pairs: ${pairs.length} from ${prompts.length} prompts (sft split + extra); bands ${JSON.stringify(bands)}; deciding checks ${JSON.stringify(checks)}`,
  );

  const examples = pairs.flatMap((p) =>
    [p, swapped(p)].map((q) => {
      const example = encodeChatExample(tokenizer, judgeMessages(q), targetReply(q, r.reply));
      example.replyWeights = decisionWeights(tokenizer, example.reply, r.reply, r.decisionWeight);
      return example;
    }),
  );
  log(
    `judge examples: ${examples.length} (both orders); first reply: ${JSON.stringify(targetReply(pairs[0]!, r.reply))}`,
  );
  const phase = trainPhase(
    model,
    backend,
    packedChatBatches(examples, r.batch, seq, tokenizer.padTokenId ?? 0, rng.fork(), {
      isolate,
      groupSize: pairedBatches ? 2 : 1, // examples are [pair, its swap] in turn
      fill,
    }),
    {
      name: r.continuations.length > 0 ? `judge-sft ${k + 1}/${1 + r.continuations.length}` : "judge-sft",
      steps: round.steps,
      lr: round.lr,
      minLr: round.lr / 10,
      warmupSteps: 10,
      B: r.batch,
      T: seq,
      weightDecay: 0.1,
      maxGradNorm: 1.0,
    },
    log,
  );
  writeHfModelDir(r.out, model.config, modelTensors(model), { dtype: "BF16", tokenizerDir: r.base });
  return {
    round: k + 1,
    seed,
    from,
    pairs: pairs.length,
    bands,
    verdicts,
    ...phase,
    losses: phase.losses.map((l) => Math.round(l * 1e4) / 1e4),
  };
}

/**
 * Loss weights of one encoded reply (its tokens, <|im_end|> included): `w` on the tokens that decide
 * the verdict, 1 on the rest. "verdict": the first token ("A", "B", "Both"). "scored" ("A 62, B 48. B
 * uses ..."): the four digits of the totals and the verdict's first token after the period. "listed"
 * ("Required words: hit, ball. B uses ..."): the verdict's first token after the period.
 */
export function decisionWeights(
  tokenizer: TextTokenizer,
  reply: readonly number[],
  style: ReplyStyle | undefined,
  w: number,
): number[] {
  if ((style ?? "verdict") === "verdict") return reply.map((_, i) => (i === 0 ? w : 1));
  const text = reply.map((id) => tokenizer.decode([id]));
  const period = text.indexOf(".");
  if (style === "listed") {
    if (period < 0)
      throw new Error(
        `a listed reply must open "Required words: ... .", got ${JSON.stringify(text.join(""))}`,
      );
    return text.map((_, i) => (i === period + 1 ? w : 1));
  }
  const digits = text.slice(0, period).filter((t) => /^\d$/.test(t)).length;
  if (period < 0 || digits !== 4)
    throw new Error(
      `a scored reply must open "A dd, B dd." in single-digit tokens, got ${JSON.stringify(text.join(""))}`,
    );
  return text.map((t, i) => (i === period + 1 || (i < period && /^\d$/.test(t)) ? w : 1));
}

/** The policy to sample: the already loaded base itself, or another model directory. */
function policyModel(dir: string, baseDir: string, base: ReturnType<typeof loadPretrained>): LocalChatModel {
  return dir === baseDir
    ? new LocalChatModel(base, { maxBatchRows: 64 })
    : LocalChatModel.load(dir, { maxBatchRows: 64 });
}

/**
 * `--continuations 7000:3e-4,7000:3e-4:seq=448:fill=8:bands=medium+small+tie:samples=1:paired:isolate`
 * (per round after the first: steps:lr, then optional overrides of the recipe's seq, fill, bands,
 * policy samples, paired batches and isolated packing), or `none`.
 */
export function parseContinuations(text: string): JudgeContinuation[] {
  if (text.trim() === "none") return [];
  return text.split(",").map((part) => {
    const [stepsText, lrText, ...overrides] = part.split(":");
    const steps = Number(stepsText);
    const lr = Number(lrText);
    if (!(Number.isInteger(steps) && steps > 0 && Number.isFinite(lr) && lr > 0))
      throw new Error(
        `--continuations: "${part}" is not STEPS:LR[:seq=T][:fill=N][:bands=B+B][:samples=K][:paired][:isolate] (e.g. 7000:3e-4), or the whole value "none"`,
      );
    const round: JudgeContinuation = { steps, lr };
    for (const o of overrides) {
      const [key, value = ""] = o.split("=");
      const n = Number(value);
      if (key === "bands") round.bands = parseBands(value.replaceAll("+", ","));
      else if (o === "paired") round.pairedBatches = true;
      else if (o === "isolate") round.isolateExamples = true;
      else if (key === "samples" && Number.isInteger(n) && n >= 0 && value !== "") round.policySamples = n;
      else if ((key === "seq" || key === "fill") && Number.isInteger(n) && n >= (key === "seq" ? 1 : 0))
        round[key] = n;
      else
        throw new Error(
          `--continuations: "${o}" in "${part}" is not seq=T, fill=N, bands=B+B, samples=K, paired or isolate`,
        );
    }
    return round;
  });
}

/** `--reply scored`: a reply style by name. */
export function parseReplyStyle(text: string): ReplyStyle {
  if (!(REPLY_STYLES as readonly string[]).includes(text))
    throw new Error(`--reply: "${text}" is not a reply style (${REPLY_STYLES.join(", ")})`);
  return text as ReplyStyle;
}

/** `--bands medium,small,tie`: gap bands by name. */
export function parseBands(text: string): Band[] {
  const bands = text.split(",").map((b) => b.trim());
  for (const b of bands) {
    if (!(BANDS as readonly string[]).includes(b))
      throw new Error(`--bands: "${b}" is not a gap band (${BANDS.join(", ")})`);
  }
  return bands as Band[];
}

/** What `--help` prints, with the default of each option. */
export function usage(d: JudgeRecipe = DEFAULT_JUDGE_RECIPE): string {
  const rounds = d.continuations.map((c) => `${c.steps}:${c.lr}`).join(",") || "none";
  return `
npm run model:train-judge -- [options]        (node dist/src/embedded/train-judge.js [options])

Fine-tunes a base policy into the writing domain's pairwise judge, on pairs labelled by the rubric,
then measures it on held-out pairs. With no options it fine-tunes ${d.base} into
${d.out} with the recipe of the shipped judge (models/omni-tiny-judge/README.md: its
base, wall time, agreement).

  --base DIR                    the model to fine-tune (${d.base})
  --policy DIR                  whose answers the policy pairs use (the base)
  --out DIR                     where to write the judge (${d.out})
  --datasets DIR                the four domains' splits (${d.datasets})
  --seed N                      ${d.seed}; round k draws its pairs with seed + k
  --steps N  --lr LR            the first round (${d.steps}, ${d.lr})
  --continuations STEPS:LR,...  later rounds, each on new pairs (${rounds}; none for one round);
                                each may add :seq=T :fill=N :bands=B+B :samples=K :paired :isolate
  --extra-prompts N             writing prompts beyond the sft split (${d.extraPrompts})
  --decision-weight W           loss weight of the verdict's first token (${d.decisionWeight})
  --policy-samples K            the policy's answers per prompt, paired with the reference (${d.policySamples})
  --depth D                     repeat each base layer D times before fine-tuning (${d.depth})
  --isolate-examples            each packed example attends only to itself
  --paired-batches              a pair and its swap in the same batch
  --seq T  --fill N             tokens per row, packer lookahead (${d.seq}, ${d.fill})
  --bands B,...                 gap bands of the edited pairs (${d.bands.join(",")})
  --reply verdict|scored|listed the target reply: the verdict first, both answers' rubric totals
                                first ("A 62, B 48. A uses ... [[A]]"), or the required words copied
                                first ("Required words: hit, ball. A uses ... [[A]]") (${d.reply ?? "verdict"})
  --check-weights C=W,...       oversample edited pairs by the check deciding them, e.g. keywords=3,tie=2
                                (checks: ${[...CHECKS, "tie"].join(", ")}; unnamed weigh 1; default none)
  --resume                      go on from the last round DIR/training_log.json records as finished
                                (the same options as the stopped run)
`;
}

/** The recipe from command-line arguments: DEFAULT_JUDGE_RECIPE with the options given. */
export function parseJudgeRecipe(args: string[]): JudgeRecipe {
  const { values } = parseArgs({
    args,
    options: {
      base: { type: "string" },
      policy: { type: "string" },
      out: { type: "string" },
      datasets: { type: "string" },
      seed: { type: "string" },
      steps: { type: "string" },
      lr: { type: "string" },
      continuations: { type: "string" },
      "extra-prompts": { type: "string" },
      "decision-weight": { type: "string" },
      "policy-samples": { type: "string" },
      depth: { type: "string" },
      "isolate-examples": { type: "boolean" },
      "paired-batches": { type: "boolean" },
      seq: { type: "string" },
      fill: { type: "string" },
      bands: { type: "string" },
      "check-weights": { type: "string" },
      reply: { type: "string" },
    },
  });
  const d = DEFAULT_JUDGE_RECIPE;
  const num = (name: string, v: string | undefined, fallback: number): number => {
    if (v === undefined) return fallback;
    const x = Number(v);
    if (!Number.isFinite(x)) throw new Error(`--${name}: "${v}" is not a number`);
    return x;
  };
  // row length and lookahead: whole numbers, as the --continuations overrides require
  const count = (name: string, v: string | undefined, fallback: number, min: number): number => {
    const x = num(name, v, fallback);
    if (!(Number.isInteger(x) && x >= min))
      throw new Error(`--${name}: "${v}" is not a whole number >= ${min}`);
    return x;
  };
  return checkPacking({
    ...d,
    base: values.base ?? d.base,
    ...(values.policy ? { policy: values.policy } : {}),
    out: values.out ?? d.out,
    datasets: values.datasets ?? d.datasets,
    seed: num("seed", values.seed, d.seed),
    steps: num("steps", values.steps, d.steps),
    lr: num("lr", values.lr, d.lr),
    continuations: values.continuations ? parseContinuations(values.continuations) : d.continuations,
    extraPrompts: num("extra-prompts", values["extra-prompts"], d.extraPrompts),
    decisionWeight: num("decision-weight", values["decision-weight"], d.decisionWeight),
    policySamples: num("policy-samples", values["policy-samples"], d.policySamples),
    depth: num("depth", values.depth, d.depth),
    isolateExamples: values["isolate-examples"] ?? d.isolateExamples,
    pairedBatches: values["paired-batches"] ?? d.pairedBatches,
    seq: count("seq", values.seq, d.seq, 1),
    fill: count("fill", values.fill, d.fill, 0),
    bands: values.bands ? parseBands(values.bands) : d.bands,
    ...(values["check-weights"] ? { checkWeights: parseCheckWeights(values["check-weights"]) } : {}),
    ...(values.reply ? { reply: parseReplyStyle(values.reply) } : {}),
  });
}

/**
 * The recipe, if every round's packing can run: the packer's lookahead moves single examples, so it
 * cannot keep a pair beside its swap (checked here, before minutes of sampling the policy).
 */
function checkPacking(r: JudgeRecipe): JudgeRecipe {
  [{ steps: r.steps, lr: r.lr }, ...r.continuations].forEach((round: JudgeContinuation, k) => {
    if ((round.pairedBatches ?? r.pairedBatches) && (round.fill ?? r.fill) > 0)
      throw new Error(
        `round ${k + 1}: paired batches need fill 0 (the lookahead packs single examples); got fill ${round.fill ?? r.fill}`,
      );
  });
  return r;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { recipe, earlier } = parseCommandLine("train-judge", usage(), process.argv.slice(2), (args) => {
    const recipe = parseJudgeRecipe(args.filter((a) => a !== "--resume"));
    // read here, so that a log it cannot go on from ends the process with one line
    const earlier = args.includes("--resume")
      ? finishedRounds(join(recipe.out, "training_log.json"), recipe)
      : undefined;
    return { recipe, earlier };
  });
  console.log(`train-judge: ${JSON.stringify(recipe)}`);
  await trainJudge(recipe, console.log, earlier);
}
