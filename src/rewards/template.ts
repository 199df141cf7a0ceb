// OpenAI grader templates: `{{item.field}}`, `{{ item.a.b }}`, `{{sample.output_text}}`.
// `item` is the dataset row (`{data_source, ground_truth, ...extra_info}`), `sample` the model output.
// A reference to something that is not there is an error naming the reference, never an empty string.

export interface TemplateContext {
  item: Record<string, unknown>;
  sample: { output_text: string };
}

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TemplateError";
  }
}

const REFERENCE = /\{\{([^{}]*)\}\}/g;

export function renderTemplate(tpl: string, ctx: TemplateContext): string {
  const unclosed = unclosedBraces(tpl);
  if (unclosed >= 0) {
    throw new TemplateError(
      `template has '{{' without a matching '}}' at position ${unclosed}: ${JSON.stringify(tpl)}`,
    );
  }
  return tpl.replace(REFERENCE, (_, inner: string) => stringify(resolve(inner.trim(), ctx), inner.trim()));
}

/** The references a template uses (`item.question`, ...), for validating configs up front. */
export function templateReferences(tpl: string): string[] {
  return [...tpl.matchAll(REFERENCE)].map((m) => m[1]!.trim());
}

function resolve(reference: string, ctx: TemplateContext): unknown {
  const path = reference.split(".").map((p) => p.trim());
  if (path.some((p) => p === "") || (path[0] !== "item" && path[0] !== "sample")) {
    throw new TemplateError(
      `template reference {{${reference}}}: must be item.<field>[.<field>...] or sample.output_text`,
    );
  }
  let value: unknown = path[0] === "item" ? ctx.item : ctx.sample;
  for (let i = 1; i < path.length; i++) {
    const key = path[i]!;
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, key)) {
      const where = path.slice(0, i).join(".");
      const fields =
        value !== null && typeof value === "object" ? Object.keys(value).join(", ") || "none" : typeof value;
      throw new TemplateError(
        `template reference {{${reference}}}: ${where} has no field '${key}' (it has: ${fields})`,
      );
    }
    value = (value as Record<string, unknown>)[key];
  }
  if (path.length === 1)
    throw new TemplateError(`template reference {{${reference}}}: name a field of ${path[0]}`);
  return value;
}

function stringify(value: unknown, reference: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === null || value === undefined) {
    throw new TemplateError(`template reference {{${reference}}}: value is ${value}`);
  }
  return JSON.stringify(value);
}

/** Position of a `{{` with no `}}` after it, or -1. */
function unclosedBraces(tpl: string): number {
  let from = 0;
  for (;;) {
    const open = tpl.indexOf("{{", from);
    if (open < 0) return -1;
    const close = tpl.indexOf("}}", open + 2);
    if (close < 0) return open;
    from = close + 2;
  }
}

/** The grader context for one reward sample. */
export function graderContext(sample: {
  dataSource: string;
  groundTruth: unknown;
  response: string;
  extraInfo?: Record<string, unknown>;
}): TemplateContext {
  return {
    item: { data_source: sample.dataSource, ground_truth: sample.groundTruth, ...(sample.extraInfo ?? {}) },
    sample: { output_text: sample.response },
  };
}

/** Renders a template, prefixing errors with which grader, sample and field failed. */
export function renderOrThrow(tpl: string, ctx: TemplateContext, where: string): string {
  try {
    return renderTemplate(tpl, ctx);
  } catch (err) {
    throw new Error(`${where}: ${(err as Error).message}`);
  }
}
