// Picks the kernel backend: native when the addon loads, else the TypeScript reference.
// OMNI_BACKEND (native | reference | auto) overrides the caller's preference.
import type { Backend, BackendInfo } from "./backend.js";
import { NativeBackend } from "./native.js";
import { ReferenceBackend } from "./reference.js";

export type BackendPreference = "native" | "reference" | "auto";

let cached: { native?: Backend; reference?: Backend; nativeError?: string } = {};

function parsePreference(value: string, source: string): BackendPreference {
  if (value === "native" || value === "reference" || value === "auto") return value;
  throw new Error(`${source}: unknown backend "${value}" (expected native, reference or auto)`);
}

function native(): Backend {
  if (!cached.native) cached.native = new NativeBackend();
  return cached.native;
}

function reference(): Backend {
  if (!cached.reference) cached.reference = new ReferenceBackend();
  return cached.reference;
}

/**
 * Returns the backend to use (one shared instance per kind). "auto" (the default) prefers native and
 * falls back to reference when the addon is missing or fails to load; "native" throws instead.
 */
export function loadBackend(pref: BackendPreference = "auto"): Backend {
  const env = process.env.OMNI_BACKEND;
  const choice = env ? parsePreference(env, "OMNI_BACKEND") : parsePreference(pref, "loadBackend");
  if (choice === "reference") return reference();
  try {
    return native();
  } catch (err) {
    cached.nativeError = (err as Error).message;
    if (choice === "native") throw new Error(`native backend unavailable: ${cached.nativeError}`);
    return reference();
  }
}

/** Why the native backend did not load (after a loadBackend call fell back), else undefined. */
export function nativeLoadError(): string | undefined {
  return cached.nativeError;
}

/** Info about the backend loadBackend(pref) returns: backend, GEMM, OpenBLAS core type, threads. */
export function backendInfo(pref: BackendPreference = "auto"): BackendInfo {
  return loadBackend(pref).info();
}

/** Forgets loaded backends (tests). */
export function resetBackendCache(): void {
  cached = {};
}
