// report.html: report.md's content plus four inline SVG charts (no chart library): per-task bars per
// arm, the BWT heatmap, predicted vs measured scores, and token entropy at each curriculum stage end.
import type { ExperimentResult } from "./experiment-runner.js";
import { renderReportMarkdown } from "./report.js";

const PALETTE = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
];

export const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const n2 = (x: number) => (Math.round(x * 100) / 100).toString();

function svg(w: number, h: number, body: string, title: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(title)}" font-family="sans-serif" font-size="11">${body}</svg>`;
}

function legend(items: { label: string; color: string }[], x: number, y: number): string {
  return items
    .map(
      (it, i) =>
        `<rect x="${x}" y="${y + i * 16}" width="10" height="10" fill="${it.color}"/><text x="${x + 14}" y="${y + i * 16 + 9}">${esc(it.label)}</text>`,
    )
    .join("");
}

function yAxis(x: number, y0: number, h: number, lo: number, hi: number, width: number, ticks = 5): string {
  let out = `<line x1="${x}" y1="${y0}" x2="${x}" y2="${y0 + h}" stroke="#333"/>`;
  for (let i = 0; i <= ticks; i++) {
    const v = lo + ((hi - lo) * i) / ticks;
    const y = y0 + h - (h * i) / ticks;
    out += `<line x1="${x - 3}" y1="${y}" x2="${x}" y2="${y}" stroke="#333"/><text x="${x - 5}" y="${y + 4}" text-anchor="end">${n2(v)}</text>`;
    out += `<line x1="${x}" y1="${y}" x2="${x + width}" y2="${y}" stroke="#eee"/>`;
  }
  return out;
}

/** Grouped bars: one group per task (plus the mean), one bar per arm; whiskers = std over seeds. */
export function barsSvg(r: ExperimentResult): string {
  const groups = [...r.tasks, "mean"];
  const arms = r.arms;
  const barW = 12;
  const groupW = arms.length * barW + 16;
  const [L, T, H] = [44, 16, 200];
  const W = L + groups.length * groupW + 190;
  const hi = Math.max(
    0.05,
    ...arms.flatMap((a) => [...r.tasks.map((t) => a.perTask[t]!.mean + a.perTask[t]!.std), a.summary.mean]),
  );
  const top = Math.min(1, Math.ceil(hi * 10) / 10);
  const y = (v: number) => T + H - (H * Math.max(0, v)) / top;
  let body = yAxis(L, T, H, 0, top, groups.length * groupW);
  groups.forEach((g, gi) => {
    const gx = L + 8 + gi * groupW;
    arms.forEach((a, ai) => {
      const v = g === "mean" ? a.summary.mean : a.perTask[g]!.mean;
      const sd = g === "mean" ? (a.summary.spreadKind === "seeds" ? a.summary.spread : 0) : a.perTask[g]!.std;
      const x = gx + ai * barW;
      body += `<rect x="${x}" y="${y(v)}" width="${barW - 2}" height="${T + H - y(v)}" fill="${PALETTE[ai % PALETTE.length]}"><title>${esc(`${a.arm} ${g}: ${v.toFixed(4)}`)}</title></rect>`;
      if (sd > 0)
        body += `<line x1="${x + (barW - 2) / 2}" x2="${x + (barW - 2) / 2}" y1="${y(v + sd)}" y2="${y(v - sd)}" stroke="#000"/>`;
    });
    body += `<text x="${gx + (arms.length * barW) / 2}" y="${T + H + 14}" text-anchor="middle">${esc(g)}</text>`;
  });
  body += legend(
    arms.map((a, i) => ({ label: a.arm, color: PALETTE[i % PALETTE.length]! })),
    L + groups.length * groupW + 10,
    T,
  );
  return svg(W, T + H + 24, body, "normalized score per task and arm");
}

