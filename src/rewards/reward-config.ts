// The rewards YAML: which reward scores which data_source. Schema and factory registry.
//
//   rewards:
//     math:                      # exact data_source name...
//       type: math
//       weight: 1.0              # optional, default 1
//       format: {pattern: "<think>.*</think>", weight: 0.1}   # optional
//     "writing_*":               # ...or a glob (* = any run of characters, ? = one character)
//       type: judge_pairwise
//       model: qwen2.5-7b-instruct
//
// Each entry's other keys are the `type`'s own config, validated by that type's zod schema.
// Errors name the file and the full field path (e.g. `rewards.writing.timeout_ms`).
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";
import { ConfigError, formatPath, parseYaml } from "../config/load.js";
import { CodeRewardConfig, createCodeReward } from "./code.js";
import { FormatRewardConfig, withWeightAndFormat } from "./format-reward.js";
import { parseFormula } from "./formula.js";
import type { JudgeClientContext } from "./judge/client.js";
import { createLabelModelGrader, LabelModelGraderConfig } from "./judge/label-model.js";
import { createPairwiseJudgeReward, PairwiseJudgeConfig } from "./judge/pairwise.js";
import { createScoreModelGrader, ScoreModelGraderConfig } from "./judge/score-model.js";
import { createKeywordsReward, KeywordsRewardConfig } from "./keywords.js";
import { createMathReward, MathRewardConfig } from "./math/index.js";
import { createMcqReward, McqRewardConfig } from "./mcq.js";
import { MultiGrader } from "./multi-grader.js";
import { createPythonGrader, PythonGraderConfig } from "./python-grader.js";
import { createStringCheckGrader, StringCheckGraderConfig } from "./string-check.js";
import { createTextSimilarityGrader, TextSimilarityGraderConfig } from "./text-similarity.js";
import type { Reward } from "./types.js";

/** What a factory may need beyond its config: where relative paths start, a transport override. */
export interface RewardFactoryContext extends JudgeClientContext {
  /** Directory of the config file; relative paths (judge caches) resolve against it. */
  baseDir: string;
}

interface RewardType {
  schema: z.ZodType;
  create(config: never, ctx: RewardFactoryContext, name: string): Reward;
}

function rewardType<S extends z.ZodType>(
  schema: S,
  create: (config: z.output<S>, ctx: RewardFactoryContext, name: string) => Reward,
): RewardType {
  return { schema, create: create as RewardType["create"] };
}

/** type name -> schema of its config + factory. `multi` is handled separately (it nests specs). */
export const REWARD_TYPES: Record<string, RewardType> = {
  math: rewardType(MathRewardConfig, (c, _ctx, name) => createMathReward(c, name)),
  mcq: rewardType(McqRewardConfig, (c, _ctx, name) => createMcqReward(c, name)),
  code: rewardType(CodeRewardConfig, (c) => createCodeReward(c)),
  keywords: rewardType(KeywordsRewardConfig, (c, _ctx, name) => createKeywordsReward(c, name)),
  string_check: rewardType(StringCheckGraderConfig, (c) => createStringCheckGrader(c)),
  text_similarity: rewardType(TextSimilarityGraderConfig, (c) => createTextSimilarityGrader(c)),
  python: rewardType(PythonGraderConfig, (c) => createPythonGrader(c)),
  judge_pairwise: rewardType(PairwiseJudgeConfig, (c, ctx, name) => createPairwiseJudgeReward(c, ctx, name)),
  score_model: rewardType(ScoreModelGraderConfig, (c, ctx) => createScoreModelGrader(c, ctx)),
  label_model: rewardType(LabelModelGraderConfig, (c, ctx) => createLabelModelGrader(c, ctx)),
};

export const REWARD_TYPE_NAMES = [...Object.keys(REWARD_TYPES), "multi"] as const;

/** A validated reward spec, ready to instantiate. */
export type RewardSpec =
  | { type: string; weight: number; format?: FormatRewardConfig; config: unknown }
  | {
      type: "multi";
      weight: number;
      format?: FormatRewardConfig;
      graders: Map<string, RewardSpec>;
      calculateOutput: string;
      /** Formula over the sub-graders' metrics for details.metric; undefined = calculateOutput. */
      calculateMetric?: string;
    };

export interface RewardsConfig {
  /** data_source pattern -> spec, in file order (the order decides between overlapping globs). */
  routes: { pattern: string; spec: RewardSpec }[];
}

const Envelope = z.looseObject({
  type: z.string(),
  weight: z.number().default(1),
  format: FormatRewardConfig.optional(),
});

