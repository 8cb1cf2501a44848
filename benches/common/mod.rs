//! Shared by the bench binaries: a synthetic manuscript made of the seed article's body.

/// A manuscript of at least `target_bytes`: a `#` title, then `##` chapters each holding the
/// seed article's twelve body paragraphs. Returns the text and the number of chapters.
pub fn synthetic_manuscript(target_bytes: usize) -> (String, usize) {
    let seed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/article.txt"
    ))
    .expect("seed");
    let body = seed
        .split("\n\n")
        .skip(4)
        .take(12)
        .collect::<Vec<_>>()
        .join("\n\n");
    let mut text = String::from("# Synthetic\n\n");
    let mut chapters = 0;
    while text.len() < target_bytes {
        chapters += 1;
        text.push_str(&format!("## Chapter {chapters}\n\n{body}\n\n"));
    }
    (text, chapters)
}
