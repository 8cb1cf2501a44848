//! Line breaking: Knuth–Plass total-fit over boxes, glue and penalties, with a greedy
//! first-fit for ragged-right text. Pure arithmetic: no fonts, no pages.
//!
//! Why our own breaker rather than the `paragraph-breaker` crate: we need TeX's hyphenation
//! demerits (consecutive and final hyphens), a second pass without a tolerance, a guarantee
//! that an infeasible paragraph still breaks (that crate returns nothing then), and pdfTeX's
//! microtypography inside the breaker rather than after it:
//!
//! - font expansion: every box may be set up to [`MAX_EXPANSION`] wider or narrower, so a
//!   line's stretch and shrink are its glue's plus that fraction of its boxes' width. The
//!   breaker then finds lines that only fit with a little expansion, and spacing evens out;
//!   each line gets one expansion factor ([`Line::expansion`]), the glue takes the rest.
//! - character protrusion: a box may hang into the left margin when it starts a line and
//!   into the right margin when it ends one ([`Item::Box`]'s `hang_left`/`hang_right`, a
//!   hyphen's in [`Item::Penalty`]'s `hang`), so a line may be that much longer.
//!
//! The algorithm is the textbook one (Knuth & Plass 1981), kept linear by deactivating nodes
//! whose line overflows.

/// One item of a paragraph.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// Unbreakable material of a fixed width.
    Box {
        /// Width in points.
        width: f32,
        /// How far it may hang into the left margin when it starts a line (protrusion).
        hang_left: f32,
        /// How far it may hang into the right margin when it ends a line.
        hang_right: f32,
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
        /// How far what is drawn at the break (the hyphen) may hang into the right margin.
        hang: f32,
    },
}

impl Item {
    /// A box that never hangs into a margin.
    pub fn solid(width: f32) -> Item {
        Item::Box {
            width,
            hang_left: 0.0,
            hang_right: 0.0,
        }
    }

    /// A penalty that draws nothing at the break.
    pub fn penalty(cost: f32, flagged: bool) -> Item {
        Item::Penalty {
            width: 0.0,
            cost,
            flagged,
            hang: 0.0,
        }
    }
}

/// Font expansion: a justified line's glyphs may be set up to this fraction wider or
/// narrower (pdfTeX's `\pdfadjustspacing` with microtype's default stretch = shrink = 20,
/// i.e. ±2 %), beyond which letters visibly distort.
pub const MAX_EXPANSION: f32 = 0.02;

/// The word space a justified line aims for, as a glue ratio: a little wider than the
/// font's own space (by a fifth of its stretch), which is where the lines of a total-fit
/// paragraph typically come out. Font expansion first brings a line toward it, within
/// [`MAX_EXPANSION`], and the glue takes only what expansion cannot. Spaces thus stay near
/// one width from line to line while the letters, which the eye judges far less closely,
/// give by a percent or two; sharing the adjustment in proportion instead (pdfTeX's way)
/// leaves each line's spaces to carry most of its difference. On the seed this took the
/// evenness of word spaces (`spacing.py`, p95 / median) from 1.42 to 1.34.
pub const TARGET_SPACE_RATIO: f32 = 0.2;

/// Expansion factors are whole multiples of this (1/10000), toward zero: the factor is
/// written exactly (`Tz` with two decimals in percent) and the glue takes the remainder.
pub const EXPANSION_STEP: f32 = 1.0e-4;

/// Glue stretch from this on is "fill" (the end of a paragraph, a forced line break): a
/// line holding it is ragged and neither justified nor expanded.
const FILL: f32 = 1.0e5;

/// A penalty that forces a break.
pub const FORCED: f32 = -10_000.0;
/// A penalty that forbids a break.
pub const FORBIDDEN: f32 = 10_000.0;

/// A break costing this or more (an emergency break inside a word) is first fit's last
/// resort: taken only when no cheaper break fits on the line, so that a word that fits a
/// line of its own moves there whole rather than being cut where the line happens to end.
pub const LAST_RESORT: f32 = 5000.0;

/// Tuning of the total-fit breaker. The defaults are TeX's plain values where TeX has one,
/// with pdfTeX's font expansion on.
#[derive(Debug, Clone)]
pub struct Params {
    /// Largest adjustment ratio accepted in the first pass.
    pub tolerance: f32,
    /// Added to every line's badness (prefers fewer lines).
    pub line_penalty: f32,
    /// Extra demerits for two hyphenated lines in a row (TeX's `\doublehyphendemerits`).
    pub double_hyphen_demerits: f32,
    /// Extra demerits for each hyphenated line beyond two in a row: a ladder of three or
    /// more hyphens is a last resort, but no longer forbidden (forbidding it forced far worse
    /// lines, or an overfull one, when nothing else fitted).
    pub hyphen_ladder_demerits: f32,
    /// Extra demerits when the second-last line of a paragraph ends in a hyphen (TeX's
    /// `\finalhyphendemerits`): the word's end would sit alone on a short last line.
    pub final_hyphen_demerits: f32,
    /// Extra demerits for a paragraph whose last line is shorter than [`RUNT_FRACTION`] of
    /// the measure (a "runt": a lone word or a number such as the "7." of "December 7."
    /// on a line of its own).
    pub runt_demerits: f32,
    /// Extra demerits for adjacent lines of very different tightness (TeX's `\adjdemerits`).
    pub fitness_demerits: f32,
    /// Font expansion allowed, as a fraction of the boxes' width (0 for none).
    pub expansion: f32,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            tolerance: 1.5,
            line_penalty: 10.0,
            double_hyphen_demerits: 10_000.0,
            hyphen_ladder_demerits: 1.0e8,
            final_hyphen_demerits: 5_000.0,
            runt_demerits: 5_000.0,
            fitness_demerits: 10_000.0,
            expansion: MAX_EXPANSION,
        }
    }
}

