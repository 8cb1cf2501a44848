//! Building many books in one call (`presswork build A B C … -j N --shard K/N`): which inputs
//! this process builds, what each output is called, and the workers that build them.
//!
//! A shard is a stable partition of the sorted inputs: input `i` (from 0, in sorted order)
//! belongs to shard `i mod N + 1`. Every process of a Kubernetes Indexed Job, a Slurm array
//! or GNU parallel over ssh that is given the same list and its own `K` builds a disjoint
//! part, and the parts cover the list exactly once, with no scheduler of ours.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// `--shard K/N`: this process builds shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which shard, from 1.
    pub index: usize,
    /// How many shards in all.
    pub count: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;

    /// `K/N` with 1 ≤ K ≤ N.
    fn from_str(text: &str) -> Result<Shard, String> {
        let usage = || {
            format!("`{text}` is not a shard: write K/N, shard K of N (1 ≤ K ≤ N), such as `2/8`")
        };
        let (k, n) = text.split_once('/').ok_or_else(usage)?;
        let index: usize = k.trim().parse().map_err(|_| usage())?;
        let count: usize = n.trim().parse().map_err(|_| usage())?;
        if index == 0 || count == 0 || index > count {
            return Err(usage());
        }
        Ok(Shard { index, count })
    }
}

/// The inputs of `shard` (all of them without one), sorted by path so that every process
/// that is given the same inputs, in any order, agrees on the partition; duplicates once.
pub fn inputs_of_shard(mut inputs: Vec<PathBuf>, shard: Option<Shard>) -> Vec<PathBuf> {
    inputs.sort();
    inputs.dedup();
    match shard {
        None => inputs,
        Some(Shard { index, count }) => inputs
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % count == index - 1)
            .map(|(_, input)| input)
            .collect(),
    }
}

/// One output name per book: the name each would take alone (its `output-name` or its
/// folder's or file's name), and for a name two books share, the second and later get
/// `-2`, `-3`, … in input order, so that no book overwrites another in `--out-dir`.
pub fn unique_names(names: &[String]) -> Vec<String> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    names
        .iter()
        .map(|name| {
            let count = seen.entry(name.as_str()).or_insert(0);
            *count += 1;
            if *count == 1 {
                name.clone()
            } else {
                format!("{name}-{count}")
            }
        })
        .collect()
}

/// The name a book's outputs take when built alone from `input`: its folder's or file's
/// name (the book's own `output-name` replaces it once the book is loaded).
pub fn input_name(input: &Path) -> String {
    input
        .canonicalize()
        .ok()
        .as_deref()
        .unwrap_or(input)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "book".into())
}

/// Run `work` on every item with `jobs` threads of `stack_bytes` stack each, each taking the
/// next item as it finishes one (books differ a lot in size). A panic in one item's work
/// becomes that item's `Err` (with the panic's message) and the others go on. `done` is
/// called as each finishes, in finishing order, one at a time. Returns the results in item
/// order.
pub fn run_all<T: Sync, R: Send>(
    items: &[T],
    jobs: usize,
    stack_bytes: usize,
    work: impl Fn(&T) -> R + Sync,
    done: impl Fn(usize, &Result<R, String>) + Sync,
) -> Vec<Result<R, String>> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<R, String>>>> =
        Mutex::new((0..items.len()).map(|_| None).collect());
    let report = Mutex::new(());
    let worker = || loop {
        let index = next.fetch_add(1, Ordering::Relaxed);
        let Some(item) = items.get(index) else { break };
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(item)))
            .map_err(|payload| panic_message(payload.as_ref()));
        {
            let _one_at_a_time = report.lock().unwrap_or_else(|e| e.into_inner());
            done(index, &result);
        }
        results.lock().unwrap_or_else(|e| e.into_inner())[index] = Some(result);
    };
    std::thread::scope(|scope| {
        for n in 0..jobs.clamp(1, items.len().max(1)) {
            let spawned = std::thread::Builder::new()
                .name(format!("book-{n}"))
                .stack_size(stack_bytes)
                .spawn_scoped(scope, worker);
            if spawned.is_err() {
                // No thread to spare: this one works through what is left.
                worker();
            }
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err("the book was not built".into())))
        .collect()
}

/// The text of a panic's payload.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_read_as_k_of_n() {
        assert_eq!("2/8".parse(), Ok(Shard { index: 2, count: 8 }));
        assert_eq!(" 1 / 1 ".parse(), Ok(Shard { index: 1, count: 1 }));
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", ""] {
            let error = bad.parse::<Shard>().expect_err(bad);
            assert!(error.contains("K/N"), "{error}");
        }
    }

    #[test]
    fn shards_partition_the_sorted_inputs_exactly_once() {
        let inputs: Vec<PathBuf> = (0..60).map(|i| PathBuf::from(format!("b{i:02}"))).collect();
        let mut shuffled = inputs.clone();
        shuffled.reverse();
        let mut covered = Vec::new();
        for index in 1..=3 {
            let part = inputs_of_shard(shuffled.clone(), Some(Shard { index, count: 3 }));
            assert_eq!(part.len(), 20);
            // The same part whatever order the inputs were given in.
            assert_eq!(
                part,
                inputs_of_shard(inputs.clone(), Some(Shard { index, count: 3 }))
            );
            covered.extend(part);
        }
        covered.sort();
        assert_eq!(covered, inputs, "every input once");
        assert_eq!(inputs_of_shard(shuffled, None), inputs);
    }

    #[test]
    fn books_that_share_a_name_get_distinct_outputs() {
        let names: Vec<String> = ["a", "book", "book", "c", "book"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(unique_names(&names), ["a", "book", "book-2", "c", "book-3"]);
    }

    #[test]
    fn every_item_is_worked_once_and_results_keep_their_order() {
        let items: Vec<usize> = (0..50).collect();
        let finished = Mutex::new(Vec::new());
        let results = run_all(
            &items,
            4,
            1 << 20,
            |n| {
                assert_ne!(*n, 13, "unlucky");
                n * 2
            },
            |index, _| finished.lock().expect("lock").push(index),
        );
        let expected: Vec<Result<usize, String>> = items
            .iter()
            .map(|n| {
                if *n == 13 {
                    Err("unlucky".into())
                } else {
                    Ok(n * 2)
                }
            })
            .collect();
        assert_eq!(results.len(), 50);
        for (got, want) in results.iter().zip(&expected) {
            match (got, want) {
                (Ok(a), Ok(b)) => assert_eq!(a, b),
                (Err(message), Err(_)) => assert!(message.contains("unlucky"), "{message}"),
                other => panic!("{other:?}"),
            }
        }
        let mut finished = finished.into_inner().expect("lock");
        finished.sort_unstable();
        assert_eq!(finished, items);
    }
}
