//! Line breaking: Knuth–Plass total-fit over boxes, glue and penalties, with a greedy
//! first-fit for ragged-right text. Pure arithmetic: no fonts, no pages.
//!
//! Why our own breaker rather than the `paragraph-breaker` crate: we need a hard limit on
//! consecutive hyphenated lines, a second pass without a tolerance, and a guarantee that an
//! infeasible paragraph still breaks (that crate returns nothing then). The algorithm is the
//! textbook one (Knuth & Plass 1981), kept linear by deactivating nodes whose line overflows.

/// One item of a paragraph.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// Unbreakable material of a fixed width.
    Box {
        /// Width in points.
        width: f32,
    },
    /// Stretchable space; a legal break when it follows a box.
    Glue {
        /// Natural width.
        width: f32,
        /// How much it may grow.
        stretch: f32,
        /// How much it may shrink.
        shrink: f32,
    },
    /// A possible break with a cost; `width` is added only if the line breaks here (a hyphen).
    Penalty {
        /// Width if broken here.
        width: f32,
        /// Cost; `FORCED` forces a break, `FORBIDDEN` forbids it.
        cost: f32,
        /// A hyphen-like break (counted against consecutive hyphenation).
        flagged: bool,
    },
}

/// A penalty that forces a break.
pub const FORCED: f32 = -10_000.0;
/// A penalty that forbids a break.
pub const FORBIDDEN: f32 = 10_000.0;

/// Tuning of the total-fit breaker.
#[derive(Debug, Clone)]
pub struct Params {
    /// Largest adjustment ratio accepted in the first pass.
    pub tolerance: f32,
    /// Added to every line's badness (prefers fewer lines).
    pub line_penalty: f32,
    /// Extra demerits for two hyphenated lines in a row.
    pub double_hyphen_demerits: f32,
    /// Extra demerits for adjacent lines of very different tightness.
    pub fitness_demerits: f32,
    /// Never more than this many hyphenated lines in a row.
    pub max_consecutive_hyphens: u8,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            tolerance: 1.5,
            line_penalty: 10.0,
            double_hyphen_demerits: 10_000.0,
            fitness_demerits: 100.0,
            max_consecutive_hyphens: 2,
        }
    }
}

/// A chosen line: items `start..end` (end exclusive; `end` is the break item or `len`), and
/// the adjustment ratio for its glue (negative: shrink).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Line {
    /// First item of the line.
    pub start: usize,
    /// The break item (not part of the line's content, except a penalty's width).
    pub end: usize,
    /// Glue adjustment ratio.
    pub ratio: f32,
    /// Whether the line ends at a flagged penalty (draw a hyphen).
    pub hyphenated: bool,
}

#[derive(Clone)]
struct Node {
    position: usize,
    line: usize,
    fitness: usize,
    width: f32,
    stretch: f32,
    shrink: f32,
    demerits: f32,
    previous: Option<usize>,
    hyphens: u8,
    ratio: f32,
}

/// Break `items` into lines of `width` (total fit). The last item should be a forced penalty
/// preceded by infinite-stretch glue (the usual paragraph ending); [`finish_paragraph`] adds it.
pub fn total_fit(items: &[Item], width: f32, params: &Params) -> Vec<Line> {
    // Like TeX: a strict pass, a looser one, then an emergency pass that accepts anything.
    for tolerance in [params.tolerance, params.tolerance * 2.5] {
        if let Some(lines) = try_total_fit(items, width, params, tolerance, false) {
            return lines;
        }
    }
    try_total_fit(items, width, params, f32::INFINITY, true)
        .unwrap_or_else(|| first_fit(items, width))
}

/// End a paragraph: fill glue and a forced break.
pub fn finish_paragraph(items: &mut Vec<Item>) {
    items.push(Item::Penalty {
        width: 0.0,
        cost: FORBIDDEN,
        flagged: false,
    });
    items.push(Item::Glue {
        width: 0.0,
        stretch: 1.0e6,
        shrink: 0.0,
    });
    items.push(Item::Penalty {
        width: 0.0,
        cost: FORCED,
        flagged: false,
    });
}

fn is_break(items: &[Item], i: usize) -> Option<(f32, f32, bool)> {
    match items[i] {
        Item::Glue { .. } if i > 0 && matches!(items[i - 1], Item::Box { .. }) => {
            Some((0.0, 0.0, false))
        }
        Item::Penalty {
            width,
            cost,
            flagged,
        } if cost < FORBIDDEN => Some((width, cost, flagged)),
        _ => None,
    }
}

