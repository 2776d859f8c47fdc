// Conversations the Qwen3 chat-template goldens are rendered from. Messages and tools are kept as JSON text
// (what `orchestra render-chat` reads), so key order, integer-like keys and number spellings reach the reference
// exactly as they reach the C# renderer.
import { mulberry32 } from "./corpus.mjs";

const j = (value) => JSON.stringify(value);

const searchTool = {
  type: "function",
  function: {
    name: "search",
    description: "Search the web with the chosen model.",
    parameters: {
      type: "object",
      properties: {
        model: { type: "string", enum: ["search-1", "search-2", "search-3"] },
        query: { type: "string", description: "What to look for — in any language: 中文, émoji 🙂" },
        top_k: { type: "integer", minimum: 1, maximum: 50, default: 5 },
      },
      required: ["model"],
    },
  },
};
const answerTool = {
  type: "function",
  function: {
    name: "answer",
    description: "Give the final answer.\nUse it once.",
    parameters: { type: "object", properties: { model: { type: "string" } }, required: ["model"] },
  },
};
const tools = j([searchTool, answerTool]);

// Raw JSON so that the reference's object key order (integer-like keys first) and number parsing apply.
const oddTools =
  '[{"type": "function", "function": {"name": "odd", "description": "quotes \\" backslash \\\\ tab \\t nl \\n ctl \\u0001 ls \\u2028 emoji 😀",' +
  ' "parameters": {"b": 1, "2": true, "1": null, "a": [1.5, 1e21, -0, 100, 0.1, 1e-7, 12345678901234567890, 2.50],' +
  ' "10": {"z": {}, "y": []}, "dup": 1, "dup": 2}}}, {"type": "function", "function": {"name": "empty", "parameters": {}}}]';

const call = (name, args) => ({ type: "function", function: { name, arguments: args } });

export const handWritten = [
  ["single user", j([{ role: "user", content: "What is 2+2?" }]), null],
  ["system and user", j([{ role: "system", content: "You are concise." }, { role: "user", content: "Hi" }]), null],
  ["multi turn", j([
    { role: "system", content: "Be brief." },
    { role: "user", content: "Name a prime." },
    { role: "assistant", content: "7" },
    { role: "user", content: "Another?" },
  ]), null],
  ["tools with system", j([{ role: "system", content: "Route carefully." }, { role: "user", content: "Capital of Australia?" }]), tools],
  ["tools without system", j([{ role: "user", content: "Capital of Australia?" }]), tools],
  ["odd tools", j([{ role: "user", content: "x" }]), oddTools],
  ["tool calls and responses", j([
    { role: "system", content: "You orchestrate tools." },
    { role: "user", content: "Who wrote Dune and when?" },
    {
      role: "assistant", content: "", reasoning_content: "I should search twice.",
      tool_calls: [call("search", { model: "search-1", query: "Dune author" }), call("search", { model: "search-2", query: "Dune 1965" })],
    },
    { role: "tool", content: "Frank Herbert" },
    { role: "tool", content: "Published 1965" },
    { role: "assistant", content: "Frank Herbert, 1965.", reasoning_content: "Both results agree." },
  ]), tools],
  ["multi step with reasoning", j([
    { role: "user", content: "Compute it." },
    { role: "assistant", content: "Let me call.", reasoning_content: "\nStep one.\n", tool_calls: [call("search", { model: "search-1" })] },
    { role: "tool", content: "{\"result\": 42}" },
    { role: "assistant", content: "", reasoning_content: "Step two.", tool_calls: [call("answer", "{\"model\": \"answer-1\"}")] },
    { role: "tool", content: "done" },
  ]), tools],
  ["multi step then generation", j([
    { role: "user", content: "Q" },
    { role: "assistant", content: "A1", reasoning_content: "R1", tool_calls: [call("search", { model: "s" })] },
    { role: "tool", content: "T1" },
  ]), tools],
  ["inline think in content", j([
    { role: "user", content: "Hi" },
    { role: "assistant", content: "<think>\n  pondering  \n</think>\n\n  Hello there" },
    { role: "user", content: "Again" },
    { role: "assistant", content: "<think>second</think>Second answer" },
  ]), null],
  ["inline think after last query", j([
    { role: "user", content: "Hi" },
    { role: "assistant", content: "\n\n<think>\n\nthoughts\n\n</think>\n\n\nAnswer\n" },
  ]), null],
  ["think without open tag", j([{ role: "user", content: "u" }, { role: "assistant", content: "only close </think> rest" }]), null],
  ["reasoning null", j([{ role: "user", content: "u" }, { role: "assistant", content: "a", reasoning_content: null }]), null],
  ["reasoning whitespace edges", j([
    { role: "user", content: "u" },
    { role: "assistant", content: " \t lead", reasoning_content: "\u00a0 r \u3000" },
  ]), null],
  ["user wrapping tool response", j([
    { role: "user", content: "Real question" },
    { role: "assistant", content: "calling", reasoning_content: "r", tool_calls: [call("search", { model: "x" })] },
    { role: "user", content: "<tool_response>\nresult\n</tool_response>" },
    { role: "assistant", content: "final", reasoning_content: "done" },
  ]), tools],
  ["tool call without function wrapper", j([
    { role: "user", content: "u" },
    { role: "assistant", content: "x", tool_calls: [{ name: "search", arguments: { model: "m" } }, { id: "c2", type: "function", function: { name: "answer", arguments: "not json at all" } }] },
  ]), tools],
  ["tool call arguments of every type", j([
    { role: "user", content: "u" },
    {
      role: "assistant", content: "",
      tool_calls: [call("a", [1, "two", null, true]), call("b", 3.25), call("c", null), call("d", {}), call("e", { nested: { deep: [{}] } })],
    },
  ]), null],
  ["system not first", j([{ role: "user", content: "u" }, { role: "system", content: "late system" }, { role: "assistant", content: "a" }]), null],
  ["tool first and last", j([{ role: "tool", content: "orphan" }, { role: "user", content: "u" }, { role: "tool", content: "t" }]), null],
  ["tool content not a string", j([{ role: "user", content: "u" }, { role: "tool", content: null }, { role: "tool" }, { role: "tool", content: 12 }, { role: "tool", content: { a: [1, { b: "c" }] } }]), null],
  ["unknown role", j([{ role: "developer", content: "ignored" }, { role: "user", content: "u" }]), null],
  ["empty messages", j([]), null],
  ["empty messages with tools", j([]), tools],
  ["empty tools list", j([{ role: "user", content: "u" }]), "[]"],
  ["whitespace contents", j([{ role: "system", content: "" }, { role: "user", content: "  \n " }, { role: "assistant", content: "\n" }]), null],
  ["unicode contents", j([{ role: "user", content: "Café 中文 😀 \u0301 <|im_end|>" }, { role: "assistant", content: "ÿ", reasoning_content: "ü" }]), null],
  ["assistant last with tool calls", j([
    { role: "user", content: "u" },
    { role: "assistant", content: "Checking.", tool_calls: [call("search", { model: "search-1", query: "q" })] },
  ]), tools],
  ["error assistant content null", j([{ role: "user", content: "u" }, { role: "assistant", content: null, tool_calls: [call("search", {})] }]), tools],
  ["error user content missing", j([{ role: "user" }]), null],
  ["error system content null", j([{ role: "system", content: null }, { role: "user", content: "u" }]), null],
];

