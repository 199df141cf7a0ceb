// Child-process entry for RL tests: `node dist/test/helpers/train-cli.js train ...` runs only the train
// command module, exactly as `omni-thinker train ...` would, so tests can SIGKILL a real training process.
import { Command } from "commander";
import * as trainCommand from "../../src/cli/commands/train.js";

const program = new Command().name("omni-thinker");
trainCommand.register(program);
try {
  await program.parseAsync(process.argv);
} catch (err) {
  console.error(`omni-thinker: ${(err as Error).message}`);
  process.exitCode = 1;
}