const MultiBody = z.strictObject({
  name: z.string().optional(),
  graders: z.record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "grader names must be identifiers"),
    z.unknown(),
  ),
  calculate_output: z.string().min(1),
  /**
   * The task metric (details.metric: eval scores, dynamic sampling), a formula over the sub-graders'
   * metrics; default: calculate_output's. Lets the reward be shaped while the metric stays the task's.
   */
  calculate_metric: z.string().min(1).optional(),
});

const FileShape = z.strictObject({ rewards: z.record(z.string().min(1), z.unknown()) });

/** Validates `value` with `schema`; issues are prefixed with `path` and collected. */
function check<S extends z.ZodType>(
  schema: S,
  value: unknown,
  path: PropertyKey[],
  issues: string[],
): z.output<S> | undefined {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  for (const issue of r.error.issues)
    issues.push(`${formatPath([...path, ...issue.path])}: ${issue.message}`);
  return undefined;
}

function acceptsKey(schema: z.ZodType, key: string): boolean {
  return schema instanceof z.ZodObject && key in schema.shape;
}

function parseSpec(
  value: unknown,
  path: PropertyKey[],
  issues: string[],
  nested: boolean,
): RewardSpec | undefined {
  const env = check(Envelope, value, path, issues);
  if (!env) return undefined;
  const { type, weight, format, ...rest } = env;
  if (nested && (format !== undefined || weight !== 1)) {
    issues.push(`${formatPath(path)}: weight and format go on the multi grader, not its sub-graders`);
  }
  if (type === "multi") {
    const body = check(MultiBody, rest, path, issues);
    if (!body) return undefined;
    const graders = new Map<string, RewardSpec>();
    for (const [name, sub] of Object.entries(body.graders)) {
      const spec = parseSpec(sub, [...path, "graders", name], issues, true);
      if (spec) graders.set(name, spec);
    }
    for (const key of ["calculate_output", "calculate_metric"] as const) {
      const formula = body[key];
      if (formula === undefined) continue;
      try {
        parseFormula(formula, { variables: Object.keys(body.graders) });
      } catch (err) {
        issues.push(`${formatPath([...path, key])}: ${(err as Error).message}`);
      }
    }
    return {
      type,
      weight,
      format,
      graders,
      calculateOutput: body.calculate_output,
      calculateMetric: body.calculate_metric,
    };
  }
  const entry = REWARD_TYPES[type];
  if (!entry) {
    issues.push(
      `${formatPath([...path, "type"])}: unknown reward type "${type}" (expected one of ${REWARD_TYPE_NAMES.join(", ")})`,
    );
    return undefined;
  }
  // Schemas written after OpenAI's grader objects carry `type` themselves; the others do not.
  const body = acceptsKey(entry.schema, "type") ? { type, ...rest } : rest;
  const config = check(entry.schema, body, path, issues);
  return config === undefined ? undefined : { type, weight, format, config };
}

/** Validates a parsed rewards YAML; throws ConfigError naming `file` and every bad field. */
export function parseRewardsConfig(value: unknown, file: string): RewardsConfig {
  const issues: string[] = [];
  const shape = check(FileShape, value, [], issues);
  const routes: RewardsConfig["routes"] = [];
  if (shape) {
    for (const [pattern, specValue] of Object.entries(shape.rewards)) {
      const spec = parseSpec(specValue, ["rewards", pattern], issues, false);
      if (spec) routes.push({ pattern, spec });
    }
  }
  if (issues.length > 0) throw new ConfigError(file, issues);
  return { routes };
}

export function loadRewardsConfig(file: string): RewardsConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(file, [`cannot read file: ${(err as Error).message}`]);
  }
  return parseRewardsConfig(parseYaml(text, file), file);
}

/**
 * Instantiates a validated spec (weight and format applied). Every underlying reward, sub-graders
 * included, is also pushed to `created` so a caller can reach judge statistics behind the wrappers.
 */
export function createReward(
  spec: RewardSpec,
  ctx: RewardFactoryContext,
  name: string,
  created: { name: string; reward: Reward }[] = [],
): Reward {
  let reward: Reward;
  if ("graders" in spec) {
    const graders = new Map<string, Reward>();
    for (const [sub, subSpec] of spec.graders)
      graders.set(sub, createReward(subSpec, ctx, `${name}.${sub}`, created));
    reward = new MultiGrader(name, graders, spec.calculateOutput, spec.calculateMetric);
  } else {
    reward = REWARD_TYPES[spec.type]!.create(spec.config as never, ctx, name);
  }
  created.push({ name, reward });
  return withWeightAndFormat(reward, spec.weight, spec.format);
}

/** Directory relative paths in `file` resolve against. */
export function configBaseDir(file: string): string {
  return dirname(file);
}
