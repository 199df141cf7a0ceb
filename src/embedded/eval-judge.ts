// Measures a pairwise judge on held-out writing pairs labelled by the rubric, through any ChatBackend
// (the in-process model, or an OpenAI-compatible server):
//   agreement      share of judgments (each pair in both orders) whose verdict equals the rubric's;
//   flip rate      share of pairs whose two orders disagree once A/B are swapped back;
//   per pair       agreement of the verdict the writing reward acts on: both orders combined, a
//                  disagreement between them counted as a tie;
//   canary wins    canaries ("", ":", "Thought process:", the prompt repeated) against the reference,
//                  both orders: per judgment, and per pair as the writing reward combines them (a
//                  flip is a tie, so a canary wins only when both orders pick it);
//   policy answers a policy's greedy answers to test prompts against their references (what the
//                  writing reward asks): agreement per judgment, and the policy's win / tie / loss by
//                  the judge (both orders combined as the reward does) next to the rubric's.
//
//   node dist/src/embedded/eval-judge.js --model models/omni-tiny-judge [--pairs 1000] [--canary-prompts 50]
//                                        [--policy models/omni-tiny] [--policy-prompts 100]
//   node dist/src/embedded/eval-judge.js --base-url http://127.0.0.1:8001/v1 [--model-name judge]
//   node dist/src/embedded/eval-judge.js --help
//
// `--prompts sft` builds the same measures from the writing sft split, the judge's own training prompts
// (new candidate draws), instead of the test split: a fit check. It prints only (or writes --out), so
// it never replaces the model's held-out judge_eval.json. Nor does a run with another --policy than
// the shipped models/omni-tiny: the recorded figures are those of the policy the judge serves.
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { Rng } from "../engine/rng.js";
import { LocalChatModel } from "../models/chat-model.js";
import type { ChatBackend } from "../rewards/judge/backend.js";
import { LocalChatBackend } from "../rewards/judge/local-backend.js";
import { OpenAiChatBackend } from "../rewards/judge/openai-backend.js";
import { parseVerdict, type Verdict } from "../rewards/judge/pairwise-prompt.js";
import type { Row } from "../tasks/schema.js";
import { writeJsonAtomic } from "../util/atomic.js";
import { parseCommandLine } from "../util/cli.js";
import { loadDomainRows } from "./corpus.js";
import {
  CANARIES,
  fluencyModel,
  type JudgePair,
  judgeMessages,
  listedCopy,
  pairsFor,
  policyPairs,
  swapped,
  writingInfo,
} from "./judge-pairs.js";
import { decidingCheck } from "./judge-rubric.js";
import { policyAnswers } from "./policy-answers.js";

export interface JudgeEvalOptions {
  pairs: number;
  canaryPrompts: number;
  /** Test prompts whose policy answers are judged (when a policy is given). */
  policyPrompts: number;
  seed: number;
  /** The judge's reply budget, as the rewards config's judge `max_tokens` sets it. */
  maxTokens: number;
}

export const DEFAULT_JUDGE_EVAL: JudgeEvalOptions = {
  pairs: 1000,
  canaryPrompts: 50,
  policyPrompts: 100,
  seed: 123,
  maxTokens: 48,
};

type WinTieLoss = { win: number; tie: number; loss: number };

export interface PolicyPairsResult {
  prompts: number;
  /** Judgments (both orders) whose verdict equals the rubric's. */
  agreement: number;
  flipRate: number;
  /** The policy's answer against the reference, both orders combined (a flip is a tie). */
  judge: WinTieLoss;
  rubric: WinTieLoss;
}

