// Public entry of the sandbox layer: runners for untrusted Python, local or remote, behind one interface.
import { LocalSandboxConfig, type SandboxConfig, SandboxFusionConfig } from "./config.js";
import { createSandboxFusionClient } from "./fusion.js";
import { createLocalSandbox } from "./local.js";
import type { CodeRunner } from "./types.js";

export {
  ISOLATION_MODES,
  type IsolationMode,
  LocalSandboxConfig,
  SandboxConfig,
  SandboxFusionConfig,
} from "./config.js";
export { createSandboxFusionClient } from "./fusion.js";
export { createLocalSandbox, type LocalSandbox } from "./local.js";
export { Semaphore } from "./semaphore.js";
export type { CodeRunner, RunRequest, RunResult, RunStatus } from "./types.js";

/** Builds the runner a parsed `SandboxConfig` describes; `concurrency` overrides the config's when given. */
export function createCodeRunner(cfg: SandboxConfig, concurrency?: number): CodeRunner {
  const withConcurrency = concurrency === undefined ? cfg : { ...cfg, concurrency };
  return withConcurrency.kind === "local"
    ? createLocalSandbox(LocalSandboxConfig.parse(withConcurrency))
    : createSandboxFusionClient(SandboxFusionConfig.parse(withConcurrency));
}
