// Config files are YAML, parsed once at the edge and validated with zod into typed objects.
// Every error names the file and the field path, e.g. `configs/x.yaml: rl.group_size: expected number`.
import { readFileSync } from "node:fs";
import YAML from "yaml";
import type { z } from "zod";

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly issues: string[],
  ) {
    super(`${file}: invalid config\n${issues.map((i) => `  - ${i}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Renders a zod issue path as `a.b[2].c`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || "(root)";
}

/** Validates an already-parsed value; `file` is only used in error messages. */
export function parseConfig<S extends z.ZodType>(schema: S, value: unknown, file: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ConfigError(
      file,
      result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`),
    );
  }
  return result.data;
}

/** Parses YAML text; syntax errors carry the file, line and column. */
export function parseYaml(text: string, file: string): unknown {
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return pos ? `line ${pos.line}, column ${pos.col}: ${e.message.split("\n")[0]}` : e.message;
      }),
    );
  }
  return doc.toJS();
}

/**
 * Applies command-line overrides `a.b.c=value` to a parsed config (a copy; the input is untouched).
 * The value is read as YAML, so `5e-5` is a number, `[math, qa]` a list and `null` null. Missing
 * parent keys are created; a parent that holds a scalar is an error naming the override.
 */
export function applyOverrides(value: unknown, overrides: readonly string[]): unknown {
  const root: Record<string, unknown> = structuredClone(isObject(value) ? value : {});
  for (const o of overrides) {
    const eq = o.indexOf("=");
    const path = eq > 0 ? o.slice(0, eq).split(".") : [];
    if (eq <= 0 || path.some((k) => k.trim() === ""))
      throw new ConfigError("--set", [`"${o}": expected key.path=value, e.g. optim.lr=5e-5`]);
    let parsed: unknown;
    try {
      parsed = YAML.parse(o.slice(eq + 1));
    } catch (err) {
      throw new ConfigError("--set", [`${path.join(".")}: ${(err as Error).message.split("\n")[0]}`]);
    }
    let node = root;
    for (const [i, key] of path.slice(0, -1).entries()) {
      const next = node[key];
      if (next === undefined || next === null) node[key] = {};
      else if (!isObject(next))
        throw new ConfigError("--set", [
          `${o}: ${path.slice(0, i + 1).join(".")} is ${JSON.stringify(next)}, not a mapping`,
        ]);
      node = node[key] as Record<string, unknown>;
    }
    node[path.at(-1)!] = parsed;
  }
  return root;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Reads, parses and validates a YAML config; `overrides` (key.path=value) apply before validation. */
export function loadConfigFile<S extends z.ZodType>(
  schema: S,
  file: string,
  overrides: readonly string[] = [],
): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(file, [`cannot read file: ${(err as Error).message}`]);
  }
  const value = parseYaml(text, file);
  if (overrides.length === 0) return parseConfig(schema, value, file);
  return parseConfig(schema, applyOverrides(value, overrides), `${file} (with --set ${overrides.join(" ")})`);
}
