// The MT-Bench-style pairwise prompt and its verdict parser. The judge sees a question and two
// answers, explains briefly, and ends with [[A]] (A better), [[B]] (B better) or [[C]] (tie).
import type { ChatMessage } from "../types.js";

export type Verdict = "A" | "B" | "C";

export const PAIRWISE_SYSTEM_PROMPT = [
  "You are an impartial judge comparing two AI assistants' answers to the user question below.",
  "Decide which answer serves the user better: consider helpfulness, relevance, accuracy, depth,",
  "creativity and level of detail. The order in which the answers appear must not influence you,",
  "the length of an answer is not a merit in itself, and the assistants' names do not matter.",
  'Give a short explanation, then end with your verdict in exactly this format: "[[A]]" if',
  'assistant A is better, "[[B]]" if assistant B is better, "[[C]]" for a tie.',
].join(" ");

export const ANSWER_A_START = "[The Start of Assistant A's Answer]";
export const ANSWER_A_END = "[The End of Assistant A's Answer]";
export const ANSWER_B_START = "[The Start of Assistant B's Answer]";
export const ANSWER_B_END = "[The End of Assistant B's Answer]";
export const QUESTION_HEADER = "[User Question]";

export function pairwiseMessages(
  question: string,
  answerA: string,
  answerB: string,
  systemPrompt = PAIRWISE_SYSTEM_PROMPT,
): ChatMessage[] {
  const user = [
    QUESTION_HEADER,
    question,
    "",
    ANSWER_A_START,
    answerA,
    ANSWER_A_END,
    "",
    ANSWER_B_START,
    answerB,
    ANSWER_B_END,
  ].join("\n");
  return [
    { role: "system", content: systemPrompt },
    { role: "user", content: user },
  ];
}

/** The last [[A]] / [[B]] / [[C]] in the reply wins (judges sometimes quote the format first). */
export function parseVerdict(reply: string): Verdict | undefined {
  const matches = [...reply.matchAll(/\[\[\s*([ABC])\s*\]\]/g)];
  const last = matches.at(-1);
  return last ? (last[1] as Verdict) : undefined;
}

/** The question as the judge should read it: one user turn as-is, a conversation as labelled turns. */
export function questionText(prompt: readonly ChatMessage[]): string {
  const turns = prompt.filter((m) => m.role !== "system");
  if (turns.length === 1) return turns[0]!.content;
  return turns.map((m) => `${m.role}: ${m.content}`).join("\n\n");
}