export interface JudgeEvalResult {
  pairs: number;
  judgments: number;
  agreement: number;
  /** Pairs whose verdict, both orders combined as the writing reward does (a flip is a tie), equals the rubric's. */
  agreementPerPair: number;
  /** The same, per gap band. */
  agreementPerPairByBand: Record<string, { n: number; agreement: number }>;
  agreementByBand: Record<string, { n: number; agreement: number }>;
  /** Per candidate kind (reference, shuffled, truncated, ...): judgments of pairs that include it. */
  agreementByKind: Record<string, { n: number; agreement: number }>;
  /** Per rubric check that decides the pair (the one its target reply names), or "tie". */
  agreementByCheck: Record<string, { n: number; agreement: number }>;
  /** Per unordered pair of candidate kinds and gap band ("keyword_swapped vs reference (small)"). */
  agreementByKindPair: Record<string, { n: number; agreement: number }>;
  /**
   * What knowing each answer's kind alone buys: the agreement of a judge that answers, for each
   * ordered pair of kinds, the rubric verdict most common for it among these very pairs (an upper
   * bound fitted on the test pairs; the rest needs the answers' details, such as a keyword's presence).
   */
  kindPairOracle: number;
  /** Judgments by the rubric's verdict (rows) and the judge's (columns; "none" = unparseable). */
  confusion: Record<Verdict, Record<Verdict | "none", number>>;
  flipRate: number;
  unparseable: number;
  /**
   * Held-out replies that open by listing the required words (a `--reply listed` judge), and how many
   * of those lists are exactly the prompt's; absent when no reply does.
   */
  listedCopies?: { replies: number; exact: number };
  canary: { judgments: number; winRatePerJudgment: number; pairs: number; winRatePerPair: number };
  canaryByKind: Record<string, number>;
  policy?: PolicyPairsResult;
  seconds: number;
}

/** Held-out pairs from the writing test split (the judge is trained on the sft split). */
export function heldOutPairs(writing: { train: Row[]; test: Row[] }, n: number, seed: number): JudgePair[] {
  const lm = fluencyModel(writing.train);
  const rng = new Rng(seed);
  const others = writing.test.map((r) => writingInfo(r).reference);
  const out: JudgePair[] = [];
  for (const row of writing.test) {
    if (out.length >= n) break;
    out.push(...pairsFor(row, others, lm, rng, 4)); // one pair per gap band
  }
  return out.slice(0, n);
}

type Reply = (p: Pick<JudgePair, "question" | "a" | "b">) => Promise<string>;

/** Every pair's reply as shown, and with A and B swapped (all requests in flight at once). */
function askBothOrders(reply: Reply, pairs: JudgePair[]) {
  return Promise.all([
    Promise.all(pairs.map((p) => reply(p))),
    Promise.all(pairs.map((p) => reply(swapped(p)))),
  ]);
}

const VERDICTS: Verdict[] = ["A", "B", "C"];

const flip = (v: Verdict | undefined): Verdict | undefined => (v === "A" ? "B" : v === "B" ? "A" : v);

