#!/usr/bin/env python3
"""Time presswork against pandoc and Typst on the same inputs, interleaved, and print the
medians and ratios (the README's performance table comes from this script).

    python3 scripts/compare.py [--runs N] [--shared DIR]

Builds the release binary, then times whole processes (start-up included, as a user or a
batch job meets them) on copies of the inputs in a temporary folder:
  - the seed article (book/) → EPUB, and → PDF; the EPUB twice: as rebuilt (its generated
    cover kept from the last build in `.presswork-cache/` beside the output, as every build
    of one book does) and as first built (the folder removed before each run, untimed);
  - a generated 60-chapter book of real prose (.ci/sixty-chapters.py) → EPUB, and → PDF;
  - the same generator's 300-chapter book (presswork only), for how time grows with length.

Peers, when installed:
  - EPUB: `pandoc` (the newest found: on PATH, or the one pypandoc-binary ships).
  - PDF: `typst compile` on the seed as pandoc writes it (`pandoc -t typst`, pandoc 3.1.2 or
    later), and `pandoc -t typst` + `typst compile` for the long book (pandoc's own Typst
    path). Typst is the `typst` command, or else the Python module `typst` (typst-py, the
    same compiler): then each run is a fresh `python3` process and the median time of a
    process that only imports the module is subtracted, so Typst is not charged for the
    interpreter.
Every process's time has the cost of starting a process through this timer taken off (the
median time of `true`, a process that does nothing, run through the same timer first): the
Typst baseline takes it off Typst already, and without it the timer's own millisecond or two
would count against the tool that takes the least time.
A peer that is missing is reported as such and skipped. Each case runs once untimed first
(files read into the page cache; a rebuild's kept cover made). Runs are interleaved (presswork,
peer, presswork, peer, …) so that machine noise hits both alike. Peak memory is the largest
resident set of a presswork process, from the kernel's accounting (wait4).
"""

import argparse
import importlib.metadata
import importlib.util
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "presswork")

# GNU time, for the peak memory of each process (bash's `time` keyword is not on PATH).
GNU_TIME = shutil.which("time")

# Typst through the Python module, when there is no `typst` command.
TYPST_PY = ("import sys, typst; "
            "typst.compile(sys.argv[1], output=sys.argv[2], root=sys.argv[3])")


