// What `omni-thinker data inspect` reports about a dataset file: rows by data_source and difficulty,
// rows by extra_info.split, and every schema problem located as file:line: field.
import { checkRows } from "./io.js";
import { formatProblem, type RowProblem } from "./schema.js";

export interface SourceCounts {
  rows: number;
  /** difficulty level (as a string key) -> rows. */
  byDifficulty: Record<string, number>;
  /** Mean characters of the user prompt. */
  meanPromptChars: number;
  /** Rows whose extra_info carries a reference response (an SFT target). */
  withReference: number;
}

export interface FileInspection {
  file: string;
  rows: number;
  /** Valid rows by data_source. */
  bySource: Record<string, SourceCounts>;
  /** Valid rows by extra_info.split. */
  bySplit: Record<string, number>;
  problems: RowProblem[];
  /** Rows (lines) with at least one problem. */
  badRows: number;
}

/** Sorted copy of a record, so reports do not depend on row order. */
function sorted<T>(rec: Record<string, T>, numeric = false): Record<string, T> {
  const keys = Object.keys(rec).sort(numeric ? (a, b) => Number(a) - Number(b) : undefined);
  return Object.fromEntries(keys.map((k) => [k, rec[k]!]));
}

export async function inspectFile(file: string): Promise<FileInspection> {
  const { rows, problems } = await checkRows(file);
  const bySource: Record<string, SourceCounts> = {};
  const promptChars: Record<string, number> = {};
  const bySplit: Record<string, number> = {};
  for (const row of rows) {
    let c = bySource[row.data_source];
    if (!c) {
      c = { rows: 0, byDifficulty: {}, meanPromptChars: 0, withReference: 0 };
      bySource[row.data_source] = c;
    }
    c.rows++;
    const d = row.extra_info.difficulty === undefined ? "none" : String(row.extra_info.difficulty);
    c.byDifficulty[d] = (c.byDifficulty[d] ?? 0) + 1;
    if (typeof row.extra_info.reference === "string" && row.extra_info.reference !== "") c.withReference++;
    promptChars[row.data_source] =
      (promptChars[row.data_source] ?? 0) + row.prompt.reduce((a, m) => a + m.content.length, 0);
    const split = row.extra_info.split ?? "none";
    bySplit[split] = (bySplit[split] ?? 0) + 1;
  }
  for (const [source, c] of Object.entries(bySource)) {
    c.meanPromptChars = Math.round(promptChars[source]! / c.rows);
    c.byDifficulty = sorted(c.byDifficulty, true);
  }
  const badRows = new Set(problems.map((p) => p.line)).size;
  return {
    file,
    rows: rows.length + badRows,
    bySource: sorted(bySource),
    bySplit: sorted(bySplit),
    problems,
    badRows,
  };
}

function table(header: string[], body: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...body.map(line)];
}

/** The human report for one file; at most `maxProblems` problems are listed. */
export function formatInspection(r: FileInspection, maxProblems = 50): string {
  const out = [`${r.file}: ${r.rows} rows, ${r.badRows} with problems (${r.problems.length} problems)`];
  const levels = [...new Set(Object.values(r.bySource).flatMap((c) => Object.keys(c.byDifficulty)))].sort(
    (a, b) => Number(a) - Number(b),
  );
  const sources = Object.entries(r.bySource);
  if (sources.length > 0) {
    const header = ["data_source", "rows", ...levels.map((l) => `d${l}`), "prompt_chars", "reference"];
    const body = sources.map(([name, c]) => [
      name,
      String(c.rows),
      ...levels.map((l) => String(c.byDifficulty[l] ?? 0)),
      String(c.meanPromptChars),
      String(c.withReference),
    ]);
    out.push(...table(header, body).map((l) => `  ${l}`));
    out.push(
      `  splits: ${Object.entries(r.bySplit)
        .map(([s, n]) => `${s} ${n}`)
        .join(", ")}`,
    );
  }
  if (r.problems.length > 0) {
    out.push("  problems:");
    for (const p of r.problems.slice(0, maxProblems)) out.push(`    ${formatProblem(p)}`);
    if (r.problems.length > maxProblems) out.push(`    ... and ${r.problems.length - maxProblems} more`);
  }
  return out.join("\n");
}
