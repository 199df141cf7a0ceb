import type { NativeBackend } from "../../src/engine/native.js";

/**
 * Runs f with the native addon's GEMM switched to `which` (a process-wide setting), then restores the
 * GEMM that was in use, so a test does not change the default for the tests after it.
 */
export function withGemm<T>(nb: NativeBackend, which: "openblas" | "builtin", f: () => T): T {
  const before = nb.info().gemm === "builtin" ? "builtin" : "openblas";
  nb.setGemm(which);
  try {
    return f();
  } finally {
    nb.setGemm(before);
  }
}
