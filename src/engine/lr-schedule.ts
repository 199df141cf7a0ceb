// Learning-rate schedule: linear warmup, then cosine decay to minLr.

export interface LrSchedule {
  /** Peak learning rate, reached at the end of warmup. */
  lr: number;
  /** Steps of linear warmup (0 = none). */
  warmupSteps: number;
  /** Total optimizer steps; the cosine reaches minLr here and stays there. */
  totalSteps: number;
  /** Final learning rate (default 0). */
  minLr?: number;
}

/**
 * The learning rate for optimizer step `step` (1-based: the first update is step 1).
 * Warmup: lr * step / warmupSteps for step <= warmupSteps.
 * Then: minLr + (lr - minLr) * (1 + cos(pi * progress)) / 2, progress = (step - warmup) / (total - warmup).
 */
export function learningRateAt(step: number, s: LrSchedule): number {
  const minLr = s.minLr ?? 0;
  if (s.warmupSteps > 0 && step <= s.warmupSteps) return (s.lr * step) / s.warmupSteps;
  if (step >= s.totalSteps) return minLr;
  const progress = (step - s.warmupSteps) / Math.max(1, s.totalSteps - s.warmupSteps);
  return minLr + ((s.lr - minLr) * (1 + Math.cos(Math.PI * progress))) / 2;
}