def run(cmd, cwd=None):
    """Wall time in seconds and peak resident memory in bytes of one process.

    The memory comes from GNU time when it is installed: the kernel's peak for a child of
    this script would include the copy of the Python process it was forked from."""
    with tempfile.NamedTemporaryFile("r") as report:
        wrapped = [GNU_TIME, "-f", "%M", "-o", report.name] + cmd if GNU_TIME else cmd
        start = time.perf_counter()
        done = subprocess.run(wrapped, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(f"failed: {' '.join(cmd)}\n{done.stderr.decode(errors='replace')}")
        try:
            peak = int(report.read().split()[-1]) * 1024
        except (ValueError, IndexError):
            peak = 0
    return elapsed, peak


def run_all(commands):
    """Total wall time and the largest peak memory of commands run one after another."""
    results = [run(cmd, cwd) for cmd, cwd in commands]
    return sum(t for t, _ in results), max(m for _, m in results)


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
    memory = ""
    try:
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
            memory = f", {kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores, {cpu}{memory}, {platform.system()} {platform.release()}"


def version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", out)
    return tuple(int(g or 0) for g in match.groups()) if match else None


def find_pandoc():
    """The newest pandoc: the one on PATH or the one pypandoc-binary ships."""
    candidates = [shutil.which("pandoc")]
    # Asked of a child process: modules imported here would swell this process, which every
    # timed process is forked from.
    shipped = subprocess.run([sys.executable, "-c", "import pypandoc; print(pypandoc.get_pandoc_path())"],
                             capture_output=True, text=True)
    if shipped.returncode == 0:
        candidates.append(shipped.stdout.strip())
    found = [(version([c, "--version"]), c) for c in candidates if c]
    found = [(v, c) for v, c in found if v]
    return max(found) if found else (None, None)


def find_typst():
    """How to run Typst: (description, command maker, baseline command or None)."""
    typst = shutil.which("typst")
    if typst:
        v = version([typst, "--version"])
        name = f"Typst {'.'.join(map(str, v))}" if v else "Typst"
        return name, lambda typ, pdf, root: [typst, "compile", "--root", root, typ, pdf], None
    if importlib.util.find_spec("typst") is None:
        return None, None, None
    try:
        name = f"Typst {importlib.metadata.version('typst')} (typst-py)"
    except importlib.metadata.PackageNotFoundError:
        name = "Typst (typst-py)"
    return (name,
            lambda typ, pdf, root: [sys.executable, "-c", TYPST_PY, typ, pdf, root],
            [sys.executable, "-c", "import typst"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7,
                        help="runs per case for the long books; three times as many for the seed")
    parser.add_argument("--shared", default=os.environ.get("SHARED", os.path.join(ROOT, "..", "shared")))
    args = parser.parse_args()

    subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
    work = tempfile.mkdtemp(prefix="presswork-compare-")
    # The seed book and its photos, copied so that every tool reads the same files and
    # writes beside them (pandoc and Typst resolve `../images/…` from the book folder).
    shutil.copytree(os.path.join(ROOT, "book"), os.path.join(work, "book"))
    shutil.copytree(os.path.join(ROOT, "images"), os.path.join(work, "images"))
    book = os.path.join(work, "book")
    seed_md = os.path.join(book, "article.md")
    title = re.search(r'^title = "(.*)"', open(os.path.join(book, "book.toml")).read(), re.M)

    # The long books need the shared corpus (real prose); without it, a generated 1 MB
    # manuscript of the same order of size stands in (and no 300-chapter book).
    long_books = {}
    have_corpus = os.path.isdir(os.path.join(args.shared, "corpus"))
    for chapters in (60, 300) if have_corpus else (60,):
        path = os.path.join(work, f"book-{chapters}.md")
        generator = ([sys.executable, os.path.join(ROOT, ".ci", "sixty-chapters.py"), args.shared,
                      str(chapters)] if have_corpus
                     else [sys.executable, os.path.join(ROOT, ".ci", "big-manuscript.py"), "1"])
        with open(path, "w") as out:
            subprocess.run(generator, stdout=out, check=True)
        long_books[chapters] = path
    os.environ["SOURCE_DATE_EPOCH"] = "1700000000"

    pandoc_version, pandoc = find_pandoc()
    pandoc_typst = pandoc and pandoc_version >= (3, 1, 2)
    typst_name, typst_cmd, typst_baseline = find_typst()
    pandoc_name = f"pandoc {'.'.join(map(str, pandoc_version))}" if pandoc else "pandoc"

    seed_pandoc = [pandoc, seed_md, "--resource-path", book, "--metadata",
                   f"title={title.group(1) if title else 'Article'}"] if pandoc else None
    # The seed as Typst markup, made once outside the timing: Typst alone is the peer.
    seed_typ = os.path.join(book, "article.typ")
    if pandoc_typst and typst_cmd:
        subprocess.run(seed_pandoc + ["-s", "-t", "typst", "-o", seed_typ], check=True,
                       stderr=subprocess.DEVNULL)

    def ours(fmt, source, name):
        return [([BIN, "-q", fmt, source, "-o", os.path.join(work, name)], None)]

    # The first build of the seed's EPUB: its own output folder, whose kept cover is removed
    # (untimed) before each run.
    first_build = os.path.join(work, "first")
    os.makedirs(first_build)

    def forget_cover():
        shutil.rmtree(os.path.join(first_build, ".presswork-cache"), ignore_errors=True)

    def typst_of(typ, pdf):
        return [(typst_cmd(typ, pdf, work), None)]

    def pandoc_then_typst(source, name):
        typ = os.path.join(work, name + ".typ")
        return [([pandoc, source, "-s", "-t", "typst", "-o", typ], None)] + \
            typst_of(typ, os.path.join(work, name + ".pdf"))

    sixty = long_books[60]
    seed_epub_peer = ([(seed_pandoc + ["-o", os.path.join(work, "s-pandoc.epub")], None)]
                      if pandoc else None)
    # (name, presswork's commands, the peer's, the peer's name, whether to subtract the
    # Python start-up from the peer, what to do untimed before each presswork run)
    cases = [
        ("seed article → EPUB", ours("epub", book, "s.epub"), seed_epub_peer, pandoc_name, 0),
        ("seed article → EPUB, first build", ours("epub", book, "first/s.epub"), seed_epub_peer,
         pandoc_name, 0, forget_cover),
        ("seed article → PDF", ours("pdf", book, "s.pdf"),
         typst_of(seed_typ, os.path.join(work, "s-typst.pdf")) if pandoc_typst and typst_cmd else None,
         typst_name or "Typst", 1 if typst_baseline else 0),
        ("60-chapter book → EPUB", ours("epub", sixty, "b.epub"),
         [([pandoc, sixty, "-o", os.path.join(work, "b-pandoc.epub")], None)] if pandoc else None,
         pandoc_name, 0),
        ("60-chapter book → PDF", ours("pdf", sixty, "b.pdf"),
         pandoc_then_typst(sixty, "b-typst") if pandoc_typst and typst_cmd else None,
         f"{pandoc_name} + {typst_name}", 1 if typst_baseline else 0),
    ]
    if 300 in long_books:
        cases += [
            ("300-chapter book → EPUB", ours("epub", long_books[300], "c.epub"), None, "", 0),
            ("300-chapter book → PDF", ours("pdf", long_books[300], "c.pdf"), None, "", 0),
        ]

    words = {n: len(open(p).read().split()) for n, p in long_books.items()}
    print(f"machine: {machine()}")
    ours_version = subprocess.run([BIN, "--version"], capture_output=True, text=True).stdout
    print(f"presswork: {ours_version.strip()}")
    print(f"peers: {pandoc_name if pandoc else 'pandoc not installed'}; "
          f"{typst_name or 'Typst not installed'}"
          + ("; pandoc before 3.1.2 has no Typst writer" if pandoc and not pandoc_typst else ""))
    print(f"books: seed article; {', '.join(f'{n} chapters ({w:,} words)' for n, w in words.items())}")
    print(f"runs: {args.runs * 3} per case for the seed, {args.runs} for the long books, interleaved; "
          f"medians of whole processes"
          + ("; Typst through Python less the median start-up and import of the module"
             if typst_baseline else "") + "\n")
    # Starting a process through `run`: fork, exec, GNU time and the wait, with nothing to do.
    nothing = [shutil.which("true") or "/bin/true"]
    launch = statistics.median(run(nothing)[0] for _ in range(args.runs * 3))
    print(f"launch: {launch * 1000:.1f} ms (a process that does nothing, timed alike), "
          "taken off every process below\n")
    print("| work | presswork | peak memory | peer | peer time | presswork / peer |")
    print("|---|---|---|---|---|---|")
    medians = {}
    for name, mine_cmds, theirs, peer, subtract, *before in cases:
        mine, memory, others, baseline = [], [], [], []
        runs = args.runs * 3 if name.startswith("seed") else args.runs
        # One untimed run of each first (as hyperfine's --warmup): files in the page cache,
        # and a rebuild's kept cover in place before the first timed rebuild.
        for step in before:
            step()
        run_all(mine_cmds)
        if theirs:
            run_all(theirs)
        for _ in range(runs):
            for step in before:
                step()
            elapsed, peak = run_all(mine_cmds)
            mine.append(elapsed - launch * len(mine_cmds))
            memory.append(peak)
            if theirs:
                # A process whose baseline is taken off has its launch taken off with it.
                others.append(run_all(theirs)[0] - launch * (len(theirs) - subtract))
                if subtract:
                    baseline.append(run(typst_baseline)[0])
        m = statistics.median(mine)
        medians[name] = m
        mem = f"{max(memory) / 1e6:.0f} MB"
        if others:
            o = statistics.median(others) - (statistics.median(baseline) if baseline else 0)
            print(f"| {name} | {m * 1000:.0f} ms | {mem} | {peer} | {o * 1000:.0f} ms | {m / o:.1%} |")
        elif peer:
            print(f"| {name} | {m * 1000:.0f} ms | {mem} | {peer} | not installed | – |")
        else:
            print(f"| {name} | {m * 1000:.0f} ms | {mem} | – | – | – |")
    for fmt in ("EPUB", "PDF"):
        long, short = medians.get(f"300-chapter book → {fmt}"), medians.get(f"60-chapter book → {fmt}")
        if long and short:
            print(f"\n300 chapters / 60 chapters, {fmt}: {long / short:.2f}× the time "
                  f"for {words[300] / words[60]:.2f}× the words", end="")
    print()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