/// A chosen line: items `start..end` (end exclusive; `end` is the break item or `len`), how
/// its glyphs are expanded and its glue adjusted to fill the measure, and how far it hangs
/// into the margins.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Line {
    /// First item of the line.
    pub start: usize,
    /// The break item (not part of the line's content, except a penalty's width).
    pub end: usize,
    /// Glue adjustment ratio, after expansion (negative: shrink).
    pub ratio: f32,
    /// Whether the line ends at a flagged penalty (draw a hyphen).
    pub hyphenated: bool,
    /// Font expansion of every box on the line: each is `1 + expansion` times its natural
    /// width; within ±[`Params::expansion`], 0 for ragged lines and lines ending at a forced
    /// break.
    pub expansion: f32,
    /// How far the line's first box hangs into the left margin.
    pub hang_left: f32,
    /// How far its last box (or hyphen) hangs into the right margin; the line fills the
    /// measure plus both hangs.
    pub hang_right: f32,
}

#[derive(Clone)]
struct Node {
    position: usize,
    line: usize,
    fitness: usize,
    /// Running sums up to the first box after the break: width, glue stretch and shrink,
    /// and box width (which expansion stretches and shrinks).
    width: f32,
    stretch: f32,
    shrink: f32,
    boxes: f32,
    /// How far the first box of the line starting here may hang into the left margin.
    hang: f32,
    demerits: f32,
    previous: Option<usize>,
    hyphens: u8,
}

/// Break `items` into lines of `width` (total fit). The last item should be a forced penalty
/// preceded by infinite-stretch glue (the usual paragraph ending); [`finish_paragraph`] adds it.
pub fn total_fit(items: &[Item], width: f32, params: &Params) -> Vec<Line> {
    // Like TeX: a strict pass, a looser one, then an emergency pass that accepts anything.
    for tolerance in [params.tolerance, params.tolerance * SECOND_PASS_TOLERANCE] {
        if let Some(lines) = try_total_fit(items, width, params, tolerance, false, None) {
            return lines;
        }
    }
    try_total_fit(items, width, params, f32::INFINITY, true, None)
        .unwrap_or_else(|| first_fit(items, width))
}

/// A line short of its measure by more than this times the tolerated stretch is certainly
/// too loose, whatever the rounding of the ratio's division (a few parts in 10⁸).
const CLEARLY_ABOVE: f32 = 1.0 + 1.0e-5;

/// The second pass accepts lines this many times looser than the first.
const SECOND_PASS_TOLERANCE: f32 = 2.5;

/// A line with no glue to stretch (cut from one long word, or text without spaces) is
/// judged by how much of the measure it leaves empty, as if this fraction of the measure
/// could stretch.
const RIGID_LINE_STRETCH: f32 = 0.1;

/// End a paragraph: fill glue and a forced break.
pub fn finish_paragraph(items: &mut Vec<Item>) {
    items.push(Item::penalty(FORBIDDEN, false));
    items.push(Item::Glue {
        width: 0.0,
        stretch: 1.0e6,
        shrink: 0.0,
    });
    items.push(Item::penalty(FORCED, false));
}

/// A legal break at `i`: (width added, cost, flagged, hang into the right margin).
fn is_break(items: &[Item], i: usize) -> Option<(f32, f32, bool, f32)> {
    match items[i] {
        Item::Glue { .. } if i > 0 => match items[i - 1] {
            Item::Box { hang_right, .. } => Some((0.0, 0.0, false, hang_right)),
            _ => None,
        },
        Item::Penalty {
            width,
            cost,
            flagged,
            hang,
        } if cost < FORBIDDEN => {
            // What ends the line: the penalty's own material (a hyphen), or else the box
            // before it (the hyphen of "India-", the last letter of a word cut by UAX #14).
            let hang = if width > 0.0 {
                hang
            } else {
                match i.checked_sub(1).map(|p| &items[p]) {
                    Some(Item::Box { hang_right, .. }) if cost > FORCED => *hang_right,
                    _ => 0.0,
                }
            };
            Some((width, cost, flagged, hang))
        }
        _ => None,
    }
}

