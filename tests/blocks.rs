//! Block quotes and wide tables in a real PDF (`tests/manuscripts/wide-tables.md`), read
//! back with poppler's `pdftotext`: no date in a table is split across lines, and a quote
//! has room above and below it.

use std::path::{Path, PathBuf};

use presswork::load::{load_book, LoadOptions};
use presswork::pdf::{PdfOptions, PdfRenderer};
use presswork::{Diagnostics, Renderer};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Build `tests/manuscripts/<name>.md` into a PDF file; with the warnings.
fn build(name: &str) -> (PathBuf, Diagnostics) {
    let mut diagnostics = Diagnostics::default();
    let source = repo().join(format!("tests/manuscripts/{name}.md"));
    let book = load_book(&source, &LoadOptions::default(), &mut diagnostics).expect("loads");
    let bytes = PdfRenderer {
        options: PdfOptions::default(),
    }
    .render(&book, &mut diagnostics)
    .expect("PDF renders");
    let dir = std::env::temp_dir().join(format!("presswork-blocks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let pdf = dir.join(format!("{name}.pdf"));
    std::fs::write(&pdf, bytes).expect("write");
    (pdf, diagnostics)
}

/// `pdftotext` of the whole file, with extra arguments.
fn pdftotext(pdf: &Path, args: &[&str]) -> String {
    let output = std::process::Command::new("pdftotext")
        .args(args)
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn no_date_in_a_wide_table_is_split() {
    let (pdf, diagnostics) = build("wide-tables");
    let manuscript =
        std::fs::read_to_string(repo().join("tests/manuscripts/wide-tables.md")).expect("reads");
    let dates: Vec<&str> = manuscript
        .split(|c: char| c.is_whitespace() || c == '|')
        .filter(|w| w.len() == 10 && w.starts_with("2019-"))
        .collect();
    assert_eq!(dates.len(), 7);
    let text = pdftotext(&pdf, &[]);
    let words: Vec<&str> = text.split_whitespace().collect();
    for date in &dates {
        assert!(words.contains(date), "{date} split or missing in:\n{text}");
    }
    // Nor a time or an amount.
    for number in ["08:30", "17:45", "1,234.50", "1,001.75"] {
        assert!(words.contains(&number), "{number} split in:\n{text}");
    }
    // Nothing had to be cut by force: a located warning would say so.
    assert!(
        !diagnostics
            .warnings
            .iter()
            .any(|w| w.message.contains("broken inside a word")),
        "{:?}",
        diagnostics.warnings
    );
}

/// Lines of `pdftotext -bbox-layout`: (yMin, yMax, xMin, text), in reading order.
fn lines(pdf: &Path) -> Vec<(f64, f64, f64, String)> {
    let xml = pdftotext(pdf, &["-bbox-layout"]);
    let attribute = |tag: &str, name: &str| -> f64 {
        let start = tag.find(&format!("{name}=\"")).expect("attribute") + name.len() + 2;
        let end = start + tag[start..].find('"').expect("closing quote");
        tag[start..end].parse().expect("number")
    };
    xml.split("<line ")
        .skip(1)
        .map(|line| {
            let line = line.split("</line>").next().unwrap_or_default();
            let words: Vec<String> = line
                .split("<word ")
                .skip(1)
                .filter_map(|w| Some(w.split_once('>')?.1.split('<').next()?.to_string()))
                .collect();
            (
                attribute(line, "yMin"),
                attribute(line, "yMax"),
                attribute(line, "xMin"),
                words.join(" "),
            )
        })
        .collect()
}

#[test]
fn a_block_quote_has_room_above_and_below_and_is_indented() {
    let (pdf, _) = build("wide-tables");
    let lines = lines(&pdf);
    let find = |start: &str| {
        lines
            .iter()
            .position(|l| l.3.starts_with(start))
            .unwrap_or_else(|| panic!("{start} in {lines:?}"))
    };
    let (first, after) = (find("The logbooks"), find("The quotation above"));
    let body = find("Each reading");
    // Baseline to baseline (yMax, as the lines are of one size): a body line is 14 pt at
    // A5; around the quote half a line more.
    let step = |a: usize, b: usize| lines[b].1 - lines[a].1;
    let leading = step(body, body + 1);
    assert!((leading - 14.0).abs() < 0.1, "{leading}");
    assert!(
        (step(first - 1, first) - 1.5 * leading).abs() < 0.1,
        "above"
    );
    assert!(
        (step(after - 1, after) - 1.5 * leading).abs() < 0.1,
        "below"
    );
    assert!((step(first, first + 1) - leading).abs() < 0.1, "inside");
    // Indented by 15 pt; the paragraph after the quote starts flush, the one before it
    // is indented as a new paragraph.
    let flush = lines[find("The stations")].2;
    assert!(
        (lines[first].2 - flush - 15.0).abs() < 0.5,
        "{:?}",
        lines[first]
    );
    assert!((lines[after].2 - flush).abs() < 0.5, "{:?}", lines[after]);
    assert!(lines[body].2 - flush > 5.0);
}
