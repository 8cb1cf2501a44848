#!/usr/bin/env bash
# Remake the pictures in README.md from the seed book, so they show what the code makes now:
# two PDF pages (pdftoppm) and the EPUB's first chapter and photo in a real reading engine
# (epub.js in headless Chromium, through ../shared/tools/render-epub).
#
# usage: bash scripts/readme-pictures.sh   (from anywhere; needs poppler-utils, and Chromium
# with node/npm for the EPUB screens)
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED="${SHARED:-../shared}"
out=docs/pictures
mkdir -p "$out"
pdf=$(cargo run -q --release -- pdf)
epub=$(cargo run -q --release -- epub)
# The opening page (title block, photo, credit) and a text page (running head, folio).
pdftoppm -png -r 90 -f 1 -l 2 "$pdf" "$out/pdf-page"
# The first screen of the first chapter (after the cover, title page and contents).
screens=$(mktemp -d)
"$SHARED/tools/render-epub" "$epub" "$screens" --screens 6 > "$screens/report.txt"
first=$(awk '/epubjs-[0-9]+\.png +ch001\.xhtml +page 1\// { print $1; exit }' "$screens/report.txt")
[ -n "$first" ] || { cat "$screens/report.txt"; echo "no screen of the first chapter" >&2; exit 1; }
cp "$screens/$first" "$out/epub-reader.png"
rm -rf "$screens"
ls -1 "$out"
