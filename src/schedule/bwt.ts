// The backward-transfer (BWT) matrix file, bwt.json, and its loader.
//
// Index convention (read this before filling a matrix by hand):
//
//   B[j][i] = B[j -> i] = the change in task i's normalized test score caused by training task j
//                         AFTER task i.
//
//   row    j = the task trained LATER (the one doing the damage or the help),
//   column i = the task AFFECTED (trained earlier, evaluated at the end).
//
// Negative entries mean forgetting. The diagonal B[i][i] has no meaning (a task is not trained after
// itself) and is ignored; write 0 there. A_star[i] is task i's normalized score right after its own
// stage (assumption 2 of the method: a stage saturates its task).
import { readFileSync } from "node:fs";
import { z } from "zod";
import { ConfigError, parseConfig } from "../config/load.js";
import { writeJsonAtomic } from "../util/atomic.js";

const matrix = z.array(z.array(z.number()));

export const BwtFileSchema = z
  .strictObject({
    /** K task names; their order fixes the index of every vector and matrix below. */
    tasks: z.array(z.string().min(1)).min(1),
    /** A_star[i]: task i's normalized single-task score. */
    A_star: z.array(z.number()),
    /** B[j][i] = B[j -> i]: change of task i's score when task j is trained after it (row = later task). */
    B: matrix,
    /** Standard error of each B entry over seeds (same convention as B). */
    B_stderr: matrix.optional(),
    /** "full": every pair measured by training j after i (O(K^2) runs); "cheap": single-task runs only. */
    mode: z.enum(["full", "cheap"]),
    /** Number of seeds averaged into B. */
    seeds: z.number().int().positive().optional(),
    /** Normalized scores of the base model, before any training (same task order). */
    base: z.array(z.number()).optional(),
  })
  .superRefine((f, ctx) => {
    const k = f.tasks.length;
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: "custom", path, message });
    const seen = new Set<string>();
    f.tasks.forEach((t, i) => {
      if (seen.has(t)) issue(["tasks", i], `duplicate task name "${t}"`);
      seen.add(t);
    });
    const checkVector = (field: "A_star" | "base", v: number[] | undefined) => {
      if (v && v.length !== k)
        issue([field], `expected ${k} entries (one per task in "tasks"), got ${v.length}`);
    };
    const checkMatrix = (field: "B" | "B_stderr", m: number[][] | undefined) => {
      if (!m) return;
      if (m.length !== k) issue([field], `expected ${k} rows (one per task in "tasks"), got ${m.length}`);
      m.forEach((row, j) => {
        if (row.length !== k)
          issue([field, j], `expected ${k} columns (one per task in "tasks"), got ${row.length}`);
      });
    };
    checkVector("A_star", f.A_star);
    checkVector("base", f.base);
    checkMatrix("B", f.B);
    checkMatrix("B_stderr", f.B_stderr);
    f.B_stderr?.forEach((row, j) => {
      row.forEach((s, i) => {
        if (s < 0) issue(["B_stderr", j, i], `a standard error cannot be negative (got ${s})`);
      });
    });
  });

export type BwtFile = z.output<typeof BwtFileSchema>;

/** Validates an already-parsed bwt.json value; `source` names it in errors. */
export function parseBwt(value: unknown, source = "<bwt>"): BwtFile {
  return parseConfig(BwtFileSchema, value, source);
}

/** Reads and validates a bwt.json file. Errors name the file and the field, e.g. `B[2]`. */
export function readBwtFile(file: string): BwtFile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new ConfigError(file, [`cannot read JSON: ${(err as Error).message}`]);
  }
  return parseBwt(json, file);
}

/** Writes a bwt.json file atomically, after validating it. */
export function writeBwtFile(file: string, bwt: BwtFile): void {
  writeJsonAtomic(file, parseBwt(bwt, file));
}

/** B[later -> affected], with the convention spelled out at the call site. */
export function transfer(bwt: BwtFile, later: number, affected: number): number {
  return bwt.B[later]![affected]!;
}
