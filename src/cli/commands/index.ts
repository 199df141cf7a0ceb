// Registry of subcommands. Add one line per command module.
import type { Command } from "commander";
import * as bwt from "./bwt.js";
import * as canaries from "./canaries.js";
import * as curriculum from "./curriculum.js";
import * as data from "./data.js";
import * as demo from "./demo.js";
import * as doctor from "./doctor.js";
import * as evalCommand from "./eval.js";
import * as experiment from "./experiment.js";
import * as merge from "./merge.js";
import * as pipeline from "./pipeline.js";
import * as schedule from "./schedule.js";
import * as score from "./score.js";
import * as serve from "./serve.js";
import * as trainCommand from "./train.js";

export interface CommandModule {
  register(program: Command): void;
}

export const commandModules: CommandModule[] = [
  bwt,
  canaries,
  curriculum,
  data,
  demo,
  doctor,
  evalCommand,
  experiment,
  merge,
  pipeline,
  schedule,
  score,
  serve,
  trainCommand,
];