/** K x K heatmap of B[j -> i]; blue = helps, red = forgetting; the diagonal is blank. */
export function heatmapSvg(r: ExperimentResult): string {
  const b = r.bwt;
  if (!b) return "";
  const k = b.tasks.length;
  const cell = 56;
  const [L, T] = [80, 40];
  const maxAbs = Math.max(1e-9, ...b.B.flatMap((row, j) => row.filter((_, i) => i !== j).map(Math.abs)));
  let body = `<text x="${L + (k * cell) / 2}" y="14" text-anchor="middle">affected task i (trained earlier)</text>`;
  body += `<text x="12" y="${T + (k * cell) / 2}" transform="rotate(-90 12 ${T + (k * cell) / 2})" text-anchor="middle">later task j</text>`;
  b.tasks.forEach((t, i) => {
    body += `<text x="${L + i * cell + cell / 2}" y="${T - 6}" text-anchor="middle">${esc(t)}</text>`;
    body += `<text x="${L - 6}" y="${T + i * cell + cell / 2 + 4}" text-anchor="end">${esc(t)}</text>`;
  });
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < k; i++) {
      const x = L + i * cell;
      const yy = T + j * cell;
      if (i === j) {
        body += `<rect x="${x}" y="${yy}" width="${cell}" height="${cell}" fill="#f4f4f4" stroke="#fff"/>`;
        continue;
      }
      const v = b.B[j]![i]!;
      const a = Math.min(1, Math.abs(v) / maxAbs);
      const [rr, gg, bb] =
        v >= 0 ? [255 - 177 * a, 255 - 134 * a, 255 - 88 * a] : [255 - 30 * a, 255 - 168 * a, 255 - 166 * a];
      body += `<rect x="${x}" y="${yy}" width="${cell}" height="${cell}" fill="rgb(${rr | 0},${gg | 0},${bb | 0})" stroke="#fff"><title>${esc(`B[${b.tasks[j]} -> ${b.tasks[i]}] = ${v.toFixed(4)}`)}</title></rect>`;
      body += `<text x="${x + cell / 2}" y="${yy + cell / 2 + 4}" text-anchor="middle">${v >= 0 ? "+" : ""}${v.toFixed(3)}</text>`;
    }
  }
  return svg(L + k * cell + 10, T + k * cell + 10, body, "BWT heatmap");
}

/** Predicted vs measured final score per (order, task), colored by task, with the y = x line. */
export function scatterSvg(r: ExperimentResult): string {
  const p = r.prediction;
  const b = r.bwt;
  if (!p || !b) return "";
  const pts: { x: number; y: number; task: string; order: string }[] = [];
  for (const o of p.orders) {
    const pred = r.orders.find((x) => x.order.join(">") === o.order.join(">"))!.predicted.perTask;
    for (const t of r.tasks)
      pts.push({ x: pred[t]!, y: o.actualPerTask[t]!, task: t, order: o.order.join(" → ") });
  }
  const vals = pts.flatMap((q) => [q.x, q.y]);
  let lo = Math.min(0, ...vals);
  let hi = Math.max(0.1, ...vals);
  const pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  const S = 240;
  const [L, T] = [44, 12];
  const sx = (v: number) => L + ((v - lo) / (hi - lo)) * S;
  const sy = (v: number) => T + S - ((v - lo) / (hi - lo)) * S;
  let body = yAxis(L, T, S, lo, hi, S);
  body += `<line x1="${L}" y1="${T + S}" x2="${L + S}" y2="${T + S}" stroke="#333"/>`;
  for (let i = 0; i <= 5; i++) {
    const v = lo + ((hi - lo) * i) / 5;
    body += `<text x="${sx(v)}" y="${T + S + 14}" text-anchor="middle">${n2(v)}</text>`;
  }
  body += `<line x1="${sx(lo)}" y1="${sy(lo)}" x2="${sx(hi)}" y2="${sy(hi)}" stroke="#999" stroke-dasharray="4 3"/>`;
  body += `<text x="${L + S / 2}" y="${T + S + 30}" text-anchor="middle">predicted final score</text>`;
  body += `<text x="12" y="${T + S / 2}" transform="rotate(-90 12 ${T + S / 2})" text-anchor="middle">measured</text>`;
  for (const q of pts) {
    const color = PALETTE[r.tasks.indexOf(q.task) % PALETTE.length];
    body += `<circle cx="${sx(q.x)}" cy="${sy(q.y)}" r="4" fill="${color}" fill-opacity="0.8"><title>${esc(`${q.task} in ${q.order}: predicted ${q.x.toFixed(4)}, measured ${q.y.toFixed(4)}`)}</title></circle>`;
  }
  body += legend(
    r.tasks.map((t, i) => ({ label: t, color: PALETTE[i % PALETTE.length]! })),
    L + S + 14,
    T,
  );
  return svg(L + S + 110, T + S + 40, body, "predicted vs measured");
}

