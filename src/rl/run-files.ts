// The files of a run directory the trainer appends to: metrics.jsonl, samples.jsonl (one JSON object per
// line, each with its step), config.yaml and eval/step-N.json. On resume, lines of steps after the
// restored checkpoint are cut (atomically), so a killed run continues without duplicated or missing steps.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { writeFileAtomic, writeJsonAtomic } from "../util/atomic.js";

export class RunFiles {
  readonly metricsFile: string;
  readonly samplesFile: string;
  readonly configFile: string;
  readonly evalDir: string;

  constructor(readonly dir: string) {
    this.metricsFile = join(dir, "metrics.jsonl");
    this.samplesFile = join(dir, "samples.jsonl");
    this.configFile = join(dir, "config.yaml");
    this.evalDir = join(dir, "eval");
  }

  init(): void {
    mkdirSync(this.dir, { recursive: true });
  }

  writeConfig(resolved: unknown): void {
    writeFileAtomic(
      this.configFile,
      `# resolved train config (written by omni-thinker train)\n${YAML.stringify(resolved)}`,
    );
  }

  appendMetrics(record: Record<string, unknown>): void {
    appendFileSync(this.metricsFile, `${JSON.stringify(record)}\n`);
  }

  appendSamples(records: readonly Record<string, unknown>[]): void {
    if (records.length === 0) return;
    appendFileSync(this.samplesFile, records.map((r) => `${JSON.stringify(r)}\n`).join(""));
  }

  writeEval(step: number, result: unknown): string {
    mkdirSync(this.evalDir, { recursive: true });
    const file = join(this.evalDir, `step-${step}.json`);
    writeJsonAtomic(file, result);
    return file;
  }

  /** Keeps only the lines of steps <= `step` (and drops a torn last line) in metrics and samples. */
  truncateAfter(step: number): void {
    for (const file of [this.metricsFile, this.samplesFile]) {
      if (!existsSync(file)) continue;
      const kept: string[] = [];
      for (const line of readFileSync(file, "utf8").split("\n")) {
        if (line.trim() === "") continue;
        let rec: { step?: unknown };
        try {
          rec = JSON.parse(line);
        } catch {
          continue; // torn line from a killed writer
        }
        if (typeof rec.step === "number" && rec.step <= step) kept.push(line);
      }
      writeFileAtomic(file, kept.map((l) => `${l}\n`).join(""));
    }
  }
}

export function readJsonl(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));
}