fn try_total_fit(
    items: &[Item],
    line_width: f32,
    params: &Params,
    tolerance: f32,
    emergency: bool,
) -> Option<Vec<Line>> {
    let (mut sum_w, mut sum_y, mut sum_z) = (0.0f32, 0.0f32, 0.0f32);
    let mut nodes = vec![Node {
        position: 0,
        line: 0,
        fitness: 1,
        width: 0.0,
        stretch: 0.0,
        shrink: 0.0,
        demerits: 0.0,
        previous: None,
        hyphens: 0,
        ratio: 0.0,
    }];
    let mut active: Vec<usize> = vec![0];
    // The nodes still active after a break, swapped with `active`: one buffer for the whole
    // paragraph rather than a new Vec at every feasible break.
    let mut keep: Vec<usize> = Vec::new();
    for i in 0..items.len() {
        if let Some((penalty_width, cost, flagged)) = is_break(items, i) {
            let mut best: [Option<(f32, usize, f32)>; 4] = [None; 4];
            keep.clear();
            let mut last_dropped = None;
            for &a in &active {
                let node = &nodes[a];
                let natural = sum_w - node.width + penalty_width;
                let ratio = if natural < line_width {
                    let stretch = sum_y - node.stretch;
                    if stretch > 0.0 {
                        (line_width - natural) / stretch
                    } else {
                        // Nothing to stretch (a line cut from one long word, or text without
                        // spaces): judge it by how much of the measure it leaves empty.
                        (line_width - natural) / (line_width * 0.1)
                    }
                } else if natural > line_width {
                    let shrink = sum_z - node.shrink;
                    if shrink > 0.0 {
                        (line_width - natural) / shrink
                    } else {
                        f32::NEG_INFINITY
                    }
                } else {
                    0.0
                };
                let deactivate = ratio < -1.0 || cost <= FORCED;
                if deactivate {
                    last_dropped = Some(a);
                } else {
                    keep.push(a);
                }
                let too_many_hyphens = flagged && node.hyphens >= params.max_consecutive_hyphens;
                let acceptable = ratio >= -1.0
                    && (ratio <= tolerance || (emergency && ratio.is_infinite() && cost <= FORCED))
                    || (emergency && ratio.is_infinite() && ratio > 0.0);
                if !acceptable || too_many_hyphens {
                    continue;
                }
                let badness = 100.0 * ratio.abs().min(1.0e3).powi(3);
                let mut demerits = (params.line_penalty + badness).powi(2);
                if cost >= 0.0 {
                    demerits += cost * cost;
                } else if cost > FORCED {
                    demerits -= cost * cost;
                }
                let previous_flagged = node.hyphens > 0;
                if flagged && previous_flagged {
                    demerits += params.double_hyphen_demerits;
                }
                let fitness: usize = if ratio < -0.5 {
                    0
                } else if ratio <= 0.5 {
                    1
                } else if ratio <= 1.0 {
                    2
                } else {
                    3
                };
                if fitness.abs_diff(node.fitness) > 1 {
                    demerits += params.fitness_demerits;
                }
                let total = node.demerits + demerits;
                if best[fitness].is_none_or(|(d, _, _)| total < d) {
                    best[fitness] = Some((total, a, ratio));
                }
            }
            // Sums after the break skip the glue/penalties that vanish at a line start.
            let (mut after_w, mut after_y, mut after_z) = (sum_w, sum_y, sum_z);
            for item in &items[i..] {
                match item {
                    Item::Box { .. } => break,
                    Item::Glue {
                        width,
                        stretch,
                        shrink,
                    } => {
                        after_w += width;
                        after_y += stretch;
                        after_z += shrink;
                    }
                    Item::Penalty { cost, .. }
                        if *cost <= FORCED && !std::ptr::eq(item, &items[i]) =>
                    {
                        break
                    }
                    Item::Penalty { .. } => {}
                }
            }
            std::mem::swap(&mut active, &mut keep);
            let mut added = false;
            for (fitness, candidate) in best.iter().enumerate() {
                if let Some((demerits, from, ratio)) = *candidate {
                    let line = nodes[from].line + 1;
                    let hyphens = if flagged { nodes[from].hyphens + 1 } else { 0 };
                    nodes.push(Node {
                        position: i,
                        line,
                        fitness,
                        width: after_w,
                        stretch: after_y,
                        shrink: after_z,
                        demerits,
                        previous: Some(from),
                        hyphens,
                        ratio,
                    });
                    active.push(nodes.len() - 1);
                    added = true;
                }
            }
            if active.is_empty() && !added {
                if !emergency {
                    return None;
                }
                // Nothing fits: break here anyway (an overfull line) and carry on.
                let from = last_dropped?;
                nodes.push(Node {
                    position: i,
                    line: nodes[from].line + 1,
                    fitness: 1,
                    width: after_w,
                    stretch: after_y,
                    shrink: after_z,
                    demerits: nodes[from].demerits + 1.0e9,
                    previous: Some(from),
                    hyphens: if flagged { nodes[from].hyphens + 1 } else { 0 },
                    ratio: -1.0,
                });
                active.push(nodes.len() - 1);
            }
        }
        match items[i] {
            Item::Box { width } => sum_w += width,
            Item::Glue {
                width,
                stretch,
                shrink,
            } => {
                sum_w += width;
                sum_y += stretch;
                sum_z += shrink;
            }
            Item::Penalty { .. } => {}
        }
    }
    let last = items.len().checked_sub(1)?;
    let best = active
        .iter()
        .copied()
        .filter(|&a| nodes[a].position == last)
        .min_by(|&a, &b| nodes[a].demerits.total_cmp(&nodes[b].demerits))?;
    Some(unwind(items, &nodes, best, |n| {
        (n.position, n.ratio, n.previous)
    }))
}

