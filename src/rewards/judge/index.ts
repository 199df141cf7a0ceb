// LLM-as-a-judge: pairwise (MT-Bench style, both orders), score_model and label_model graders over a
// pluggable chat transport, with retries, timeouts, a persistent cache, statistics and canaries.
export { type ChatBackend, ChatBackendError, type ChatCompletionOptions } from "./backend.js";
export { cacheKey, JudgeCache } from "./cache.js";
export { CANARIES, type CanaryPrompt, type CanaryReport, checkCanaries } from "./canaries.js";
export { createJudgeClient, JudgeClient, type JudgeClientContext, type JudgeReply } from "./client.js";
export { JudgeEndpointConfig, resolveApiKey, resolveBaseUrl } from "./config.js";
export {
  askUntilParsed,
  ClientJudgeReward,
  isJudgeReward,
  type JudgeReward,
  type ParsedReply,
} from "./judge-reward.js";
export {
  createLabelModelGrader,
  LabelModelGrader,
  LabelModelGraderConfig,
  parseLabel,
} from "./label-model.js";
export { OpenAiChatBackend } from "./openai-backend.js";
export {
  createPairwiseJudgeReward,
  type Outcome,
  PairwiseJudgeConfig,
  PairwiseJudgeReward,
} from "./pairwise.js";
export { PAIRWISE_SYSTEM_PROMPT, pairwiseMessages, parseVerdict, type Verdict } from "./pairwise-prompt.js";
export { backoffDelay, callWithRetry, JudgeCallError, type RetryPolicy } from "./retry.js";
export {
  createScoreModelGrader,
  parseScore,
  ScoreModelGrader,
  ScoreModelGraderConfig,
} from "./score-model.js";
export { Semaphore } from "./semaphore.js";
export { formatJudgeStats, JudgeStats, type JudgeStatsSnapshot } from "./stats.js";
