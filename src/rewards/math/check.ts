// One math check: extract the answer from a response, normalize it, compare it with the references.
// Pure and synchronous; the math reward runs it inside worker threads.
import { normalizedEquivalent } from "./equivalence.js";
import { extractAnswer, extractBoxed, type MathExtractor } from "./extract.js";
import { normalizeAnswer } from "./normalize.js";

export interface MathCheckSettings {
  extractors: MathExtractor[];
  relTol: number;
  symbolic: boolean;
}

export interface MathCheckItem {
  response: string;
  /** Accepted answers; the response is correct when it matches any of them. */
  references: string[];
}

export interface MathCheckResult {
  /** null when no extractor found an answer. */
  extractor: MathExtractor | null;
  extracted: string | null;
  normalized: string | null;
  correct: boolean;
  method: string | null;
  /** The normalized reference that matched (or the first one). */
  reference: string | null;
}

export function checkMathAnswer(item: MathCheckItem, settings: MathCheckSettings): MathCheckResult {
  const found = extractAnswer(item.response, settings.extractors);
  const references = item.references.map(normalizeReference);
  if (!found) {
    return {
      extractor: null,
      extracted: null,
      normalized: null,
      correct: false,
      method: null,
      reference: null,
    };
  }
  const normalized = normalizeAnswer(found.answer);
  let method: string | null = null;
  for (const reference of references) {
    const verdict = normalizedEquivalent(normalized, reference, settings);
    method = verdict.method;
    if (verdict.equal) {
      return {
        extractor: found.extractor,
        extracted: found.answer,
        normalized,
        correct: true,
        method,
        reference,
      };
    }
  }
  return {
    extractor: found.extractor,
    extracted: found.answer,
    normalized,
    correct: false,
    method,
    reference: references[0] ?? null,
  };
}

/** A reference may be a full solution: take its `\boxed{}` or `#### x` answer when it has one. */
export function normalizeReference(reference: string): string {
  const boxed = extractBoxed(reference);
  if (boxed !== null) return normalizeAnswer(boxed);
  const hash = reference.lastIndexOf("####");
  if (hash >= 0) return normalizeAnswer(reference.slice(hash + 4).split("\n")[0]!);
  return normalizeAnswer(reference);
}