fn unwind(
    items: &[Item],
    nodes: &[Node],
    mut at: usize,
    get: impl Fn(&Node) -> (usize, f32, Option<usize>),
) -> Vec<Line> {
    let mut breaks = Vec::new();
    while let (position, ratio, Some(previous)) = get(&nodes[at]) {
        breaks.push((position, ratio));
        at = previous;
    }
    breaks.reverse();
    let mut lines = Vec::with_capacity(breaks.len());
    let mut start = 0;
    for (end, ratio) in breaks {
        let hyphenated = matches!(items[end], Item::Penalty { flagged: true, .. });
        lines.push(Line {
            start: skip_discardable(items, start),
            end,
            ratio,
            hyphenated,
        });
        start = end + 1;
    }
    lines
}

fn skip_discardable(items: &[Item], mut i: usize) -> usize {
    while i < items.len() && !matches!(items[i], Item::Box { .. }) {
        if matches!(items[i], Item::Penalty { cost, .. } if cost <= FORCED) {
            break;
        }
        i += 1;
    }
    i
}

/// Ragged-right first fit: fill each line as far as it goes; break overlong boxes only at
/// the penalties provided. Used for code, very narrow measures and as the last fallback.
pub fn first_fit(items: &[Item], width: f32) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = skip_discardable(items, 0);
    let mut used = 0.0;
    let mut last_break: Option<usize> = None;
    let mut i = start;
    while i < items.len() {
        let mut break_at = None;
        if let Some((penalty_width, cost, _)) = is_break(items, i) {
            if cost <= FORCED {
                break_at = Some(i);
            } else if used + penalty_width <= width {
                last_break = Some(i);
            }
        }
        let w = match items[i] {
            Item::Box { width } | Item::Glue { width, .. } => width,
            Item::Penalty { .. } => 0.0,
        };
        if break_at.is_none() && matches!(items[i], Item::Box { .. }) && used + w > width + 0.01 {
            break_at = last_break.filter(|b| *b > start);
        }
        if let Some(end) = break_at {
            lines.push(make_line(items, start, end));
            start = skip_discardable(items, end + 1);
            i = start;
            used = 0.0;
            last_break = None;
            continue;
        }
        used += w;
        i += 1;
    }
    if start < items.len() {
        lines.push(make_line(items, start, items.len() - 1));
    }
    lines
}

fn make_line(items: &[Item], start: usize, end: usize) -> Line {
    Line {
        start,
        end,
        ratio: 0.0,
        hyphenated: matches!(items.get(end), Some(Item::Penalty { flagged: true, .. })),
    }
}

