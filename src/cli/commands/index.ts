// Registry of subcommands. Add one line per command module.
import type { Command } from "commander";

export interface CommandModule {
  register(program: Command): void;
}

export const commandModules: CommandModule[] = [];
