// OpenAI `string_check` grader: compares a rendered `input` template with a rendered `reference`.
//   eq: equal; ne: not equal; like: input contains reference; ilike: contains, ignoring case.
// Score 1 when the check passes, else 0 (details.metric is the same).
import { z } from "zod";
import { parseConfig } from "../config/load.js";
import { graderContext, renderOrThrow } from "./template.js";
import { type Reward, type RewardResult, type RewardSample, result } from "./types.js";

export const StringCheckGraderConfig = z
  .object({
    type: z.literal("string_check").optional(),
    name: z.string().min(1).default("string_check"),
    /** Template, usually `{{sample.output_text}}`. */
    input: z.string(),
    /** Template, usually `{{item.ground_truth}}`. */
    reference: z.string(),
    operation: z.enum(["eq", "ne", "like", "ilike"]),
  })
  .strict();
export type StringCheckGraderConfig = z.output<typeof StringCheckGraderConfig>;

export function stringCheck(
  input: string,
  reference: string,
  operation: StringCheckGraderConfig["operation"],
) {
  switch (operation) {
    case "eq":
      return input === reference;
    case "ne":
      return input !== reference;
    case "like":
      return input.includes(reference);
    case "ilike":
      return input.toLowerCase().includes(reference.toLowerCase());
  }
}

export function createStringCheckGrader(config: z.input<typeof StringCheckGraderConfig>): Reward {
  const cfg = parseConfig(StringCheckGraderConfig, config, "string_check grader config");
  return {
    name: cfg.name,
    async scoreBatch(samples: RewardSample[]): Promise<RewardResult[]> {
      return samples.map((sample, i) => {
        const ctx = graderContext(sample);
        const where = `${cfg.name} sample ${i} (${sample.dataSource})`;
        const input = renderOrThrow(cfg.input, ctx, `${where}: input`);
        const reference = renderOrThrow(cfg.reference, ctx, `${where}: reference`);
        const passed = stringCheck(input, reference, cfg.operation);
        return result(passed ? 1 : 0, "ok", { operation: cfg.operation, passed, metric: passed ? 1 : 0 });
      });
    },
  };
}
