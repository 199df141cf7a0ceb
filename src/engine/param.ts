// A named trainable tensor. The model owns these; the optimizer walks them.
export interface ParamTensor {
  name: string;
  shape: number[];
  data: Float32Array;
  /** Accumulated gradient; null when the parameter is frozen (no grad, no update). */
  grad: Float32Array | null;
}
