#!/usr/bin/env python3
"""Regenerates tests/ToolOrchestra.Evaluation.Tests/Harness/Gaia/scorer-golden.jsonl: (answer, gold) pairs covering
every branch of GAIA's official question_scorer, with the verdict that scorer gives each.

The scorer itself is not part of this repository: copy scorer.py from the Hugging Face space
gaia-benchmark/leaderboard to a file of your own and pass its path.

    python3 scripts/gaia-scorer-golden.py /path/to/scorer.py tests/ToolOrchestra.Evaluation.Tests/Harness/Gaia/scorer-golden.jsonl
"""
import importlib.util
import json
import random
import sys
import warnings


def load_scorer(path):
    spec = importlib.util.spec_from_file_location("gaia_scorer", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.question_scorer


# Hand-picked cases: each names the branch it exercises.
FIXED = [
    # numbers: gold parses as a float
    ("42", "42"), ("42.0", "42"), ("$42", "42"), ("42%", "42"), ("1,000", "1000"), ("$1,234.50", "1234.5"),
    ("1000", "1,000"), ("42 km", "42"), ("forty-two", "42"), ("", "42"), (None, "42"), ("  7  ", "7"),
    ("1e3", "1000"), ("1E3", "1000.0"), ("-3", "-3"), ("+3", "3"), ("3.", "3"), (".5", "0.5"), ("0.1", ".1"),
    ("1_000", "1000"), ("1__000", "1000"), ("_1000", "1000"), ("inf", "inf"), ("hello", "inf"), ("", "Infinity"),
    ("nan", "nan"), ("NaN", "NaN"), ("-0", "0"), ("0.30000000000000004", "0.3"), ("0.1", "0.10000000000000001"),
    ("1e400", "inf"), ("\u0663", "3"), ("\u00a012\u2003", "12"), ("12\t", "12"), ("$$5", "5"), ("5%%", "5"),
    (",5,", "5"), ("5 %", "5"), ("5.0.0", "5"), ("0x10", "16"), ("1/2", "0.5"), ("½", "0.5"), ("None", "0"),
    ("42", " 42 "), ("42", "4_2"), ("42", "\u0664\u0662"), ("3.14", "3.140"), ("-", "0"), ("+", "0"), ("e5", "0"),
    # lists: gold holds ',' or ';'
    ("a, b, c", "a,b,c"), ("a;b;c", "a,b,c"), ("a, b", "a,b,c"), ("A, B, C", "a, b, c"), ("a,b,c,", "a,b,c"),
    ("1, 2, 3", "1,2,3"), ("$1, 2%, 3", "1,2,3"), ("1.0; 2; 3", "1;2;3"), ("one, 2", "one,2"), ("one, two", "one,2"),
    ("St. Louis, Paris", "St. Louis, Paris"), ("St Louis, Paris", "St. Louis, Paris"), ("sea gull, owl", "seagull,owl"),
    ("a,,b", "a,,b"), ("a,b", "a,,b"), (",", ","), ("", ","), (None, "a,b"), ("None", "None,x"), ("x", "x;"),
    ("1,000", "1,000"), ("1000", "1,000"), ("1;000", "1,000"), ("inf, a", "inf, a"), ("q, a", "inf, a"),
    ("Hello-World, x", "hello-world, x"), ("HelloWorld, x", "hello-world, x"), ("a b, c", "ab,c"), ("é, Ü", "É,ü"),
    ("a\u00a0b, c", "ab, c"), ("a\nb;c", "ab;c"), ("nan, a", "nan, a"), ("1e2, a", "100, a"), ("1_0, a", "10, a"),
    # strings: anything else
    ("Paris", "paris"), ("Paris.", "Paris"), ("P a r i s", "Paris"), ("sea gull", "seagull"), ("Saint-Louis", "Saint Louis"),
    ("O'Brien", "OBrien"), ("(Paris)", "Paris"), ("Paris", "Lyon"), ("", ""), (None, "None"), (None, "none."),
    ("é", "É"), ("café", "CAFE"), ("a\u2003b", "ab"), ("a\u200bb", "ab"), ("a\tb\nc", "abc"), ("a\x1cb", "ab"),
    ("12 km", "12km"), ("12 km", "12 kilometers"), ("$5 dollars", "5 dollars"), ("5 dollars", "$5 dollars"),
    ("THE END", "the end!"), ("a_b", "ab"), ("a–b", "a-b"), ("a“b”", "ab"), ("1.5 m", "1.5m"), ("x" * 40, "X" * 40),
]

WORDS = ["Paris", "sea gull", "St. Louis", "O'Brien", "New York", "apple", "Banana", "3-methyl", "A.B.C.", "alpha beta",
         "café", "Zürich", "x_y", "(note)", "Ω", "rock & roll", "c++", "v1.2", "9 lives", "hello, world"]
SPACES = ["", " ", "  ", "\t", "\n", "\u00a0", "\u2003", "\u3000", "\u200b"]
PUNCT = ["", ".", "!", "?", "'", "-", "(", ")", ":", "\"", "/", "…"]


def vary_string(rng, s):
    out = s
    choice = rng.randrange(8)
    if choice == 0:
        out = out.upper()
    elif choice == 1:
        out = out.lower()
    elif choice == 2:
        out = out.replace(" ", rng.choice(SPACES))
    elif choice == 3:
        out = rng.choice(PUNCT) + out + rng.choice(PUNCT)
    elif choice == 4:
        out = rng.choice(SPACES) + out + rng.choice(SPACES)
    elif choice == 5:
        out = rng.choice(WORDS)
    elif choice == 6 and len(out) > 1:
        i = rng.randrange(len(out))
        out = out[:i] + out[i + 1:]
    return out


def number_text(rng):
    kind = rng.randrange(7)
    if kind == 0:
        return str(rng.randint(-10000, 1000000))
    if kind == 1:
        return f"{rng.uniform(-1000, 1000):.{rng.randint(0, 4)}f}"
    if kind == 2:
        return f"{rng.randint(1, 9)}e{rng.randint(-3, 6)}"
    if kind == 3:
        return f"{rng.randint(0, 99)}.{rng.randint(0, 99):02d}"
    if kind == 4:
        return str(rng.randint(0, 10 ** 9))
    if kind == 5:
        return "0." + str(rng.randint(0, 999)).zfill(3)
    return str(rng.randint(0, 100)) + ".0"


def vary_number(rng, gold):
    try:
        value = float(gold)
    except ValueError:
        value = 0.0
    choice = rng.randrange(11)
    if choice == 0:
        return gold
    if choice == 1:
        return "$" + gold
    if choice == 2:
        return gold + "%"
    if choice == 3 and abs(value) >= 1000 and value == int(value):
        return f"{int(value):,}"
    if choice == 4:
        return gold + rng.choice([" km", " m", " USD", " years", "", " "])
    if choice == 5:
        return repr(value)
    if choice == 6:
        return str(value + rng.choice([1, -1, 0.5, 1e-9]))
    if choice == 7:
        return rng.choice(SPACES) + gold + rng.choice(SPACES)
    if choice == 8:
        return rng.choice(WORDS)
    if choice == 9:
        return f"{value:.2f}"
    return gold.replace(".", ",") if "." in gold else gold + ".00"


def list_gold(rng):
    n = rng.randint(2, 5)
    sep = rng.choice([",", ";", ", ", "; "])
    items = [number_text(rng) if rng.random() < 0.4 else rng.choice(WORDS).replace(",", "") for _ in range(n)]
    return items, sep


def vary_list(rng, items, sep):
    choice = rng.randrange(7)
    if choice == 0:
        return sep.join(items)
    if choice == 1:
        return rng.choice([",", ";", " , ", ";\t"]).join(items)
    if choice == 2:
        return sep.join(items[:-1])
    if choice == 3:
        return sep.join(items + [rng.choice(WORDS)])
    if choice == 4:
        return sep.join(reversed(items))
    if choice == 5:
        return sep.join(vary_number(rng, i) if _is_float(i) else vary_string(rng, i) for i in items)
    return sep.join(i.upper() for i in items)


def _is_float(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gaia-scorer-golden.py SCORER.py OUT.jsonl")
    scorer = load_scorer(sys.argv[1])
    rng = random.Random(27)
    pairs = list(FIXED)
    for _ in range(250):
        gold = number_text(rng)
        pairs.append((vary_number(rng, gold), gold))
    for _ in range(200):
        items, sep = list_gold(rng)
        pairs.append((vary_list(rng, items, sep), sep.join(items)))
    for _ in range(200):
        gold = rng.choice(WORDS).replace(",", "").replace(";", "")
        pairs.append((vary_string(rng, gold), gold))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = [{"answer": a, "gold": g, "correct": bool(scorer(a, g))} for a, g in pairs]
    with open(sys.argv[2], "w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} pairs, {sum(r['correct'] for r in rows)} correct -> {sys.argv[2]}")


if __name__ == "__main__":
    main()
