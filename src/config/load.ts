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

export function loadConfigFile<S extends z.ZodType>(schema: S, file: string): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(file, [`cannot read file: ${(err as Error).message}`]);
  }
  return parseConfig(schema, parseYaml(text, file), file);
}