/// How many kinds of run of hyphenated lines the breaker tells apart: none, one, two or more.
const HYPHEN_RUNS: usize = 3;

/// A last line shorter than this fraction of the measure is a runt ([`Params::runt_demerits`]).
pub const RUNT_FRACTION: f32 = 0.1;

/// How a line that is `delta` short of its measure (negative: too long) is made to fit:
/// the font expansion it takes, in points (within `±expandable`), and the ratio of its glue
/// to the glue's stretch (positive) or shrink (negative) for the rest. Expansion goes first,
/// toward [`TARGET_SPACE_RATIO`]; a line without glue takes expansion only (ratio 0).
fn split_adjustment(delta: f32, stretch: f32, shrink: f32, expandable: f32) -> (f32, f32) {
    let target_stretch = if shrink > 0.0 {
        TARGET_SPACE_RATIO * stretch
    } else {
        0.0
    };
    let expansion = (delta - target_stretch).clamp(-expandable, expandable);
    let rest = delta - expansion;
    let ratio = if rest >= 0.0 && stretch > 0.0 {
        rest / stretch
    } else if rest < 0.0 && shrink > 0.0 {
        rest / shrink
    } else {
        0.0
    };
    (expansion, ratio)
}

/// The adjustment ratio of a line: how much of its stretch (positive) or shrink (negative)
/// it takes to make `natural` fill `target`.
fn adjustment_ratio(natural: f32, target: f32, stretch: f32, shrink: f32, rigid: bool) -> f32 {
    if natural < target {
        if rigid {
            (target - natural) / (target * RIGID_LINE_STRETCH)
        } else {
            (target - natural) / stretch
        }
    } else if natural > target {
        if shrink > 0.0 {
            (target - natural) / shrink
        } else {
            f32::NEG_INFINITY
        }
    } else {
        0.0
    }
}

/// Break `items` into exactly `lines` lines within the first pass's tolerance, if that can
/// be done: TeX's `\looseness`, for a paragraph set one line longer (or shorter) than its
/// best setting so that a page comes out full. `None` when no such setting exists. Breaks
/// are kept apart by line count as well, so this costs a few times a plain [`total_fit`].
pub fn total_fit_in_lines(
    items: &[Item],
    width: f32,
    params: &Params,
    lines: usize,
) -> Option<Vec<Line>> {
    try_total_fit(items, width, params, params.tolerance, false, Some(lines))
}

/// The best way found so far to a break: its fitness class, the run of hyphenated lines
/// ending there (see [`HYPHEN_RUNS`]), its line number when breaks are kept apart by line
/// count (else 0), and then its total demerits and the node it comes from.
type Candidate = (usize, usize, usize, f32, usize);

