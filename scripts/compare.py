#!/usr/bin/env python3
"""Time presswork against pandoc and Typst on the same inputs, interleaved, and print the
medians and ratios (the README's performance table comes from this script).

    python3 scripts/compare.py [--runs N]

Builds the release binary, then times whole processes (start-up included, as a user or a
batch job meets them):
  - the seed article (book/) → EPUB, and → PDF;
  - a generated 60-chapter book (.ci/sixty-chapters.py) → EPUB, and → PDF.
Peers, when installed: `pandoc` for the EPUB, `pandoc -t typst` + `typst compile` for the
PDF (pandoc's own Typst path). A peer that is missing is reported as such and skipped. Runs
are interleaved (presswork, peer, presswork, peer, …) so that machine noise hits both alike.
"""

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "presswork")


def run(cmd, cwd=None):
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{done.stderr.decode(errors='replace')}")
    return elapsed


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, {platform.system()} {platform.release()}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
    work = tempfile.mkdtemp(prefix="presswork-compare-")
    sixty = os.path.join(work, "sixty.md")
    # The 60-chapter book of real prose needs the shared corpus (../shared); without it, a
    # generated 1 MB manuscript of the same order of size stands in.
    shared = os.environ.get("SHARED", os.path.join(ROOT, "..", "shared"))
    if os.path.isdir(os.path.join(shared, "corpus")):
        generator = [sys.executable, os.path.join(ROOT, ".ci", "sixty-chapters.py"), shared]
    else:
        generator = [sys.executable, os.path.join(ROOT, ".ci", "big-manuscript.py"), "1"]
    with open(sixty, "w") as out:
        subprocess.run(generator, stdout=out, check=True)
    seed_md = os.path.join(ROOT, "book", "article.md")
    env_date = {"SOURCE_DATE_EPOCH": "1700000000"}
    os.environ.update(env_date)

    pandoc = shutil.which("pandoc")
    typst = shutil.which("typst")

    def pandoc_pdf(source, name):
        typ = os.path.join(work, name + ".typ")
        return [["pandoc", source, "-s", "-t", "typst", "-o", typ],
                ["typst", "compile", typ, os.path.join(work, name + ".pdf")]]

    cases = [
        ("seed article → EPUB",
         [[BIN, "-q", "epub", os.path.join(ROOT, "book"), "-o", os.path.join(work, "s.epub")]],
         [["pandoc", seed_md, "-o", os.path.join(work, "s-pandoc.epub")]] if pandoc else None,
         "pandoc"),
        ("seed article → PDF",
         [[BIN, "-q", "pdf", os.path.join(ROOT, "book"), "-o", os.path.join(work, "s.pdf")]],
         pandoc_pdf(seed_md, "s-typst") if pandoc and typst else None,
         "pandoc + Typst"),
        ("60-chapter book → EPUB",
         [[BIN, "-q", "epub", sixty, "-o", os.path.join(work, "b.epub")]],
         [["pandoc", sixty, "-o", os.path.join(work, "b-pandoc.epub")]] if pandoc else None,
         "pandoc"),
        ("60-chapter book → PDF",
         [[BIN, "-q", "pdf", sixty, "-o", os.path.join(work, "b.pdf")]],
         pandoc_pdf(sixty, "b-typst") if pandoc and typst else None,
         "pandoc + Typst"),
    ]

    print(f"machine: {machine()}")
    print(f"runs: {args.runs} per case, interleaved; medians of whole processes\n")
    print(f"| work | presswork | peer | peer time | presswork / peer |")
    print(f"|---|---|---|---|---|")
    for name, ours, theirs, peer in cases:
        mine, others = [], []
        for _ in range(args.runs):
            mine.append(sum(run(cmd) for cmd in ours))
            if theirs:
                others.append(sum(run(cmd) for cmd in theirs))
        m = statistics.median(mine)
        if others:
            o = statistics.median(others)
            print(f"| {name} | {m * 1000:.0f} ms | {peer} | {o * 1000:.0f} ms | {m / o:.1%} |")
        else:
            print(f"| {name} | {m * 1000:.0f} ms | {peer} | not installed | – |")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
