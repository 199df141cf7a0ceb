// Depth up-scaling: a deeper model that starts out computing exactly what the shallower one computes.
// Each decoder layer is repeated `factor` times in place (layer i becomes layers i*factor ..
// i*factor + factor - 1). The repeats keep the layer's weights but start with zero output projections
// (self_attn.o_proj and mlp.down_proj, and o_proj's bias), so they add nothing to the residual stream
// until training moves those projections: the deeper model's logits equal the original's at step 0.
// Used to give a fine-tuned model more depth than its base (the judge recipe's --depth).
import type { LlamaConfig } from "./config.js";
import { LlamaModel } from "./llama.js";

const LAYER_NAME = /^model\.layers\.(\d+)\.(.+)$/;
/** The projections that write into the residual stream: zero in a repeat. */
const OUTPUT_PROJECTIONS = new Set([
  "self_attn.o_proj.weight",
  "self_attn.o_proj.bias",
  "mlp.down_proj.weight",
]);

function deepenConfig(config: LlamaConfig, factor: number): LlamaConfig {
  return { ...config, num_hidden_layers: config.num_hidden_layers * factor };
}

/** A new model with every layer repeated `factor` times (fresh weight copies, same backend). */
export function deepenModel(model: LlamaModel, factor: number): LlamaModel {
  if (!Number.isInteger(factor) || factor < 1)
    throw new Error(`deepen: factor must be an integer >= 1, got ${factor}`);
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const p of model.params.values()) {
    const m = LAYER_NAME.exec(p.name);
    if (!m) {
      tensors.set(p.name, { shape: [...p.shape], data: p.data.slice() });
      continue;
    }
    const layer = Number(m[1]);
    const rest = m[2]!;
    for (let k = 0; k < factor; k++) {
      const data = k > 0 && OUTPUT_PROJECTIONS.has(rest) ? new Float32Array(p.data.length) : p.data.slice();
      tensors.set(`model.layers.${layer * factor + k}.${rest}`, { shape: [...p.shape], data });
    }
  }
  return LlamaModel.fromTensors(deepenConfig(model.config, factor), tensors, { backend: model.backend });
}