fn try_total_fit(
    items: &[Item],
    line_width: f32,
    params: &Params,
    tolerance: f32,
    emergency: bool,
    lines_wanted: Option<usize>,
) -> Option<Vec<Line>> {
    let (mut sum_w, mut sum_y, mut sum_z, mut sum_b) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
    let last = items.len().checked_sub(1)?;
    let mut nodes = vec![Node {
        position: 0,
        line: 0,
        fitness: 1,
        width: 0.0,
        stretch: 0.0,
        shrink: 0.0,
        boxes: 0.0,
        hang: first_box_hang(items, 0),
        demerits: 0.0,
        previous: None,
        hyphens: 0,
    }];
    let first_pass = tolerance <= params.tolerance && !emergency;
    let mut best: Vec<Candidate> = Vec::new();
    let mut active: Vec<usize> = vec![0];
    // The nodes still active after a break, swapped with `active`: one buffer for the whole
    // paragraph rather than a new Vec at every feasible break.
    let mut keep: Vec<usize> = Vec::new();
    for i in 0..items.len() {
        if let Some((penalty_width, cost, flagged, hang_right)) = is_break(items, i) {
            // The best way to each fitness class, kept apart by how many hyphenated lines
            // lead up to it (none, one, two or more), as TeX keeps hyphenated and plain
            // breaks apart: otherwise a path ending in two hyphens that is cheaper so far
            // would crowd out the plain one, and its third hyphen become the only way on.
            best.clear();
            keep.clear();
            let mut last_dropped = None;
            // A line ending at a forced break is ragged: its glyphs keep their width.
            let expansion = if cost <= FORCED {
                0.0
            } else {
                params.expansion
            };
            for &a in &active {
                let node = &nodes[a];
                let natural = sum_w - node.width + penalty_width;
                let target = line_width + node.hang + hang_right;
                let glue_stretch = sum_y - node.stretch;
                let expandable = (sum_b - node.boxes + penalty_width) * expansion;
                let glue_shrink = sum_z - node.shrink;
                // Most active breaks are too near for a line from them to reach this one
                // within the tolerance. Those far short of it are passed over without the
                // ratio's division (the loop's cost): a margin keeps the answer exactly
                // the division's, and anything near the tolerance takes the full test.
                if cost > FORCED
                    && glue_stretch > 0.0
                    && target - natural > tolerance * (glue_stretch + expandable) * CLEARLY_ABOVE
                {
                    keep.push(a);
                    continue;
                }
                // Whether the line can be set at all, and within the tolerance: expansion
                // counts as stretch and shrink like the glue (TeX's tolerance, pdfTeX's
                // font expansion).
                let ratio = adjustment_ratio(
                    natural,
                    target,
                    glue_stretch + expandable,
                    glue_shrink + expandable,
                    glue_stretch <= 0.0,
                );
                let deactivate = ratio < -1.0 || cost <= FORCED;
                if deactivate {
                    last_dropped = Some(a);
                } else {
                    keep.push(a);
                }
                let acceptable = ratio >= -1.0
                    && (ratio <= tolerance || (emergency && ratio.is_infinite() && cost <= FORCED))
                    || (emergency && ratio.is_infinite() && ratio > 0.0);
                // The first pass sets no third hyphenated line in a row: a paragraph that
                // needs one goes to the looser pass, where a ladder competes with loose
                // lines on demerits instead of winning for want of a looser line.
                let ladder = flagged && node.hyphens >= 2;
                if !acceptable || (ladder && first_pass) {
                    continue;
                }
                // How it looks: its spaces, once expansion has done its part first. Worked
                // out only for a line that may be set: most active breaks are too near
                // (or too far) for the line to fit, and are passed over above.
                let spaces = if glue_stretch > 0.0 && glue_stretch < FILL && glue_shrink > 0.0 {
                    split_adjustment(target - natural, glue_stretch, glue_shrink, expandable).1
                } else {
                    ratio
                };
                let badness = 100.0 * spaces.abs().min(1.0e3).powi(3);
                let mut demerits = (params.line_penalty + badness).powi(2);
                if cost >= 0.0 {
                    demerits += cost * cost;
                } else if cost > FORCED {
                    demerits -= cost * cost;
                }
                if flagged && node.hyphens > 0 {
                    demerits += params.double_hyphen_demerits;
                    // Each line beyond two in a row costs more than any ordinary line.
                    demerits += params.hyphen_ladder_demerits * f32::from(node.hyphens - 1);
                }
                if i == last && node.hyphens > 0 {
                    demerits += params.final_hyphen_demerits;
                }
                if i == last && node.line > 0 && natural < line_width * RUNT_FRACTION {
                    demerits += params.runt_demerits;
                }
                let fitness: usize = if spaces < -0.5 {
                    0
                } else if spaces <= 0.5 {
                    1
                } else if spaces <= 1.0 {
                    2
                } else {
                    3
                };
                if fitness.abs_diff(node.fitness) > 1 {
                    demerits += params.fitness_demerits;
                }
                let total = node.demerits + demerits;
                let run = if flagged {
                    usize::from(node.hyphens.saturating_add(1)).min(HYPHEN_RUNS - 1)
                } else {
                    0
                };
                let line = if lines_wanted.is_some() {
                    node.line + 1
                } else {
                    0
                };
                let key = (fitness, run, line);
                match best.iter_mut().find(|c| (c.0, c.1, c.2) == key) {
                    Some(known) if total < known.3 => *known = (fitness, run, line, total, a),
                    Some(_) => {}
                    None => best.push((fitness, run, line, total, a)),
                }
            }
            std::mem::swap(&mut active, &mut keep);
            // A break that starts no line (nothing reaches it, and breaks before it are
            // still active) needs no sums after it.
            if !best.is_empty() || active.is_empty() {
                let (after_w, after_y, after_z, next_hang) =
                    sums_after_break(items, i, (sum_w, sum_y, sum_z));
                for &(fitness, _, _, demerits, from) in &best {
                    let line = nodes[from].line + 1;
                    let hyphens = if flagged {
                        nodes[from].hyphens.saturating_add(1)
                    } else {
                        0
                    };
                    nodes.push(Node {
                        position: i,
                        line,
                        fitness,
                        width: after_w,
                        stretch: after_y,
                        shrink: after_z,
                        boxes: sum_b,
                        hang: next_hang,
                        demerits,
                        previous: Some(from),
                        hyphens,
                    });
                    active.push(nodes.len() - 1);
                }
                if active.is_empty() {
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
                        boxes: sum_b,
                        hang: next_hang,
                        demerits: nodes[from].demerits + 1.0e9,
                        previous: Some(from),
                        hyphens: if flagged {
                            nodes[from].hyphens.saturating_add(1)
                        } else {
                            0
                        },
                    });
                    active.push(nodes.len() - 1);
                }
            }
        }
        match items[i] {
            Item::Box { width, .. } => {
                sum_w += width;
                sum_b += width;
            }
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
    let best = active
        .iter()
        .copied()
        .filter(|&a| nodes[a].position == last)
        .filter(|&a| lines_wanted.is_none_or(|wanted| nodes[a].line == wanted))
        .min_by(|&a, &b| nodes[a].demerits.total_cmp(&nodes[b].demerits))?;
    let mut breaks = Vec::new();
    let mut at = best;
    while let Some(previous) = nodes[at].previous {
        breaks.push(nodes[at].position);
        at = previous;
    }
    breaks.reverse();
    let mut lines = Vec::with_capacity(breaks.len());
    let mut start = 0;
    for end in breaks {
        lines.push(fit_line(
            items,
            skip_discardable(items, start),
            end,
            line_width,
            params.expansion,
        ));
        start = end + 1;
    }
    Some(lines)
}

