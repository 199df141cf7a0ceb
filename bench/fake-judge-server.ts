// The fake OpenAI-compatible judge server of test/helpers, as its own process for the rewards benchmark:
// a real judge runs in another process, so its request handling must not eat the client's CPU time.
//   node dist/bench/fake-judge-server.js <latency_ms>
// Prints its base URL on stdout, then serves until SIGTERM or until stdin closes (its parent is gone).
import { startFakeOpenAiServer } from "../test/helpers/fake-openai-server.js";

const latencyMs = Number(process.argv[2] ?? 200);
const server = await startFakeOpenAiServer({ latencyMs, verdict: () => "A" });
console.log(server.baseUrl);
const stop = () => {
  void server.close().then(() => process.exit(0));
};
process.once("SIGTERM", stop);
process.stdin.on("end", stop);
process.stdin.resume();
