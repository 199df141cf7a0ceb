// `omni-thinker serve <what>`: long-running HTTP services.
//   serve rewards   the reward service (OpenRLHF --remote_rm_url, verl via integrations/verl).
// Further services (e.g. `serve model`, an OpenAI-compatible endpoint for a local model) are added as
// sibling subcommands below, each in its own add* function.
import { basename, resolve } from "node:path";
import type { Command } from "commander";
import { LocalChatModel } from "../../models/chat-model.js";
import { startModelServer } from "../../models/openai-server.js";
import { loadRewardRouter } from "../../rewards/router.js";
import { startRewardServer } from "../../rewards/server.js";

interface ServeRewardsOptions {
  rewards: string;
  port: string;
  host: string;
  defaultTask?: string;
  maxBodyMb: string;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0..65535, got ${text}`);
  return port;
}

function addServeRewards(serve: Command): void {
  serve
    .command("rewards")
    .description("serve the reward router over HTTP (OpenRLHF remote RM protocol, /score for verl)")
    .requiredOption("--rewards <file>", "rewards YAML (data_source -> reward)")
    .option("--port <n>", "port to listen on (0 = any free port)", "8000")
    .option("--host <addr>", "address to bind", "127.0.0.1")
    .option("--default-task <name>", "data_source for labels that are plain ground-truth strings")
    .option("--max-body-mb <n>", "largest accepted request body, in MiB", "64")
    .action(async (opts: ServeRewardsOptions) => {
      const maxBodyMb = Number(opts.maxBodyMb);
      if (!(maxBodyMb > 0)) throw new Error(`--max-body-mb must be positive, got ${opts.maxBodyMb}`);
      const router = loadRewardRouter(opts.rewards);
      if (opts.defaultTask && !router.has(opts.defaultTask)) {
        await router.close();
        throw new Error(`--default-task ${opts.defaultTask}: no reward in ${opts.rewards} matches it`);
      }
      const running = await startRewardServer({
        router,
        host: opts.host,
        port: parsePort(opts.port),
        defaultTask: opts.defaultTask,
        maxBodyBytes: Math.floor(maxBodyMb * 1024 * 1024),
      });
      console.log(`reward server listening on ${running.url} (rewards: ${router.patterns.join(", ")})`);
      const shutdown = async () => {
        await running.close();
        await router.close();
      };
      process.once("SIGINT", () => void shutdown());
      process.once("SIGTERM", () => void shutdown());
    });
}

interface ServeModelOptions {
  model: string;
  port: string;
  host: string;
  name?: string;
  maxBatch: string;
}

function addServeModel(serve: Command): void {
  serve
    .command("model")
    .description(
      "serve a local HF model directory OpenAI-compatibly (/v1/chat/completions, /v1/models, /health)",
    )
    .requiredOption("--model <dir>", "HF model directory (config.json, model.safetensors, tokenizer files)")
    .option("--port <n>", "port to listen on (0 = any free port)", "8001")
    .option("--host <addr>", "address to bind", "127.0.0.1")
    .option("--name <id>", "model id reported by /v1/models (default: the directory's name)")
    .option("--max-batch <n>", "most sequences decoded together in one sampler call", "32")
    .action(async (opts: ServeModelOptions) => {
      const maxBatchRows = Number(opts.maxBatch);
      if (!Number.isInteger(maxBatchRows) || maxBatchRows < 1)
        throw new Error(`--max-batch must be a positive integer, got ${opts.maxBatch}`);
      const model = LocalChatModel.load(opts.model, { maxBatchRows });
      const modelId = opts.name ?? basename(resolve(opts.model));
      const running = await startModelServer({ model, modelId, host: opts.host, port: parsePort(opts.port) });
      console.log(`model server listening on ${running.url}/v1 (model: ${modelId})`);
      const shutdown = async () => {
        await running.close();
      };
      process.once("SIGINT", () => void shutdown());
      process.once("SIGTERM", () => void shutdown());
    });
}

export function register(program: Command): void {
  const serve = program.command("serve").description("run an HTTP service");
  addServeRewards(serve);
  addServeModel(serve);
}
