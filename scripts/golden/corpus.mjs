// The texts the Qwen3 tokenizer goldens are made from: hand-written cases for every part of the pipeline
// (added tokens, NFC, each alternative of the split regex, byte-level BPE on short and very long pieces)
// plus seeded random texts drawn from pools of awkward characters.

export function mulberry32(seed) {
  return function () {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const repeat = (s, n) => Array(n).fill(s).join("");

export const handWritten = [
  ["empty", ""],
  ["single letter", "a"],
  ["single space", " "],
  ["english prose",
    "The quick brown fox jumps over the lazy dog. It's 5 o'clock somewhere, isn't it? " +
    "We'll see; they've said you'd know. I'm sure she's right, DON'T you THINK'S odd? 'Quoted' words."],
  ["contractions every case", "'s 't 're 've 'm 'll 'd 'S 'T 'RE 'Ve 'rE 'M 'LL 'lL 'D 'x 're' ''s ’s ‘re' can't won't y'all"],
  ["python code",
    "def fib(n: int) -> int:\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n    a, b = 0, 1\n" +
    "    for _ in range(n):\n        a, b = b, a + b\n    return a\n\n\nif __name__ == '__main__':\n    print(fib(90))  # 2880067194370816120\n"],
  ["csharp code with tabs and crlf",
    "public static class Program\r\n{\r\n\tpublic static int Main(string[] args)\r\n\t{\r\n\t\tvar x = args.Length >= 2 ? 1 : 0;\r\n" +
    "\t\treturn x switch { 0 => -1, _ => x << 3 };\r\n\t}\r\n}\r\n"],
  ["json tool call",
    "<tool_call>\n{\"name\": \"search\", \"arguments\": {\"model\": \"search-1\", \"query\": \"capital of Australia\", \"top_k\": 5}}\n</tool_call>"],
  ["json document",
    "{\"users\":[{\"id\":1,\"name\":\"Ana\",\"tags\":[\"a\",\"b\"],\"score\":-0.5e-3},{\"id\":2,\"name\":null,\"ok\":true}],\"nested\":{\"k\":{\"k\":{}}}}"],
  ["chinese", "中华人民共和国成立于1949年。今天天气很好，我们去公园散步吧！“引号”和《书名号》。"],
  ["japanese", "東京は日本の首都です。カタカナとひらがな、そして漢字が混ざっています。ｶﾀｶﾅ半角。"],
  ["korean", "안녕하세요, 세계! 한국어 문장입니다. 숫자 123과 함께."],
  ["emoji", "I ❤️ 🍕! 👩‍👩‍👧‍👦 family, 🇺🇸🇯🇵 flags, 👍🏽 tone, 1️⃣ keycap, ☺︎ text style, 🫠🪿 new ones."],
  ["combining marks decomposed", "Cafe\u0301 re\u0301sume\u0301 A\u030A n\u0303 o\u0308 Vie\u0323\u0302t Nam a\u0301\u0323 q\u0307\u0323"],
  ["combining marks reorder", "a\u0301\u0323 e\u0308\u0327\u0301 x\u0345\u0334 \u1100\u1161\u11a8 \u1100\u1161 \u110b\u1175\u11a8"],
  ["singletons and exclusions", "\u2126 \u212B \u212A \uF900 \u0958 \u0344 \u0F73 \u2ADC \u1E9B\u0323 \u0340\u0341"],
  ["zalgo", "Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319\u0324\u031e\u0349\u035a\u032f\u031e\u0320\u034dA\u036b\u0357\u0334\u0362\u0335\u031c\u0330\u0354L\u0368\u0367\u0369\u0358\u0320G\u0311\u0357\u030e\u0305\u035b\u0341\u0334\u033b\u0348\u034d\u0354\u0339O\u0342\u030c\u030c\u0358\u0328\u0335\u0339\u033b\u031d\u0333"],
  ["devanagari arabic hebrew",
    "नमस्ते दुनिया, क़िला ज़रूर। مرحبًا بالعالم، اَلْعَرَبِيَّةُ ١٢٣٤. שָׁלוֹם עוֹלָם."],
  ["thai greek cyrillic", "สวัสดีชาวโลกภาษาไทยไม่มีช่องว่าง Γειά σου Κόσμε ΆΈΉ. Привет, мир! Ёлка ё."],
  ["long digit runs", repeat("1234567890", 60) + " 3.14159265358979 1,000,000 ٠١٢٣٤٥٦٧٨٩ １２３ ²³¹ ½¾ Ⅻ ⑳"],
  ["whitespace runs",
    "a" + repeat(" ", 40) + "b\t\t\tc\n\n\n\nd \n \n e\r\n\r\nf   \n   g\u00a0\u00a0h\u3000i\u2028j\u2029k\ufeffl \u000b\u000c m   "],
  ["whitespace only", "   \n\t  \n"],
  ["newlines only", "\n\n\n"],
  ["space before punctuation", "Hello , world ! ( parenthesis ) [ x ] { y } --- ... ??? !!! \"q\" 'a'"],
  ["punctuation runs", "!!!???...,,,;;;:::---___===+++***&&&%%%$$$###@@@^^^~~~```|||\\\\\\///<<<>>>\n\r\n"],
  ["special tokens", "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"],
  ["think and tool tags",
    "<think>\nLet me think.\n</think>\n\n<tool_call>\n{}\n</tool_call><tool_response>\nok\n</tool_response>"],
  ["special token edges",
    "<|im_start <|im_end|x <<|im_end|>> a<|endoftext|>b <think><think></think> <|im_start|><|im_start|> <tool_call/> </tool_call>> <|vision_pad|><|box_start|><|fim_prefix|>"],
  ["special tokens glued to text", "word<|im_end|>word <|im_start|>  spaced  <|im_end|>\n\n<think>é</think>"],
  ["markdown and latex",
    "# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- item **bold** _it_ `code`\n\n$$\\frac{a}{b} + \\sum_{i=0}^{n} x_i^2$$\n> quote"],
  ["html", "<div class=\"x\" id='y'><p>Hello&nbsp;&amp; bye</p><br/><!-- comment --></div>"],
  ["url and email", "See https://example.com/path/to/page?query=1&b=two#frag and mail ana.b+tag@example.co.uk."],
  ["long letter run", repeat("a", 3000)],
  ["long mixed word", repeat("abcXYZ", 400)],
  ["long chinese run", repeat("我们今天学习自然语言处理和机器学习的基本概念", 40)],
  ["long space run", "x" + repeat(" ", 2000) + "y"],
  ["long punctuation run", repeat("=-", 1500)],
  ["long emoji run", repeat("😀", 300)],
  ["base64 blob", "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="],
  ["lone surrogates", "a\ud800b \udc00 \udc00\ud800 x\ud83d"],
  ["private use and unassigned", "\ue000\uf8ff \u{f0000} \u{10fffd} \u0378 \u{1fffe} \u{e0001}\u{e0041}"],
  ["control characters", "a\u0000b\u0001c\u001fd\u007fe\u0085f\u200bg\u200dh\u2060i"],
  ["mixed everything",
    "User 42 said: “Let’s meet at 10:30” — ok? 👍 数据123abc ΑΒΓ δεζ ёж 'll\n\t<|im_end|>  end"],
];

const pools = {
  ascii: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
  digits: "0123456789",
  punct: "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
  space: [" ", " ", " ", "  ", "\t", "\n", "\r\n", "\r", "\u00a0", "\u3000", "\u2028", "\ufeff", "\u000b", "\u2009"],
  words: ["the", " the", "'s", "'ll", "'RE", " I", "don't", "Hello", " world", "tool", "_call", "json", "{\"a\": 1}"],
  special: ["<|im_start|>", "<|im_end|>", "<|endoftext|>", "<think>", "</think>", "<tool_call>", "</tool_call>",
    "<tool_response>", "</tool_response>", "<|im_start", "<think", "|>", "<"],
  cjk: "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴",
  hangul: "가나다라마바사아자차카타파하한국어안녕하세요",
  jamo: ["\u1100", "\u1161", "\u11a8", "\u1112", "\u1175", "\u11c2", "\u1173"],
  marks: ["\u0300", "\u0301", "\u0302", "\u0303", "\u0308", "\u0323", "\u0327", "\u0328", "\u0345", "\u0334", "\u05b0", "\u0651", "\u093c", "\u0e31", "\u302a", "\u1dc0", "\u20d0", "\ufe20"],
  composites: "àáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉǅǆǗǘṩẞỆệ\u2126\u212b\uf900\u0958\u1e9b",
  emoji: ["😀", "👩‍💻", "🇫🇷", "👍🏿", "❤️", "✈️", "🧑🏾‍🚀", "🏳️‍🌈", "1️⃣", "🫶"],
  other: ["ʼ", "´", "‘", "’", "“", "”", "…", "—", "·", "€", "£", "¥", "©", "®", "™", "°", "±", "×", "÷", "∑", "√", "∞", "≤", "≥", "→", "⇒", "★", "♪"],
  numbers: ["٣", "۴", "५", "๖", "７", "²", "½", "Ⅷ", "⑤", "𝟗", "𐒢"],
  letters: ["ß", "ñ", "ø", "æ", "œ", "ł", "ğ", "ı", "Ω", "π", "Ж", "я", "ا", "ب", "א", "ש", "अ", "क", "ก", "ሀ", "ᚠ", "𝒜", "𐐀", "𠀀", "𪚥"],
};

function randomCodePoint(rnd) {
  while (true) {
    const cp = Math.floor(rnd() * 0x110000);
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    return String.fromCodePoint(cp);
  }
}

function pick(rnd, list) {
  return list[Math.floor(rnd() * list.length)];
}

function pickChar(rnd, s) {
  const chars = Array.from(s);
  return chars[Math.floor(rnd() * chars.length)];
}

/** A random text of up to maxParts parts, each drawn from one pool. */
export function randomText(rnd, maxParts) {
  const parts = [];
  const n = 1 + Math.floor(rnd() * maxParts);
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (r < 0.16) parts.push(pickChar(rnd, pools.ascii).repeat(1 + Math.floor(rnd() * 4)));
    else if (r < 0.22) parts.push(pickChar(rnd, pools.digits).repeat(1 + Math.floor(rnd() * 3)));
    else if (r < 0.30) parts.push(pickChar(rnd, pools.punct));
    else if (r < 0.40) parts.push(pick(rnd, pools.space));
    else if (r < 0.48) parts.push(pick(rnd, pools.words));
    else if (r < 0.52) parts.push(pick(rnd, pools.special));
    else if (r < 0.58) parts.push(pickChar(rnd, pools.cjk));
    else if (r < 0.61) parts.push(pickChar(rnd, pools.hangul));
    else if (r < 0.64) parts.push(pick(rnd, pools.jamo));
    else if (r < 0.72) parts.push(pick(rnd, pools.marks));
    else if (r < 0.76) parts.push(pickChar(rnd, pools.composites));
    else if (r < 0.80) parts.push(pick(rnd, pools.emoji));
    else if (r < 0.84) parts.push(pick(rnd, pools.other));
    else if (r < 0.87) parts.push(pick(rnd, pools.numbers));
    else if (r < 0.92) parts.push(pick(rnd, pools.letters));
    else if (r < 0.99) parts.push(randomCodePoint(rnd));
    else parts.push(String.fromCharCode(0xd800 + Math.floor(rnd() * 0x800))); // lone surrogate
  }
  return parts.join("");
}

/** Text made only of characters that exercise normalization. */
export function randomCombiningText(rnd, maxLength) {
  const parts = [];
  const n = 1 + Math.floor(rnd() * maxLength);
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (r < 0.25) parts.push(pickChar(rnd, "aeiouAEIOUcnsyzq"));
    else if (r < 0.55) parts.push(pick(rnd, pools.marks));
    else if (r < 0.70) parts.push(pickChar(rnd, pools.composites));
    else if (r < 0.85) parts.push(pick(rnd, pools.jamo));
    else if (r < 0.90) parts.push(pickChar(rnd, pools.hangul));
    else parts.push(randomCodePoint(rnd));
  }
  return parts.join("");
}
