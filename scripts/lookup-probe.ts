// The option look-up probes of train-base's copy probe, on any model directory. A qa answer that names
// its choice (`It is prevent, so the answer is (D).`) reaches the right letter only if the model can
// go from the named text to the letter in front of it in the option list. Two held-out probes of 60
// examples each (copy-task.ts heldOutLookups):
//   question  the question names the option ("Which option is abet?"): the letter can be read off the
//             question's word;
//   reply     a qa question about another word, the reply forced up to "It is abet, so the answer is":
//             the letter must be found from the reply's own words, as in qa.
//
//   node dist/scripts/lookup-probe.js --model DIR [--datasets datasets]
import { parseArgs } from "node:util";
import { heldOutLookups, lookupAccuracy, replyLookupAccuracy } from "../src/embedded/copy-task.js";
import { glossesWithoutHeldOutExamples, loadDomainRows, wordnetGlosses } from "../src/embedded/corpus.js";
import { loadPretrained } from "../src/models/pretrained.js";

const { values } = parseArgs({
  options: {
    model: { type: "string" },
    datasets: { type: "string", default: "datasets" },
  },
});
if (values.model === undefined) {
  console.error("usage: node dist/scripts/lookup-probe.js --model DIR [--datasets datasets]");
  process.exit(2);
}
const { model, tokenizer } = loadPretrained(values.model);
const rows = await loadDomainRows(values.datasets);
const held = heldOutLookups(glossesWithoutHeldOutExamples(rows, wordnetGlosses()));
const question = lookupAccuracy(model, tokenizer, held.question);
const reply = replyLookupAccuracy(model, tokenizer, held.reply);
console.log(`| model | look-up, named in the question | named in the reply only |`);
console.log(`|---|---|---|`);
console.log(`| ${values.model} | ${(100 * question).toFixed(1)}% | ${(100 * reply).toFixed(1)}% |`);
console.log(JSON.stringify({ model: values.model, question, reply, examples: held.question.length }));
