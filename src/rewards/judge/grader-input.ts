// OpenAI-grader-style input messages: templates with {{item.*}} and {{sample.output_text}},
// rendered per sample. `item` is the dataset row: data_source, ground_truth and extra_info's fields.
import { z } from "zod";
import { graderContext, renderTemplate } from "../template.js";
import type { ChatMessage, RewardSample } from "../types.js";

export const GraderInputMessages = z
  .array(z.object({ role: z.enum(["system", "user", "assistant", "developer"]), content: z.string() }))
  .min(1);
export type GraderInputMessages = z.output<typeof GraderInputMessages>;

export function renderGraderInput(input: GraderInputMessages, sample: RewardSample): ChatMessage[] {
  const ctx = graderContext(sample);
  // "developer" is the newer name of "system"; OpenAI-compatible servers that predate it reject it.
  return input.map((m) => ({
    role: m.role === "developer" ? "system" : m.role,
    content: renderTemplate(m.content, ctx),
  }));
}
