// What counts as "the same task" when keeping train, sft and test apart. A row has several keys;
// two rows collide when any key matches. Every row gets its normalized prompt text; each task adds
// a semantic key so near-duplicates that differ only in surface text (names, test inputs) collide too.
import { promptText, type Row } from "./schema.js";

/** Lowercase, punctuation to spaces, whitespace collapsed. */
export function normalizeText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** The numbers in a text, in order ("$7.50" -> "7.50", "3/4" -> "3/4"). */
export function numbersIn(text: string): string[] {
  return text.match(/\d+(?:\.\d+)?(?:\/\d+)?/g) ?? [];
}

function info(row: Row, key: string): string {
  const v = row.extra_info[key];
  return typeof v === "string" ? v : JSON.stringify(v ?? null);
}

/**
 * - all tasks: the normalized prompt;
 * - math: the template family plus the numbers in order (same arithmetic, other names);
 * - code: the family plus its parameters (same function, other test inputs);
 * - qa: the synset the question is about (same concept, any question type);
 * - writing: the normalized source example sentence (same sentence, any prompt type).
 */
export function dedupKeys(row: Row): string[] {
  const keys = [`text:${normalizeText(promptText(row))}`];
  switch (row.data_source) {
    case "math":
      keys.push(`math:${info(row, "family")}:${numbersIn(promptText(row)).join(",")}`);
      break;
    case "code":
      keys.push(`code:${info(row, "family")}:${info(row, "params")}`);
      break;
    case "qa":
      keys.push(`qa:${info(row, "synset")}`);
      break;
    case "writing":
      keys.push(`writing:${normalizeText(info(row, "example"))}`);
      break;
  }
  return keys;
}
