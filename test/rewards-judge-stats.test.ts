// Judge health metrics, with hand-counted expectations: flip rate, tie rate, longer-wins rate, latency
// percentiles, cache hit rate, retries and the per-status counts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { formatJudgeStats, JudgeStats, percentile } from "../src/rewards/judge/stats.js";

test("percentiles are nearest-rank on the sorted latencies", () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(oneToHundred, 0.5), 50);
  assert.equal(percentile(oneToHundred, 0.99), 99);
  assert.equal(percentile(oneToHundred, 1), 100);
  assert.equal(percentile([7], 0.99), 7);
  assert.equal(percentile([], 0.5), null);
});

test("every rate is counted over the right denominator", () => {
  const s = new JudgeStats();
  for (const status of ["ok", "ok", "ok", "judge_error", "judge_unparseable"] as const)
    s.recordStatus(status);
  s.recordPair(true, undefined, 5); // orders disagreed: a tie, and a flip
  s.recordPair(false, true, 10); // the longer response won
  s.recordPair(false, false, 10); // the longer response lost (the shorter reference won)
  s.recordPair(false, true, -3); // the shorter response won
  s.recordPair(false, undefined, 0); // a tie
  s.recordPair(false, true, 0); // equal lengths: not counted for length bias
  s.recordCall(100, 1);
  s.recordCall(300, 3);
  s.recordCall(200, 1);
  s.recordCacheHit();
  const snap = s.snapshot();
  assert.equal(snap.judged, 5);
  assert.deepEqual(snap.statusCounts, { ok: 3, judge_error: 1, judge_unparseable: 1 });
  assert.equal(snap.positionFlipRate, 1 / 6);
  assert.equal(snap.tieRate, 2 / 6);
  assert.equal(snap.longerWinsRate, 1 / 3); // decided with different lengths: 3; the longer won 1
  assert.equal(snap.latencyP50Ms, 200);
  assert.equal(snap.latencyP99Ms, 300);
  assert.equal(snap.backendCalls, 3);
  assert.equal(snap.retries, 2);
  assert.equal(snap.cacheHits, 1);
  assert.equal(snap.cacheHitRate, 1 / 4);
  assert.equal(
    formatJudgeStats("writing", snap),
    "judge writing: judged=5 [ok=3 judge_error=1 judge_unparseable=1] flip=16.7% tie=33.3% " +
      "longer_wins=33.3% p50=200ms p99=300ms cache_hit=25.0% calls=3 retries=2",
  );
});

test("with nothing recorded the rates are null, not zero", () => {
  const snap = new JudgeStats().snapshot();
  assert.deepEqual(
    [snap.positionFlipRate, snap.tieRate, snap.longerWinsRate, snap.latencyP50Ms, snap.cacheHitRate],
    [null, null, null, null, null],
  );
  assert.match(formatJudgeStats("j", snap), /flip=- tie=- longer_wins=- p50=- p99=- cache_hit=-/);
});

test("latency percentiles follow the most recent 10,000 calls", () => {
  const s = new JudgeStats();
  for (let i = 0; i < 10_000; i++) s.recordCall(1000, 1);
  for (let i = 0; i < 10_000; i++) s.recordCall(5, 1);
  const snap = s.snapshot();
  assert.equal(snap.latencyP99Ms, 5);
  assert.equal(snap.backendCalls, 20_000);
});
