// The omni-thinker command line. Each subcommand lives in its own file under ./commands and
// exports `register(program)`; this file only wires them together and turns errors into exit codes.
import { Command } from "commander";
import { ConfigError } from "../config/load.js";
import { commandModules } from "./commands/index.js";

export async function runCli(argv: string[]): Promise<void> {
  const program = new Command();
  program
    .name("omni-thinker")
    .description("Multi-task RL for language models with hybrid rewards and task scheduling")
    .version("0.1.0");
  for (const mod of commandModules) mod.register(program);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    // Users get the message (which names the file, field or line); OMNI_DEBUG=1 adds the stack.
    if (err instanceof ConfigError) console.error(err.message);
    else if (process.env.OMNI_DEBUG) console.error(`omni-thinker: ${(err as Error).stack ?? String(err)}`);
    else console.error(`omni-thinker: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = process.exitCode || 1;
  }
}