/// The natural width of a line plus its glue adjusted by `ratio` (for tests and layout).
pub fn line_width(items: &[Item], line: &Line) -> f32 {
    let mut w = 0.0;
    for item in &items[line.start..line.end] {
        match *item {
            Item::Box { width } => w += width,
            Item::Glue {
                width,
                stretch,
                shrink,
            } => {
                w += width
                    + if line.ratio >= 0.0 {
                        line.ratio * stretch
                    } else {
                        line.ratio * shrink
                    };
            }
            Item::Penalty { .. } => {}
        }
    }
    if let Some(Item::Penalty { width, .. }) = items.get(line.end) {
        w += width;
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words of given widths separated by justifiable spaces, with a hyphenation point in
    /// every word longer than 30 pt.
    fn paragraph(words: &[f32], hyphenate: bool) -> Vec<Item> {
        let mut items = Vec::new();
        for (n, w) in words.iter().enumerate() {
            if n > 0 {
                items.push(Item::Glue {
                    width: 4.0,
                    stretch: 2.0,
                    shrink: 1.3,
                });
            }
            if hyphenate && *w > 30.0 {
                items.push(Item::Box { width: w / 2.0 });
                items.push(Item::Penalty {
                    width: 3.0,
                    cost: 50.0,
                    flagged: true,
                });
                items.push(Item::Box { width: w / 2.0 });
            } else {
                items.push(Item::Box { width: *w });
            }
        }
        finish_paragraph(&mut items);
        items
    }

    fn pseudo_random_words(n: usize) -> Vec<f32> {
        let mut x: u32 = 12345;
        (0..n)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                10.0 + (x >> 16) as f32 % 40.0
            })
            .collect()
    }

    #[test]
    fn no_line_is_overfull_and_all_but_last_are_justified() {
        let items = paragraph(&pseudo_random_words(400), true);
        let lines = total_fit(&items, 200.0, &Params::default());
        assert!(lines.len() > 20);
        for line in &lines[..lines.len() - 1] {
            let w = line_width(&items, line);
            assert!((w - 200.0).abs() < 0.01, "justified line is {w} wide");
            assert!(line.ratio >= -1.0);
        }
        assert!(line_width(&items, &lines[lines.len() - 1]) <= 200.01);
    }

    #[test]
    fn at_most_two_hyphenated_lines_in_a_row() {
        // Long words everywhere tempt the breaker to hyphenate every line.
        let words: Vec<f32> = pseudo_random_words(600).iter().map(|w| w + 25.0).collect();
        let items = paragraph(&words, true);
        let lines = total_fit(&items, 150.0, &Params::default());
        let hyphenated = lines.iter().filter(|l| l.hyphenated).count();
        assert!(hyphenated > 0, "the test must exercise hyphenation");
        let mut run = 0;
        for line in &lines {
            run = if line.hyphenated { run + 1 } else { 0 };
            assert!(run <= 2, "three hyphenated lines in a row");
        }
    }

    #[test]
    fn impossible_paragraph_still_breaks_without_overflow_when_breaks_exist() {
        // A box wider than the line, with emergency break points every 5 pt.
        let mut items = vec![
            Item::Box { width: 20.0 },
            Item::Glue {
                width: 4.0,
                stretch: 2.0,
                shrink: 1.0,
            },
        ];
        for _ in 0..200 {
            items.push(Item::Box { width: 5.0 });
            items.push(Item::Penalty {
                width: 0.0,
                cost: 1000.0,
                flagged: false,
            });
        }
        items.pop();
        finish_paragraph(&mut items);
        let lines = total_fit(&items, 100.0, &Params::default());
        assert!(lines.len() >= 10);
        for line in &lines {
            assert!(line_width(&items, line) <= 100.01, "{line:?}");
        }
    }

    #[test]
    fn unbreakable_box_wider_than_the_line_gives_one_overfull_line_not_a_hang() {
        let mut items = vec![Item::Box { width: 500.0 }];
        finish_paragraph(&mut items);
        let lines = total_fit(&items, 100.0, &Params::default());
        assert_eq!(lines.len(), 1);
    }

    #[test]
    fn first_fit_breaks_ragged() {
        let items = paragraph(&[30.0; 20], false);
        let lines = first_fit(&items, 100.0);
        assert_eq!(lines.len(), 7);
        for line in &lines {
            assert!(line_width(&items, line) <= 100.0);
        }
    }
}