/** Per curriculum (seed 0): every task's token entropy after each stage (stage 0 = the base model). */
export function entropySvg(r: ExperimentResult): string {
  const curricula = r.curricula.filter(
    (c, i, all) => c.seed === 0 && all.findIndex((d) => d.name === c.name) === i,
  );
  if (curricula.length === 0) return "";
  const ent = curricula.flatMap((c) =>
    [c.start, ...c.stages.map((s) => s.scores)].flatMap((sc) => r.tasks.map((t) => sc[t]?.entropy ?? 0)),
  );
  const hi = Math.max(1e-6, ...ent) * 1.05;
  const [W, H, L, T] = [220, 140, 40, 24];
  const panels = curricula.map((c) => {
    const points = [c.start, ...c.stages.map((s) => s.scores)];
    const sx = (i: number) => L + (i * W) / Math.max(1, points.length - 1);
    const sy = (v: number) => T + H - (H * v) / hi;
    let body = `<text x="${L}" y="12">${esc(c.order.join(" → "))}</text>`;
    body += yAxis(L, T, H, 0, hi, W, 4);
    points.forEach((_, i) => {
      const lbl = i === 0 ? "base" : c.stages[i - 1]!.task;
      body += `<text x="${sx(i)}" y="${T + H + 14}" text-anchor="middle">${esc(lbl)}</text>`;
    });
    r.tasks.forEach((t, ti) => {
      const color = PALETTE[ti % PALETTE.length];
      const ys = points.map((p) => p[t]?.entropy ?? 0);
      body += `<polyline fill="none" stroke="${color}" stroke-width="2" points="${ys.map((v, i) => `${sx(i)},${sy(v)}`).join(" ")}"/>`;
      ys.forEach((v, i) => {
        body += `<circle cx="${sx(i)}" cy="${sy(v)}" r="2.5" fill="${color}"><title>${esc(`${t} entropy ${v.toFixed(3)}`)}</title></circle>`;
      });
    });
    return svg(L + W + 20, T + H + 22, body, `entropy per stage: ${c.order.join(" > ")}`);
  });
  const leg = svg(
    120,
    16 * r.tasks.length + 4,
    legend(
      r.tasks.map((t, i) => ({ label: t, color: PALETTE[i % PALETTE.length]! })),
      2,
      2,
    ),
    "tasks",
  );
  return `${panels.join("\n")}\n${leg}`;
}

/** Minimal markdown to HTML for report.md's own constructs: headings, tables, lists, bold, code. */
export function markdownToHtml(md: string): string {
  const inline = (s: string) =>
    esc(s)
      .replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")
      .replace(/`([^`]+)`/g, "<code>$1</code>")
      .replace(/\\\*/g, "*");
  const out: string[] = [];
  const lines = md.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith("|")) {
      const rows: string[][] = [];
      while (i < lines.length && lines[i]!.startsWith("|")) {
        const cells = lines[i]!.slice(1, -1)
          .split(" | ")
          .map((c) => c.trim());
        if (!cells.every((c) => /^-+$/.test(c.replace(/\|/g, "").trim()) || c === "---")) rows.push(cells);
        i++;
      }
      i--;
      const [head, ...bodyRows] = rows;
      out.push(
        `<table><thead><tr>${head!.map((c) => `<th>${inline(c)}</th>`).join("")}</tr></thead><tbody>${bodyRows
          .map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join("")}</tr>`)
          .join("")}</tbody></table>`,
      );
    } else if (line.startsWith("### ")) out.push(`<h3>${inline(line.slice(4))}</h3>`);
    else if (line.startsWith("## ")) out.push(`<h2>${inline(line.slice(3))}</h2>`);
    else if (line.startsWith("# ")) out.push(`<h1>${inline(line.slice(2))}</h1>`);
    else if (line.startsWith("- ")) {
      const items: string[] = [];
      while (i < lines.length && lines[i]!.startsWith("- "))
        items.push(`<li>${inline(lines[i++]!.slice(2))}</li>`);
      i--;
      out.push(`<ul>${items.join("")}</ul>`);
    } else if (line.trim() !== "") out.push(`<p>${inline(line)}</p>`);
  }
  return out.join("\n");
}

export function renderReportHtml(r: ExperimentResult): string {
  const md = renderReportMarkdown(r);
  const charts = [
    ["Normalized score per task and arm", barsSvg(r)],
    ["Backward transfer B[j → i]", heatmapSvg(r)],
    ["Predicted vs measured final score per (order, task)", scatterSvg(r)],
    ["Token entropy at each stage end", entropySvg(r)],
  ]
    .filter(([, s]) => s !== "")
    .map(([title, s]) => `<section><h2>${esc(title!)}</h2>\n${s}</section>`)
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(`Omni-Thinker experiment: ${r.name}`)}</title>
<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:0.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
th:first-child,td:first-child,td:nth-child(2){text-align:left}code{background:#f4f4f4}svg{margin:0.5em 1em 0.5em 0}</style>
</head><body>
${charts}
${markdownToHtml(md)}
</body></html>
`;
}