export async function evaluateJudge(
  backend: ChatBackend,
  writing: { train: Row[]; test: Row[] },
  o: JudgeEvalOptions,
  policy?: LocalChatModel,
): Promise<JudgeEvalResult> {
  const t0 = performance.now();
  const reply: Reply = (p) =>
    backend.complete(judgeMessages(p), {
      temperature: 0,
      maxTokens: o.maxTokens,
      signal: new AbortController().signal,
    });
  const ask = async (p: Pick<JudgePair, "question" | "a" | "b">) => parseVerdict(await reply(p));

  const pairs = heldOutPairs(writing, o.pairs, o.seed);
  const replies = await askBothOrders(reply, pairs);
  const [forward, backward] = replies.map((texts) => texts.map(parseVerdict));
  const listed = replies
    .flat()
    .flatMap((text, i) => listedCopy(text, pairs[i % pairs.length]!.keywords) ?? []);
  let agree = 0;
  let flips = 0;
  let unparseable = 0;
  const perPairByBand: Tallies = {};
  const byBand: Tallies = {};
  const byKind: Tallies = {};
  const byCheck: Tallies = {};
  const byKindPair: Tallies = {};
  const verdictsByOrderedKinds = new Map<string, Record<Verdict, number>>();
  const confusion = {} as JudgeEvalResult["confusion"];
  for (const want of VERDICTS) confusion[want] = { A: 0, B: 0, C: 0, none: 0 };
  pairs.forEach((p, i) => {
    const v1 = forward[i];
    const v2 = backward[i];
    // the pair counts in its band, and once for each kind of answer in it
    const tallies = [
      tally(byBand, p.band),
      tally(byCheck, decidingCheck(p.scoreA, p.scoreB)),
      tally(byKindPair, `${[p.a.kind, p.b.kind].sort().join(" vs ")} (${p.band})`),
      ...[...new Set([p.a.kind, p.b.kind])].map((k) => tally(byKind, k)),
    ];
    const back = swapped(p);
    for (const q of [p, back]) {
      const key = `${q.a.kind}|${q.b.kind}`;
      const counts = verdictsByOrderedKinds.get(key) ?? { A: 0, B: 0, C: 0 };
      counts[q.verdict]++;
      verdictsByOrderedKinds.set(key, counts);
    }
    for (const [v, want] of [
      [v1, p.verdict],
      [v2, back.verdict],
    ] as const) {
      if (v === undefined) unparseable++;
      if (v === want) agree++;
      confusion[want][v ?? "none"]++;
      for (const t of tallies) {
        t.agree += Number(v === want);
        t.n++;
      }
    }
    if (v1 !== flip(v2)) flips++;
    const combined = v1 === flip(v2) ? v1 : "C";
    const pairTally = tally(perPairByBand, p.band);
    pairTally.n++;
    pairTally.agree += Number(combined === p.verdict);
  });

  // canaries against the reference, both orders
  const canaryRows = writing.test.slice(0, o.canaryPrompts);
  const jobs: { kind: string; canaryIsA: boolean; p: Pick<JudgePair, "question" | "a" | "b"> }[] = [];
  for (const row of canaryRows) {
    const { question, reference } = writingInfo(row);
    const ref = { kind: "reference", text: reference };
    for (const c of [...CANARIES, question]) {
      const kind = c === question ? "prompt repeated" : JSON.stringify(c);
      const can = { kind, text: c };
      jobs.push({ kind, canaryIsA: true, p: { question, a: can, b: ref } });
      jobs.push({ kind, canaryIsA: false, p: { question, a: ref, b: can } });
    }
  }
  const verdicts = await Promise.all(jobs.map((j) => ask(j.p)));
  let canaryWins = 0;
  let pairWins = 0;
  const winsByKind: Record<string, number> = {};
  const countByKind: Record<string, number> = {};
  for (let i = 0; i < jobs.length; i += 2) {
    const asA = verdicts[i] === "A";
    const asB = verdicts[i + 1] === "B";
    canaryWins += Number(asA) + Number(asB);
    if (asA && asB) pairWins++;
    const kind = jobs[i]!.kind;
    winsByKind[kind] = (winsByKind[kind] ?? 0) + Number(asA) + Number(asB);
    countByKind[kind] = (countByKind[kind] ?? 0) + 2;
  }
  const judgments = pairs.length * 2;
  const policyResult = policy ? await judgePolicyAnswers(reply, policy, writing, o) : undefined;
  return {
    pairs: pairs.length,
    judgments,
    agreement: agree / judgments,
    agreementPerPair: Object.values(perPairByBand).reduce((n, b) => n + b.agree, 0) / pairs.length,
    agreementPerPairByBand: rates(perPairByBand),
    agreementByBand: rates(byBand),
    agreementByKind: rates(byKind),
    agreementByCheck: rates(byCheck),
    agreementByKindPair: rates(byKindPair),
    kindPairOracle:
      [...verdictsByOrderedKinds.values()].reduce((n, c) => n + Math.max(c.A, c.B, c.C), 0) / judgments,
    confusion,
    flipRate: flips / pairs.length,
    unparseable: unparseable / judgments,
    ...(listed.length > 0
      ? { listedCopies: { replies: listed.length, exact: listed.filter((c) => c.exact).length } }
      : {}),
    canary: {
      judgments: jobs.length,
      winRatePerJudgment: canaryWins / jobs.length,
      pairs: jobs.length / 2,
      winRatePerPair: pairWins / (jobs.length / 2),
    },
    canaryByKind: Object.fromEntries(Object.entries(winsByKind).map(([k, w]) => [k, w / countByKind[k]!])),
    ...(policyResult ? { policy: policyResult } : {}),
    seconds: (performance.now() - t0) / 1000,
  };
}

