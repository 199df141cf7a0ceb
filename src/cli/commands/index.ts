// Registry of subcommands. Add one line per command module.
import type { Command } from "commander";
import * as demo from "./demo.js";
import * as doctor from "./doctor.js";
import * as evalCommand from "./eval.js";
import * as merge from "./merge.js";
import * as schedule from "./schedule.js";
import * as score from "./score.js";
import * as serve from "./serve.js";

export interface CommandModule {
  register(program: Command): void;
}

export const commandModules: CommandModule[] = [demo, doctor, evalCommand, merge, schedule, score, serve];