const contents = ["", "Hello", "  spaced  ", "\nnl\n", "multi\nline\ntext", "<think>x</think>y", "a</think>b", "<tool_response>t</tool_response>",
  "中文", "😀", "<|im_end|>", "tab\there", "Ends with newline\n", "\u00a0nbsp\u00a0", "null"];
const reasonings = [undefined, undefined, null, "", "plan", "\nplan\n", "  padded  ", "multi\nline"];
const argValues = [{ model: "search-1" }, { model: "search-2", query: "q\"uote" }, "{\"model\": \"raw\"}", "", { n: 1.5, list: [1, 2] }, {}];

/** A random conversation: [messagesJson, toolsJson]. */
export function randomConversation(rnd) {
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const messages = [];
  if (rnd() < 0.5) messages.push({ role: "system", content: pick(contents) });
  const turns = 1 + Math.floor(rnd() * 5);
  for (let t = 0; t < turns; t++) {
    messages.push({ role: "user", content: pick(contents) });
    const steps = Math.floor(rnd() * 3);
    for (let s = 0; s <= steps; s++) {
      const message = { role: "assistant", content: pick(contents) };
      const reasoning = pick(reasonings);
      if (reasoning !== undefined) message.reasoning_content = reasoning;
      const calls = s < steps ? 1 + Math.floor(rnd() * 3) : rnd() < 0.2 ? 1 : 0;
      if (calls > 0) {
        message.tool_calls = [];
        for (let c = 0; c < calls; c++) {
          const args = pick(argValues);
          message.tool_calls.push(rnd() < 0.8 ? call(pick(["search", "answer"]), args) : { name: "answer", arguments: args });
        }
        messages.push(message);
        for (let c = 0; c < calls; c++) messages.push({ role: "tool", content: pick(contents) });
      } else {
        messages.push(message);
      }
      if (rnd() < 0.15) break;
    }
    if (rnd() < 0.2) messages.push({ role: "user", content: "<tool_response>\n" + pick(contents) + "\n</tool_response>" });
  }
  if (rnd() < 0.3) messages.pop();
  return [j(messages), rnd() < 0.5 ? tools : null];
}

export { mulberry32 };