type Tallies = Record<string, { n: number; agree: number }>;

function tally(table: Tallies, key: string): { n: number; agree: number } {
  table[key] ??= { n: 0, agree: 0 };
  return table[key];
}

const rates = (t: Tallies) =>
  Object.fromEntries(Object.entries(t).map(([k, b]) => [k, { n: b.n, agreement: b.agree / b.n }]));

async function judgePolicyAnswers(
  reply: Reply,
  policy: LocalChatModel,
  writing: { train: Row[]; test: Row[] },
  o: JudgeEvalOptions,
): Promise<PolicyPairsResult> {
  const rows = writing.test.slice(0, o.policyPrompts);
  const answers = await policyAnswers(policy, rows, {
    samples: 1,
    maxTokens: 128,
    seed: o.seed,
    label: "policy answers",
  });
  const lm = fluencyModel(writing.train);
  const rng = new Rng(o.seed);
  const pairs = rows.flatMap((row, i) => policyPairs(row, answers[i]!, lm, rng));
  const [forward, backward] = (await askBothOrders(reply, pairs)).map((texts) => texts.map(parseVerdict));
  const judge = { win: 0, tie: 0, loss: 0 };
  const rubric = { win: 0, tie: 0, loss: 0 };
  let agree = 0;
  let flips = 0;
  const outcome = (policyWins: boolean, referenceWins: boolean) =>
    policyWins ? "win" : referenceWins ? "loss" : "tie";
  pairs.forEach((p, i) => {
    const policyIs = p.a.kind === "policy" ? "A" : "B";
    const referenceIs = policyIs === "A" ? "B" : "A";
    const v1 = forward[i];
    const v2 = flip(backward[i]); // mapped back to this pair's order
    agree += Number(v1 === p.verdict) + Number(v2 === p.verdict);
    if (v1 !== v2) flips++;
    judge[outcome(v1 === policyIs && v2 === policyIs, v1 === referenceIs && v2 === referenceIs)]++;
    rubric[outcome(p.verdict === policyIs, p.verdict === referenceIs)]++;
  });
  const share = (c: WinTieLoss): WinTieLoss => ({
    win: c.win / pairs.length,
    tie: c.tie / pairs.length,
    loss: c.loss / pairs.length,
  });
  return {
    prompts: pairs.length,
    agreement: agree / (2 * pairs.length),
    flipRate: flips / pairs.length,
    judge: share(judge),
    rubric: share(rubric),
  };
}

