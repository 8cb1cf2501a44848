#!/usr/bin/env python3
"""Write a 60-chapter book of real English prose, for the typography checks in CI.

usage: sixty-chapters.py SHARED_DIR [CHAPTERS] > book.md

CHAPTERS (60 unless given) sets the length: the first 60 chapters of a longer book are the
60-chapter book, so books of several lengths measure how time grows with length.

Issue 12's targets (word-space evenness, pages that end short) are about a long book of
ordinary prose. Made-up words (big-manuscript.py) would hyphenate and space unlike English,
so the sentences here come from real text nobody on the team wrote: the prose paragraphs of
the public corpus (pandoc's manual, the CommonMark spec, a README) and the seed article,
drawn into new paragraphs of uneven length with a fixed seed, so every run measures the same
book. Chapters carry the odd section heading, list and block quote, as real books do.
"""
import random
import re
import sys
from pathlib import Path

shared = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared")
chapters = int(sys.argv[2]) if len(sys.argv) > 2 else 60
rng = random.Random(20261201)
MARKUP = re.compile(r"[`<>{}\[\]|#*_\\=~]|https?:|^\s|^-|^\d+\.")


def prose_paragraphs(path):
    text = path.read_text(encoding="utf-8")
    paragraphs = (p.replace("\n", " ").strip() for p in re.split(r"\n\s*\n", text))
    return [p for p in paragraphs if len(p.split()) >= 12 and not MARKUP.search(p)]


sources = [shared / "corpus/public" / name
           for name in ("pandoc-manual.md", "commonmark-spec.md", "ripgrep-readme.md")]
sources.append(shared / "seed/article.txt")
sentences = []
for source in sources:
    for paragraph in prose_paragraphs(source):
        sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", paragraph)
                      if len(s.split()) >= 4 and s.strip()[-1:] in ".!?" and "   " not in s]
words = sorted({w.strip(".,;:!?\"'()").lower() for s in sentences for w in s.split()
                if w.isalpha() and len(w) > 4})


def paragraph():
    return " ".join(rng.choice(sentences) for _ in range(rng.randint(2, 9)))


out = ['+++\ntitle = "Sixty Chapters of Prose"\nauthors = ["Presswork CI"]\nlanguage = "en"\n+++\n']
for chapter in range(1, chapters + 1):
    parts = [f"# Chapter {chapter}: {rng.choice(words).title()}\n"]
    for _ in range(rng.randint(6, 24)):
        roll = rng.random()
        if roll < 0.05:
            parts.append(f"## The {rng.choice(words)} of {rng.choice(words)}\n")
        elif roll < 0.08:
            parts.append("\n".join(f"- {rng.choice(sentences)}" for _ in range(rng.randint(2, 5))) + "\n")
        elif roll < 0.10:
            parts.append(f"> {paragraph()}\n")
        else:
            parts.append(paragraph() + "\n")
    out.append("\n".join(parts))
sys.stdout.write("\n".join(out))
