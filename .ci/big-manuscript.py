#!/usr/bin/env python3
"""Write a large synthetic manuscript for the size and time limits check in CI.

usage: big-manuscript.py MEGABYTES [--short-chapters] > big.md

The text is not the seed repeated (which would let every cache hit): words are drawn with
a Zipf distribution from a vocabulary of 40,000 made-up words, as in real prose, with
chapters of uneven length, sections, emphasis, lists, block quotes and the odd long word.
Deterministic (fixed seed), so every run measures the same book. With --short-chapters
every chapter is a page or two (thousands of them), which tests that the PDF build does not
run ahead of its writer through many small chapters.
"""
import itertools
import random
import sys

target = int(sys.argv[1]) * 1_000_000 if len(sys.argv) > 1 else 50_000_000
short_chapters = "--short-chapters" in sys.argv
rng = random.Random(20261125)
syllables = ["ka", "lo", "mi", "ten", "sar", "pu", "vin", "dre", "sho", "al", "ber", "gi",
             "nom", "tra", "quo", "el", "fas", "ri", "zan", "oc", "hu", "wen", "ty", "ux"]
vocabulary = sorted({"".join(rng.choice(syllables) for _ in range(rng.randint(1, 5)))
                     for _ in range(60_000)})[:40_000]
rng.shuffle(vocabulary)
# Cumulative weights, summed once: given plain weights, choices() would sum all 40,000 of them
# again for every sentence (minutes of CPU for 50 MB). The draws are the same either way.
cumulative_weights = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(vocabulary))))
long_words = ["".join(rng.choice(syllables) for _ in range(14)) for _ in range(50)]


def sentence():
    words = rng.choices(vocabulary, cum_weights=cumulative_weights, k=rng.randint(6, 28))
    if rng.random() < 0.05:
        words[rng.randrange(len(words))] = rng.choice(long_words)
    if rng.random() < 0.3:
        i = rng.randrange(len(words))
        left, right = rng.choice([("*", "*"), ("**", "**"), ("“", "”"), ("‘", "’")])
        words[i] = left + words[i] + right
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice([".", ".", ".", "?", "!", ";"])


def paragraph():
    return " ".join(sentence() for _ in range(rng.randint(1, 9)))


out = ["+++\ntitle = \"A Long Synthetic Book\"\nlanguage = \"en\"\n+++\n"]
size = 0
chapter = 0
while size < target:
    chapter += 1
    parts = [f"# Chapter {chapter}: {rng.choice(vocabulary).title()}\n"]
    blocks = rng.randint(2, 5) if short_chapters else int(rng.paretovariate(1.2) * 12)
    for _ in range(blocks):
        roll = rng.random()
        if roll < 0.04:
            parts.append(f"## {rng.choice(vocabulary).title()} {rng.choice(vocabulary)}\n")
        elif roll < 0.07:
            parts.append("\n".join(f"- {sentence()}" for _ in range(rng.randint(2, 6))) + "\n")
        elif roll < 0.09:
            parts.append(f"> {paragraph()}\n")
        else:
            parts.append(paragraph() + "\n")
    text = "\n".join(parts) + "\n"
    out.append(text)
    size += len(text.encode())
sys.stdout.write("\n".join(out))