/** `split`: where the prompts came from (the test split, or the sft split for a fit check). */
export function formatJudgeEval(r: JudgeEvalResult, split: "test" | "sft" = "test"): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const lines = [
    `${split === "test" ? "held-out pairs" : "pairs from the sft split (the judge's training prompts)"}: ${r.pairs} (${r.judgments} judgments, both orders)`,
    `agreement with the rubric: ${pct(r.agreement)} (target >= 85%)`,
    ...Object.entries(r.agreementByBand).map(
      ([k, b]) => `  ${k.padEnd(7)} gap: ${pct(b.agreement)} of ${b.n}`,
    ),
    `  by candidate kind (pairs that include it), worst first: ${Object.entries(r.agreementByKind)
      .sort((x, y) => x[1].agreement - y[1].agreement)
      .map(([k, b]) => `${k} ${pct(b.agreement)} of ${b.n}`)
      .join(", ")}`,
    `  by the check that decides the pair, worst first: ${Object.entries(r.agreementByCheck)
      .sort((x, y) => x[1].agreement - y[1].agreement)
      .map(([k, b]) => `${k} ${pct(b.agreement)} of ${b.n}`)
      .join(", ")}`,
    `  by pair of kinds and gap, most misses first: ${Object.entries(r.agreementByKindPair)
      .map(([k, b]) => [k, b.n, Math.round(b.n * (1 - b.agreement))] as const)
      .filter(([, , misses]) => misses > 0)
      .sort((x, y) => y[2] - x[2])
      .slice(0, 8)
      .map(([k, n, misses]) => `${k} ${misses} of ${n}`)
      .join(", ")}`,
    `  knowing only each answer's kind (the most common verdict per pair of kinds, fitted on these pairs): ${pct(r.kindPairOracle)}`,
    "  rubric verdict -> the judge's (A / B / C / unparseable):",
    ...VERDICTS.map((want) => {
      const row = r.confusion[want];
      return `    ${want}: ${row.A} / ${row.B} / ${row.C} / ${row.none}`;
    }),
    `position-flip rate: ${pct(r.flipRate)} (target < 10%)`,
    `agreement per pair, both orders combined as the writing reward does (a flip is a tie): ${pct(r.agreementPerPair)} of ${r.pairs}`,
    ...Object.entries(r.agreementPerPairByBand).map(
      ([k, b]) => `  ${k.padEnd(7)} gap: ${pct(b.agreement)} of ${b.n}`,
    ),
    `unparseable replies: ${pct(r.unparseable)}`,
    ...(r.listedCopies
      ? [
          `replies that list the required words first: ${r.listedCopies.replies} of ${r.judgments}; ` +
            `the list exactly the prompt's: ${r.listedCopies.exact} (${pct(r.listedCopies.exact / r.judgments)} of judgments)`,
        ]
      : []),
    r.canary.judgments === 0
      ? "canary wins: not measured (--canary-prompts 0)"
      : `canary wins: ${pct(r.canary.winRatePerJudgment)} of ${r.canary.judgments} judgments; ` +
        `${pct(r.canary.winRatePerPair)} of ${r.canary.pairs} pairs with both orders combined (target < 5%)`,
    ...Object.entries(r.canaryByKind).map(([k, w]) => `  ${k}: ${pct(w)}`),
  ];
  if (r.policy) {
    const wtl = (c: WinTieLoss) => `${pct(c.win)} / ${pct(c.tie)} / ${pct(c.loss)}`;
    lines.push(
      `policy answers vs reference: ${r.policy.prompts} ${split} prompts, agreement with the rubric ${pct(r.policy.agreement)}, ` +
        `flips ${pct(r.policy.flipRate)}`,
      `  policy win / tie / loss: judge ${wtl(r.policy.judge)}; rubric ${wtl(r.policy.rubric)}`,
    );
  }
  lines.push(`took ${r.seconds.toFixed(0)}s`);
  return lines.join("\n");
}

/** The policy whose answers the recorded judge_eval.json measures: the one the writing reward judges. */
const DEFAULT_POLICY = "models/omni-tiny";

