// The dataset row, in verl's schema. `data_source` names the task and routes the reward;
// `reward_model.ground_truth` is whatever that task's reward expects (see docs/tasks.md).
import { z } from "zod";
import { formatPath } from "../config/load.js";

export const TASK_NAMES = ["math", "code", "qa", "writing"] as const;
export type TaskName = (typeof TASK_NAMES)[number];

export const SPLITS = ["train", "sft", "test"] as const;
export type Split = (typeof SPLITS)[number];

export const ChatMessageSchema = z.object({
  role: z.string().min(1),
  content: z.string(),
});

/** A JSON value other than null: a string (math, qa) or an object (code, writing). */
export const GroundTruthSchema = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.array(z.unknown()),
  z.record(z.string(), z.unknown()),
]);
export type GroundTruth = z.infer<typeof GroundTruthSchema>;

export const RewardModelSchema = z.object({
  style: z.enum(["rule", "model"]),
  ground_truth: GroundTruthSchema,
});

// split, index and difficulty are what our builders write; rows from elsewhere (verl's GSM8K/MATH/MBPP
// preprocessors) may lack difficulty or more, so they are optional but checked when present.
export const ExtraInfoSchema = z.looseObject({
  split: z.string().min(1).optional(),
  index: z.number().int().nonnegative().optional(),
  difficulty: z.number().int().min(1).max(5).optional(),
  /** The target response for SFT (a worked solution, a code block, a reference sentence). */
  reference: z.string().optional(),
});

export const RowSchema = z.looseObject({
  data_source: z.string().min(1),
  prompt: z.array(ChatMessageSchema).min(1),
  ability: z.string().min(1),
  reward_model: RewardModelSchema,
  extra_info: ExtraInfoSchema.prefault({}),
});

export type ChatMessage = z.infer<typeof ChatMessageSchema>;
export type Row = z.infer<typeof RowSchema>;

/** One schema problem, located as precisely as the source format allows. */
export interface RowProblem {
  file: string;
  /** 1-based line number for JSONL; 1-based row number for Parquet. */
  line: number;
  field: string;
  message: string;
}

export function formatProblem(p: RowProblem): string {
  return `${p.file}:${p.line}: ${p.field}: ${p.message}`;
}

/** Validates one row; returns the typed row or the list of problems (never both). */
export function checkRow(
  value: unknown,
  file: string,
  line: number,
): { row: Row; problems: [] } | { row: undefined; problems: RowProblem[] } {
  const result = RowSchema.safeParse(value);
  if (result.success) return { row: result.data, problems: [] };
  return {
    row: undefined,
    problems: result.error.issues.map((issue) => ({
      file,
      line,
      field: formatPath(issue.path),
      message: issue.message,
    })),
  };
}

/** Thrown by strict readers; the message lists every problem as `file:line: field: message`. */
export class RowSchemaError extends Error {
  constructor(readonly problems: RowProblem[]) {
    const shown = problems.slice(0, 20).map(formatProblem);
    if (problems.length > 20) shown.push(`... and ${problems.length - 20} more`);
    super(`invalid dataset rows:\n${shown.map((s) => `  - ${s}`).join("\n")}`);
    this.name = "RowSchemaError";
  }
}

/** The user message of a row (the last user turn), which is what dedupe and stats look at. */
export function promptText(row: Pick<Row, "prompt">): string {
  for (let i = row.prompt.length - 1; i >= 0; i--) {
    if (row.prompt[i]!.role === "user") return row.prompt[i]!.content;
  }
  return row.prompt.map((m) => m.content).join("\n");
}

/** A row's kind within its task: extra_info.family (math, code), qtype (qa) or wtype (writing). */
export function rowKind(row: Pick<Row, "extra_info">): string | undefined {
  const extra = row.extra_info;
  return [extra.family, extra.qtype, extra.wtype].find((k): k is string => typeof k === "string");
}
