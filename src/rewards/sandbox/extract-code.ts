// Finds the program in a model's response: the last fenced block tagged as Python, else the last untagged
// fenced block, else (only when enabled) the whole response.
import { z } from "zod";

export const CodeExtractConfig = z.strictObject({
  /** Fence tags that count as Python (compared case-insensitively). */
  languages: z.array(z.string()).default(["python", "py", "python3"]),
  /** Accept a fence with no tag when no Python-tagged one exists. */
  untagged_blocks: z.boolean().default(true),
  /** With no usable fenced block, run the whole response as code (else: no_answer). */
  whole_response_fallback: z.boolean().default(false),
});
export type CodeExtractConfig = z.output<typeof CodeExtractConfig>;

export interface ExtractedCode {
  code: string;
  from: "python_block" | "untagged_block" | "whole_response";
}

const FENCE = /^[ \t]*```[ \t]*([^\s`]*)[^\n`]*\n([\s\S]*?)^[ \t]*```[ \t]*$/gm;

export function extractCode(response: string, cfg: CodeExtractConfig): ExtractedCode | null {
  const languages = new Set(cfg.languages.map((l) => l.toLowerCase()));
  let lastTagged: string | null = null;
  let lastUntagged: string | null = null;
  for (const m of response.replace(/\r\n/g, "\n").matchAll(FENCE)) {
    const tag = m[1]!.toLowerCase();
    if (languages.has(tag)) lastTagged = m[2]!;
    else if (tag === "") lastUntagged = m[2]!;
  }
  if (lastTagged !== null && lastTagged.trim()) return { code: lastTagged, from: "python_block" };
  if (cfg.untagged_blocks && lastUntagged !== null && lastUntagged.trim()) {
    return { code: lastUntagged, from: "untagged_block" };
  }
  if (cfg.whole_response_fallback && response.trim()) return { code: response, from: "whole_response" };
  return null;
}
