// The merge end to end: read the HF model directories a plan names, merge, write the result as a HF
// model directory (config.json from the base model, or the first model when there is none) and copy
// the tokenizer files from that same model. Every model is held in memory at once (f32).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { copyTokenizerFiles, type HfModel, readHfModelDir, writeHfModelDir } from "../models/hf-model.js";
import type { MergePlan } from "./config.js";
import { type LabeledTensors, type MergeProgress, mergeModels } from "./merge-models.js";

export interface MergeSummary {
  method: MergePlan["method"];
  base?: string;
  models: { path: string; weight: number; density: number }[];
  outDir: string;
  tensors: number;
  /** Parameters (elements) merged. */
  parameters: number;
  dtype: MergePlan["dtype"];
  /** The model whose config.json and tokenizer files were used. */
  configFrom: string;
  /** Tokenizer files copied (empty when that model has no tokenizer.json). */
  tokenizerFiles: string[];
  seconds: number;
}

export interface RunMergeOptions {
  onProgress?: (p: MergeProgress) => void;
  /** Called once the inputs are loaded, before merging (e.g. to print the parameter count). */
  onLoaded?: (info: { tensors: number; parameters: number }) => void;
}

export function runMerge(plan: MergePlan, outDir: string, opts: RunMergeOptions = {}): MergeSummary {
  const started = performance.now();
  const load = (path: string, label: string): LabeledTensors & Pick<HfModel, "config"> => {
    const m = readHfModelDir(path);
    return { label, tensors: m.tensors, config: m.config };
  };
  const base = plan.base ? load(plan.base.path, plan.base.label) : undefined;
  const models = plan.models.map((m) => load(m.path, m.label));
  const source = base ?? models[0]!;
  const sourcePath = plan.base?.path ?? plan.models[0]!.path;
  let parameters = 0;
  for (const t of source.tensors.values()) parameters += t.data.length;
  opts.onLoaded?.({ tensors: source.tensors.size, parameters });

  const merged = mergeModels(plan, base, models, opts.onProgress);
  writeHfModelDir(outDir, source.config, merged, { dtype: plan.dtype });
  const tokenizerFiles = existsSync(join(sourcePath, "tokenizer.json"))
    ? copyTokenizerFiles(sourcePath, outDir)
    : [];
  return {
    method: plan.method,
    base: plan.base?.path,
    models: plan.models.map((m) => ({ path: m.path, weight: m.weight, density: m.density })),
    outDir,
    tensors: merged.size,
    parameters,
    dtype: plan.dtype,
    configFrom: sourcePath,
    tokenizerFiles,
    seconds: (performance.now() - started) / 1000,
  };
}