/// The running sums (width, stretch, shrink) at the start of the line after a break at `i`,
/// given those at `i`: the glue and penalties that vanish at a line start are skipped. And
/// how far that line's first box may hang into the left margin.
fn sums_after_break(items: &[Item], i: usize, at: (f32, f32, f32)) -> (f32, f32, f32, f32) {
    let (mut after_w, mut after_y, mut after_z) = at;
    for (offset, item) in items[i..].iter().enumerate() {
        match item {
            Item::Box { hang_left, .. } => return (after_w, after_y, after_z, *hang_left),
            Item::Glue {
                width,
                stretch,
                shrink,
            } => {
                after_w += width;
                after_y += stretch;
                after_z += shrink;
            }
            Item::Penalty { cost, .. } if *cost <= FORCED && offset > 0 => break,
            Item::Penalty { .. } => {}
        }
    }
    (after_w, after_y, after_z, 0.0)
}

/// How far the first box from `i` on (before a forced break) may hang into the left margin.
fn first_box_hang(items: &[Item], i: usize) -> f32 {
    match items.get(skip_discardable(items, i)) {
        Some(Item::Box { hang_left, .. }) => *hang_left,
        _ => 0.0,
    }
}

/// Justify items `start..end` to `width` plus their hangs, pdfTeX-like: the line gets one
/// expansion factor, the share of the adjustment its boxes' stretch (or shrink) is of the
/// whole, clamped to ±`max_expansion`; the glue takes the rest.
fn fit_line(items: &[Item], start: usize, end: usize, width: f32, max_expansion: f32) -> Line {
    let (mut natural, mut stretch, mut shrink, mut boxes) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
    // A line whose discardable start runs past its break is empty, not an error.
    for item in items.get(start..end.min(items.len())).unwrap_or_default() {
        match *item {
            Item::Box { width, .. } => {
                natural += width;
                boxes += width;
            }
            Item::Glue {
                width,
                stretch: y,
                shrink: z,
            } => {
                natural += width;
                stretch += y;
                shrink += z;
            }
            Item::Penalty { .. } => {}
        }
    }
    let (hang_right, forced) = match is_break(items, end.min(items.len().saturating_sub(1))) {
        Some((penalty_width, cost, _, hang)) if end < items.len() => {
            natural += penalty_width;
            boxes += penalty_width;
            (hang, cost <= FORCED)
        }
        _ => (0.0, true),
    };
    let hang_left = match items.get(start) {
        Some(Item::Box { hang_left, .. }) if start < end => *hang_left,
        _ => 0.0,
    };
    let target = width + hang_left + hang_right;
    let delta = target - natural;
    let ragged = forced || stretch >= FILL;
    let max_expansion = if ragged { 0.0 } else { max_expansion };
    let expandable = boxes * max_expansion;
    let (expanded, _) = split_adjustment(delta, stretch, shrink, expandable);
    let share = if boxes > 0.0 { expanded / boxes } else { 0.0 };
    // Toward zero, to a whole step, so that the glue never has to give back what the
    // rounding took.
    let expansion = (share / EXPANSION_STEP).trunc() * EXPANSION_STEP;
    let (_, ratio) = split_adjustment(delta - expansion * boxes, stretch, shrink, 0.0);
    Line {
        start,
        end,
        ratio,
        hyphenated: matches!(items.get(end), Some(Item::Penalty { flagged: true, .. })),
        expansion,
        hang_left,
        hang_right,
    }
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
/// the penalties provided, at the last one that fits unless it is a [`LAST_RESORT`] and a
/// cheaper one fits too. Used for code, very narrow measures and as the last fallback.
/// Its lines neither expand nor hang into the margin: a ragged edge has nothing to align.
pub fn first_fit(items: &[Item], width: f32) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = skip_discardable(items, 0);
    let mut used = 0.0;
    let mut last_break: Option<usize> = None;
    let mut last_cheap_break: Option<usize> = None;
    let mut i = start;
    while i < items.len() {
        let mut break_at = None;
        if let Some((penalty_width, cost, _, _)) = is_break(items, i) {
            if cost <= FORCED {
                break_at = Some(i);
            } else if used + penalty_width <= width {
                last_break = Some(i);
                if cost < LAST_RESORT {
                    last_cheap_break = Some(i);
                }
            }
        }
        let w = match items[i] {
            Item::Box { width, .. } | Item::Glue { width, .. } => width,
            Item::Penalty { .. } => 0.0,
        };
        if break_at.is_none() && matches!(items[i], Item::Box { .. }) && used + w > width + 0.01 {
            break_at = last_cheap_break
                .filter(|b| *b > start)
                .or(last_break.filter(|b| *b > start));
        }
        if let Some(end) = break_at {
            lines.push(make_line(items, start, end));
            start = skip_discardable(items, end + 1);
            i = start;
            used = 0.0;
            last_break = None;
            last_cheap_break = None;
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
        expansion: 0.0,
        hang_left: 0.0,
        hang_right: 0.0,
    }
}

/// The width of a line as set: its boxes expanded by its factor, its glue adjusted by its
/// ratio, and the penalty's width where it breaks (for tests and layout). A justified line
/// is as wide as the measure plus its hangs.
pub fn line_width(items: &[Item], line: &Line) -> f32 {
    let scale = 1.0 + line.expansion;
    let mut w = 0.0;
    for item in items.get(line.start..line.end).unwrap_or_default() {
        match *item {
            Item::Box { width, .. } => w += width * scale,
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
        w += width * scale;
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
                items.push(Item::solid(w / 2.0));
                items.push(Item::Penalty {
                    width: 3.0,
                    cost: 50.0,
                    flagged: true,
                    hang: 0.0,
                });
                items.push(Item::solid(w / 2.0));
            } else {
                items.push(Item::solid(*w));
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
    fn expansion_goes_first_toward_the_target_space() {
        // 10 pt short, 20 pt of glue stretch, 5 pt of expansion: expansion takes all it
        // may (the spaces would otherwise stretch by 0.5), the glue the other 5 pt.
        let (expanded, ratio) = split_adjustment(10.0, 20.0, 10.0, 5.0);
        assert_eq!(expanded, 5.0);
        assert!((ratio - 0.25).abs() < 1e-6);
        // A line that fits as it is still has its spaces at the target, its letters a
        // little narrower, so that it looks like its neighbours.
        let (expanded, ratio) = split_adjustment(0.0, 20.0, 10.0, 5.0);
        assert!((expanded + TARGET_SPACE_RATIO * 20.0).abs() < 1e-6);
        assert!((ratio - TARGET_SPACE_RATIO).abs() < 1e-6);
        // Too long by more than expansion can take: the glue shrinks for the rest.
        let (expanded, ratio) = split_adjustment(-12.0, 20.0, 10.0, 5.0);
        assert_eq!(expanded, -5.0);
        assert!((ratio + 0.7).abs() < 1e-6);
        // No expansion allowed (a ragged or forced line): the glue does it all.
        assert_eq!(split_adjustment(6.0, 20.0, 10.0, 0.0), (0.0, 0.3));
        // No glue (one long word): expansion only.
        assert_eq!(split_adjustment(3.0, 0.0, 0.0, 5.0), (3.0, 0.0));
    }

    #[test]
    fn fitted_lines_keep_their_spaces_nearer_one_width_than_proportional_sharing() {
        let items = paragraph(&pseudo_random_words(400), true);
        let lines = total_fit(&items, 200.0, &Params::default());
        let justified = &lines[..lines.len() - 1];
        let near = justified
            .iter()
            .filter(|l| (l.ratio - TARGET_SPACE_RATIO).abs() < 0.05)
            .count();
        // Proportional sharing would leave every line's spaces at its own ratio; here
        // expansion brings most of them to the target exactly.
        assert!(near * 3 > justified.len(), "{near} of {}", justified.len());
        for line in justified {
            assert!(line.expansion.abs() <= MAX_EXPANSION + 1e-6);
            // Only a line that has used all its expansion has spaces off the target.
            if (line.ratio - TARGET_SPACE_RATIO).abs() > 0.01 {
                assert!(
                    line.expansion.abs() > MAX_EXPANSION - 2.0 * EXPANSION_STEP,
                    "{line:?}"
                );
            }
        }
    }

    #[test]
    fn a_last_line_of_a_lone_short_word_costs_demerits() {
        // Lines of 100. "40 40 12" fills the first line exactly and leaves "8" alone on the
        // last (a runt); "40 40" stretched by 0.6 sends "12 8" down together instead.
        let words = [40.0, 40.0, 12.0, 8.0];
        let mut items = Vec::new();
        for (n, width) in words.into_iter().enumerate() {
            if n > 0 {
                items.push(glue(24.0));
            }
            items.push(Item::solid(width));
        }
        finish_paragraph(&mut items);
        let starts = |lines: &[Line]| -> Vec<usize> { lines.iter().map(|l| l.start).collect() };
        let runts_allowed = Params {
            runt_demerits: 0.0,
            ..Params::default()
        };
        let exact = total_fit(&items, 100.0, &runts_allowed);
        assert_eq!(starts(&exact), [0, 6], "without the rule the 8 sits alone");
        let lines = total_fit(&items, 100.0, &Params::default());
        assert_eq!(starts(&lines), [0, 4], "the rule sends the 12 down with it");
        assert!((lines[0].ratio - 0.6).abs() < 0.01, "{:?}", lines[0]);
    }

    #[test]
    fn a_paragraph_can_be_set_in_one_line_more_when_that_reads_well() {
        let items = paragraph(&pseudo_random_words(400), true);
        let params = Params::default();
        let best = total_fit(&items, 200.0, &params);
        let longer = total_fit_in_lines(&items, 200.0, &params, best.len() + 1).expect("looser");
        assert_eq!(longer.len(), best.len() + 1);
        assert!(longer.iter().all(|l| l.ratio <= params.tolerance));
        // Same words, in order, every item on exactly one line.
        assert_eq!(
            longer.first().map(|l| l.start),
            best.first().map(|l| l.start)
        );
        assert_eq!(longer.last().map(|l| l.end), best.last().map(|l| l.end));
        // Asking for its own line count gives the best setting back.
        assert_eq!(
            total_fit_in_lines(&items, 200.0, &params, best.len()),
            Some(best.clone())
        );
        // Twice as many lines cannot be set within the tolerance.
        assert_eq!(
            total_fit_in_lines(&items, 200.0, &params, best.len() * 2),
            None
        );
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

    /// Runs of three or more hyphenated lines in a row.
    fn ladders(lines: &[Line]) -> usize {
        let mut run = 0;
        let mut count = 0;
        for line in lines {
            run = if line.hyphenated { run + 1 } else { 0 };
            count += usize::from(run == 3);
        }
        count
    }

    #[test]
    fn hyphen_ladders_are_a_last_resort() {
        // Long words everywhere tempt the breaker to hyphenate line after line; a third
        // hyphen in a row is allowed (see the test above), but not where a line within the
        // tolerance avoids it.
        let words: Vec<f32> = pseudo_random_words(600).iter().map(|w| w + 25.0).collect();
        let items = paragraph(&words, true);
        let lines = total_fit(&items, 250.0, &Params::default());
        let hyphenated = lines.iter().filter(|l| l.hyphenated).count();
        assert!(hyphenated > 20, "the test must exercise hyphenation");
        assert_eq!(ladders(&lines), 0);
        let careless = Params {
            double_hyphen_demerits: 0.0,
            hyphen_ladder_demerits: 0.0,
            ..Params::default()
        };
        assert!(ladders(&total_fit(&items, 250.0, &careless)) > 5);
    }

    #[test]
    fn impossible_paragraph_still_breaks_without_overflow_when_breaks_exist() {
        // A box wider than the line, with emergency break points every 5 pt.
        let mut items = vec![
            Item::solid(20.0),
            Item::Glue {
                width: 4.0,
                stretch: 2.0,
                shrink: 1.0,
            },
        ];
        for _ in 0..200 {
            items.push(Item::solid(5.0));
            items.push(Item::penalty(1000.0, false));
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
        let mut items = vec![Item::solid(500.0)];
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

    #[test]
    fn first_fit_moves_a_word_that_fits_a_line_whole_rather_than_cutting_it() {
        // "ab" then a 90 pt word with emergency points every 10 pt, on a 100 pt line: the
        // word fits a line of its own, so the line breaks at the space, not inside it.
        let mut items = vec![
            Item::solid(20.0),
            Item::Glue {
                width: 4.0,
                stretch: 2.0,
                shrink: 1.0,
            },
        ];
        for _ in 0..9 {
            items.push(Item::solid(10.0));
            items.push(Item::penalty(LAST_RESORT, false));
        }
        items.pop();
        finish_paragraph(&mut items);
        let lines = first_fit(&items, 100.0);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].end, 1, "broke at the space");
        // Wider than the line, the word is cut at the last resort after all.
        let lines = first_fit(&items, 50.0);
        assert_eq!(lines.len(), 3);
        assert!(lines.iter().all(|l| line_width(&items, l) <= 50.0));
    }

    fn glue(stretch: f32) -> Item {
        Item::Glue {
            width: 4.0,
            stretch,
            shrink: 1.3,
        }
    }

    fn hyphen(cost: f32) -> Item {
        Item::Penalty {
            width: 6.0,
            cost,
            flagged: true,
            hang: 0.0,
        }
    }

    #[test]
    fn a_third_hyphen_in_a_row_costs_demerits_rather_than_a_bad_line() {
        // Every line fits exactly only when it ends in the middle of a word: 30 + 4 + 60 +
        // a 6 pt hyphen = 100. Forbidding a third hyphen in a row (the old wall) left only
        // lines several times too loose or overfull.
        let mut items = vec![
            Item::solid(40.0),
            glue(2.0),
            Item::solid(50.0),
            hyphen(50.0),
        ];
        for _ in 0..3 {
            items.extend([
                Item::solid(30.0),
                glue(2.0),
                Item::solid(60.0),
                hyphen(50.0),
            ]);
        }
        items.extend([Item::solid(30.0), glue(2.0), Item::solid(20.0)]);
        // The first line is 40 + 4 + 50 + 6 = 100 too.
        finish_paragraph(&mut items);
        // Without font expansion, which would trade the exact fits for spaces nearer
        // TARGET_SPACE_RATIO: this test is about the hyphens alone.
        let params = Params {
            expansion: 0.0,
            ..Params::default()
        };
        let lines = total_fit(&items, 100.0, &params);
        let hyphenated: Vec<bool> = lines.iter().map(|l| l.hyphenated).collect();
        assert_eq!(hyphenated, [true, true, true, true, false]);
        for line in &lines[..lines.len() - 1] {
            assert!(line.ratio.abs() < 1.0e-3, "{line:?}");
            assert!((line_width(&items, line) - 100.0).abs() < 0.01);
        }
    }

    /// Two ways to set the first of two lines: exactly full, ending in a hyphen, or
    /// stretched by 0.8 ending at a space (then the whole last word on the last line).
    fn final_hyphen_paragraph() -> Vec<Item> {
        let mut items = vec![
            Item::solid(30.0),
            glue(50.0),
            Item::solid(26.0),
            glue(50.0),
            Item::solid(30.0),
            hyphen(50.0),
            Item::solid(20.0),
        ];
        finish_paragraph(&mut items);
        items
    }

    #[test]
    fn the_second_last_line_avoids_a_hyphen() {
        let items = final_hyphen_paragraph();
        let plain = Params {
            final_hyphen_demerits: 0.0,
            expansion: 0.0,
            ..Params::default()
        };
        let without = total_fit(&items, 100.0, &plain);
        assert!(
            without[0].hyphenated,
            "the exact fit wins on its own: {without:?}"
        );
        let with = total_fit(
            &items,
            100.0,
            &Params {
                expansion: 0.0,
                ..Params::default()
            },
        );
        assert_eq!(with.len(), 2);
        assert!(!with[0].hyphenated, "final hyphen demerits: {with:?}");
        assert!((with[0].ratio - 0.8).abs() < 1.0e-3);
    }

    #[test]
    fn expansion_is_stretch_and_shrink_for_the_breaker_and_one_factor_per_line() {
        let items = paragraph(&pseudo_random_words(400), true);
        let params = Params::default();
        let lines = total_fit(&items, 200.0, &params);
        let mut expanded = 0;
        for line in &lines[..lines.len() - 1] {
            assert!(line.expansion.abs() <= MAX_EXPANSION + 1.0e-6, "{line:?}");
            let steps = line.expansion / EXPANSION_STEP;
            assert!((steps - steps.round()).abs() < 1.0e-2, "{line:?}");
            assert!((line_width(&items, line) - 200.0).abs() < 0.01);
            expanded += usize::from(line.expansion != 0.0);
        }
        assert!(expanded > lines.len() / 2, "most lines take some expansion");
        assert_eq!(
            lines[lines.len() - 1].expansion,
            0.0,
            "the last line keeps its glyphs"
        );

        // A line that fits only with its glyphs 1.5 % narrower: no glue shrink is enough.
        let mut tight = vec![Item::solid(100.0), glue(2.0), Item::solid(100.5)];
        tight.extend([glue(2.0), Item::solid(30.0)]);
        finish_paragraph(&mut tight);
        let lines = total_fit(&tight, 202.0, &params);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[0].expansion < 0.0 && lines[0].expansion >= -MAX_EXPANSION);
        assert!(lines[0].ratio >= -1.0, "glue within its shrink: {lines:?}");
        assert!((line_width(&tight, &lines[0]) - 202.0).abs() < 0.01);
        let without = Params {
            expansion: 0.0,
            ..Params::default()
        };
        let rigid = total_fit(&tight, 202.0, &without);
        assert!(
            rigid[0].end < lines[0].end,
            "without expansion it cannot fit"
        );
    }

    #[test]
    fn protrusion_lengthens_the_line_by_its_hangs() {
        // "word." at a line's end may hang 3 pt into the right margin; the hyphen of a
        // break 2 pt; an opening quote 1.5 pt into the left one.
        let mut items = vec![
            Item::Box {
                width: 50.0,
                hang_left: 1.5,
                hang_right: 0.0,
            },
            glue(2.0),
            Item::Box {
                width: 44.0,
                hang_left: 0.0,
                hang_right: 3.0,
            },
            glue(2.0),
            Item::solid(40.0),
            Item::Penalty {
                width: 4.0,
                cost: 50.0,
                flagged: true,
                hang: 2.0,
            },
            Item::solid(40.0),
        ];
        finish_paragraph(&mut items);
        let lines = total_fit(&items, 100.0, &Params::default());
        let first = lines[0];
        assert_eq!((first.hang_left, first.hang_right), (1.5, 3.0), "{lines:?}");
        assert!((line_width(&items, &first) - 104.5).abs() < 0.01);
        // Broken at the hyphen instead, the line hangs by the hyphen's amount.
        let at_hyphen = fit_line(&items, 0, 5, 140.0, MAX_EXPANSION);
        assert_eq!(at_hyphen.hang_right, 2.0);
        assert!((line_width(&items, &at_hyphen) - 143.5).abs() < 0.01);
    }
}