/** What `--help` prints. */
export function usage(): string {
  const d = DEFAULT_JUDGE_EVAL;
  return `
node dist/src/embedded/eval-judge.js [--model DIR | --base-url URL [--model-name NAME]] [options]

Measures a pairwise judge against the rubric on held-out writing pairs: agreement, flip rate,
canary wins, and agreement on a policy's own answers. A run of the shipped judge on the test
prompts with the shipped policy records its figures in DIR/judge_eval.json.

  --model DIR          the judge, in-process (models/omni-tiny-judge)
  --base-url URL       an OpenAI-compatible judge server instead; --model-name (omni-tiny-judge)
  --datasets DIR       (datasets)
  --pairs N            held-out pairs, each judged in both orders (${d.pairs})
  --canary-prompts N   prompts whose canaries face the reference (${d.canaryPrompts})
  --policy DIR         the policy whose answers are judged (${DEFAULT_POLICY})
  --policy-prompts N   test prompts it answers (${d.policyPrompts}; 0 skips it)
  --max-tokens N       the judge's reply budget, as configs/rewards.yaml sets it (${d.maxTokens})
  --prompts test|sft   test, or the judge's own sft prompts as a fit check (test)
  --out FILE           where to write the JSON result
`;
}

/** The command line's values; --prompts must be test or sft. */
export function parseEvalJudgeArgs(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      model: { type: "string" },
      "base-url": { type: "string" },
      "model-name": { type: "string", default: "omni-tiny-judge" },
      datasets: { type: "string", default: "datasets" },
      pairs: { type: "string" },
      "canary-prompts": { type: "string" },
      policy: { type: "string", default: DEFAULT_POLICY },
      "policy-prompts": { type: "string" },
      "max-tokens": { type: "string" },
      prompts: { type: "string", default: "test" },
      out: { type: "string" },
    },
  });
  if (values.prompts !== "test" && values.prompts !== "sft")
    throw new Error(`--prompts must be test or sft, got ${JSON.stringify(values.prompts)}`);
  // counts: whole numbers (a reply budget of at least one token)
  for (const [name, min] of [
    ["pairs", 1],
    ["canary-prompts", 0],
    ["policy-prompts", 0],
    ["max-tokens", 1],
  ] as const) {
    const v = values[name];
    if (v !== undefined && !(Number.isInteger(Number(v)) && Number(v) >= min && v.trim() !== ""))
      throw new Error(`--${name}: "${v}" is not a whole number >= ${min}`);
  }
  return values;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const values = parseCommandLine("eval-judge", usage(), process.argv.slice(2), parseEvalJudgeArgs);
  const fitCheck = values.prompts === "sft";
  const backend: ChatBackend = values["base-url"]
    ? new OpenAiChatBackend({ baseURL: values["base-url"], apiKey: "EMPTY", model: values["model-name"]! })
    : LocalChatBackend.fromDir(values.model ?? "models/omni-tiny-judge");
  const rows = await loadDomainRows(values.datasets);
  const opts = {
    ...DEFAULT_JUDGE_EVAL,
    ...(values.pairs ? { pairs: Number(values.pairs) } : {}),
    ...(values["canary-prompts"] ? { canaryPrompts: Number(values["canary-prompts"]) } : {}),
    ...(values["policy-prompts"] ? { policyPrompts: Number(values["policy-prompts"]) } : {}),
    ...(values["max-tokens"] ? { maxTokens: Number(values["max-tokens"]) } : {}),
  };
  const policy =
    opts.policyPrompts > 0 ? LocalChatModel.load(values.policy!, { maxBatchRows: 64 }) : undefined;
  // the sft split stands in for the test split: the prompts the judge was trained on
  const writing = fitCheck ? { train: rows.writing.train, test: rows.writing.sft } : rows.writing;
  const result = await evaluateJudge(backend, writing, opts, policy);
  console.log(formatJudgeEval(result, fitCheck ? "sft" : "test"));
  const recordsModel = values.model && !fitCheck && resolve(values.policy!) === resolve(DEFAULT_POLICY);
  const out = values.out ?? (recordsModel ? join(values.model!, "judge_eval.json") : undefined);
  const via = values["base-url"] ?? "in-process";
  if (out)
    writeJsonAtomic(out, {
      ...opts,
      prompts: values.prompts,
      via,
      ...(policy ? { policyModel: values.policy } : {}),
      ...result,
    });
}
