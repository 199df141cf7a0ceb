// Runs one CLI command module in-process, as `omni-thinker <args>` would, capturing what it prints.
// In-process (rather than spawning bin/omni-thinker.js) so a test depends only on the module under test.
import { Command } from "commander";
import type { CommandModule } from "../../src/cli/commands/index.js";

export interface CommandOutput {
  stdout: string;
  stderr: string;
}

/** Registers `mod` on a fresh program and parses `args`; rejects with whatever the command throws. */
export async function runCommand(mod: CommandModule, args: string[]): Promise<CommandOutput> {
  const program = new Command().name("omni-thinker").exitOverride();
  mod.register(program);
  const out: CommandOutput = { stdout: "", stderr: "" };
  const saved = { log: console.log, error: console.error };
  console.log = (...parts: unknown[]) => {
    out.stdout += `${parts.join(" ")}\n`;
  };
  console.error = (...parts: unknown[]) => {
    out.stderr += `${parts.join(" ")}\n`;
  };
  try {
    await program.parseAsync(["node", "omni-thinker", ...args]);
  } finally {
    console.log = saved.log;
    console.error = saved.error;
  }
  return out;
}
