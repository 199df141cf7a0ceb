import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  createLabelModelGrader,
  createScoreModelGrader,
  LabelModelGraderConfig,
  parseLabel,
  parseScore,
  ScoreModelGraderConfig,
} from "../src/rewards/judge/index.js";
import type { RewardSample } from "../src/rewards/types.js";
import { type FakeOpenAiServer, startFakeOpenAiServer } from "./helpers/fake-openai-server.js";

let server: FakeOpenAiServer;
before(async () => {
  server = await startFakeOpenAiServer();
});
after(async () => {
  await server.close();
});

const poem: RewardSample = {
  dataSource: "writing",
  prompt: [{ role: "user", content: "Write a poem about rain." }],
  response: "Rain taps the window, soft and slow.",
  groundTruth: "unused",
  extraInfo: { question: "Write a poem about rain." },
};

test("scores are read from [[x]], 'score: x', JSON, or the last number", () => {
  assert.equal(parseScore("Good imagery. [[8]]"), 8);
  assert.equal(parseScore("Criteria 1-10... Score: 7.5"), 7.5);
  assert.equal(parseScore('{"reason": "ok", "score": 3}'), 3);
  assert.equal(parseScore("I give it 4 out of"), 4);
  assert.equal(parseScore("no digits at all"), undefined);
});

test("labels are read as the whole reply, a JSON label field, or the label mentioned last", () => {
  const labels = ["good", "bad"];
  assert.equal(parseLabel(" Good. ", labels), "good");
  assert.equal(parseLabel('{"label": "bad"}', labels), "bad");
  assert.equal(parseLabel("Not bad at all; overall good", labels), "good");
  assert.equal(parseLabel("unclear", labels), undefined);
});

test("score_model renders its templates, scales the judge's number from range to [0,1]", async () => {
  server.behaviour = { reply: () => "Vivid and concise. SCORE: 7" };
  const grader = createScoreModelGrader(
    ScoreModelGraderConfig.parse({
      model: "fake",
      base_url: server.baseUrl,
      input: [
        { role: "system", content: "Rate poems from 0 to 10." },
        { role: "user", content: "Task: {{item.question}}\nPoem: {{sample.output_text}}" },
      ],
      range: [0, 10],
    }),
  );
  const [r] = await grader.scoreBatch([poem]);
  assert.equal(r!.status, "ok");
  assert.ok(Math.abs(r!.score - 0.7) < 1e-12);
  assert.equal(r!.details.raw_score, 7);
  const sent = server.requests.at(-1)!;
  assert.equal(
    sent[1]!.content,
    "Task: Write a poem about rain.\nPoem: Rain taps the window, soft and slow.",
  );
  assert.match(sent.at(-1)!.content, /number from 0 to 10/);
  await grader.close();
});

test("score_model: a number outside the range is judge_unparseable after a re-ask", async () => {
  server.behaviour = { reply: () => "SCORE: 42" };
  server.resetCounters();
  const grader = createScoreModelGrader(
    ScoreModelGraderConfig.parse({
      model: "fake",
      base_url: server.baseUrl,
      input: [{ role: "user", content: "{{sample.output_text}}" }],
      range: [1, 5],
    }),
  );
  const [r] = await grader.scoreBatch([poem]);
  assert.equal(r!.status, "judge_unparseable");
  assert.equal(server.calls, 2);
  await grader.close();
});

test("label_model passes a sample whose label is in passing_labels, and fails the others", async () => {
  server.behaviour = {
    reply: (m) => (m.some((x) => x.content.toLowerCase().includes("rain")) ? "relevant" : "off_topic"),
  };
  const grader = createLabelModelGrader(
    LabelModelGraderConfig.parse({
      model: "fake",
      base_url: server.baseUrl,
      input: [{ role: "user", content: "Is this about {{item.topic}}? {{sample.output_text}}" }],
      labels: ["relevant", "off_topic"],
      passing_labels: ["relevant"],
    }),
  );
  const [pass, fail] = await grader.scoreBatch([
    { ...poem, extraInfo: { topic: "weather" } },
    { ...poem, response: "Sunshine all day.", extraInfo: { topic: "weather" } },
  ]);
  assert.deepEqual([pass!.score, pass!.details.label], [1, "relevant"]);
  assert.deepEqual([fail!.score, fail!.details.label], [0, "off_topic"]);
  await grader.close();
});

test("label_model rejects passing_labels that are not labels, naming the field", () => {
  const r = LabelModelGraderConfig.safeParse({
    model: "m",
    input: [{ role: "user", content: "x" }],
    labels: ["a", "b"],
    passing_labels: ["c"],
  });
  assert.equal(r.success, false);
  assert.deepEqual(r.error!.issues[0]!.path, ["passing_labels"]);
});

test("score_model and label_model: a failing endpoint ends as judge_error with the failure score", async () => {
  server.behaviour = { failFirst: 1_000_000 };
  const endpoint = { model: "fake", base_url: server.baseUrl, retries: 0, failure_score: -1 };
  const input = [{ role: "user", content: "{{sample.output_text}}" }];
  const graders = [
    createScoreModelGrader(ScoreModelGraderConfig.parse({ ...endpoint, input })),
    createLabelModelGrader(
      LabelModelGraderConfig.parse({ ...endpoint, input, labels: ["a", "b"], passing_labels: ["a"] }),
    ),
  ];
  for (const grader of graders) {
    const [r] = await grader.scoreBatch([poem]);
    assert.equal(r!.status, "judge_error", grader.name);
    assert.equal(r!.score, -1);
    assert.match(String(r!.details.error), /500/);
    assert.equal(grader.judgeStats().statusCounts.judge_error, 1);
    assert.equal(grader.judgeStats().statusCounts.ok ?? 0, 0);
    await grader.close();
  }
  server.behaviour = {};
});
