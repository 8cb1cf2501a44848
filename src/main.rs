//! The `presswork` command line: build an EPUB or a PDF from a book folder or Markdown file.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use presswork::epub::EpubRenderer;
use presswork::ir::Paper;
use presswork::load::{load_book, LoadOptions};
use presswork::pdf::{PdfOptions, PdfRenderer};
use presswork::{Diagnostics, Renderer};

/// The PDF pipeline allocates from several threads at once (layout workers and the writer);
/// glibc's allocator serialises them on its arena locks. mimalloc's per-thread heaps cut a
/// 50 MB PDF build from 20.5 s to 18.5 s on two cores (see the README's limits).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Turn a Markdown manuscript into an EPUB 3 ebook or a print-ready PDF.
#[derive(Parser)]
#[command(name = "presswork", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build an EPUB 3 ebook.
    Epub(CommonArgs),
    /// Build a print-ready PDF.
    Pdf(PdfArgs),
}

#[derive(Args)]
struct PdfArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Do not make the PDF a PDF/A-2b archival file (no XMP metadata, no sRGB output
    /// intent; CMYK photos stay CMYK).
    #[arg(long)]
    no_pdfa: bool,
}

#[derive(Args)]
struct CommonArgs {
    /// The book: a folder (with book.toml and/or .md files) or a single .md file.
    #[arg(default_value = "book")]
    input: PathBuf,
    /// Where to write the output [default: output/<input name>.<epub|pdf>].
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Heading level (1-6) that starts a new chapter [default: chosen from the headings:
    /// `#` when there are several, else `##`].
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=6))]
    split_level: Option<u8>,
    /// Treat warnings as errors.
    #[arg(long)]
    strict: bool,
    /// Replace remote (http/https) images, which are never fetched, by their alt text with a
    /// warning instead of failing.
    #[arg(long)]
    lenient: bool,
    /// Paper size of the PDF (ignored for EPUB) [default: `paper` in book.toml, else a5].
    #[arg(long, value_enum)]
    paper: Option<PaperArg>,
}

/// Paper sizes on the command line.
#[derive(Clone, Copy, clap::ValueEnum)]
enum PaperArg {
    /// ISO A5, 148 × 210 mm.
    A5,
    /// ISO A4, 210 × 297 mm.
    A4,
    /// US Letter, 8.5 × 11 in.
    Letter,
    /// US trade paperback, 6 × 9 in.
    #[value(name = "6x9")]
    Trade,
}

impl From<PaperArg> for Paper {
    fn from(paper: PaperArg) -> Self {
        match paper {
            PaperArg::A5 => Paper::A5,
            PaperArg::A4 => Paper::A4,
            PaperArg::Letter => Paper::Letter,
            PaperArg::Trade => Paper::Trade,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (args, renderer): (&CommonArgs, Box<dyn Renderer + Sync>) = match &cli.command {
        Command::Epub(args) => (args, Box::new(EpubRenderer)),
        Command::Pdf(PdfArgs {
            common: args,
            no_pdfa,
        }) => (
            args,
            Box::new(PdfRenderer {
                options: PdfOptions { archival: !no_pdfa },
            }),
        ),
    };
    match run_guarded(args, renderer.as_ref()) {
        Ok(Ok(path)) => {
            println!("{}", path.display());
            ExitCode::SUCCESS
        }
        Ok(Err(message)) => {
            eprintln!("presswork: error: {message}");
            ExitCode::FAILURE
        }
        Err(panic) => {
            eprintln!(
                "presswork: error: internal error (a bug): {panic}; nothing was written. \
                 Please report it with the input that caused it."
            );
            ExitCode::from(2)
        }
    }
}

/// `SOURCE_DATE_EPOCH` (reproducible-builds.org): the build date, read here so that the
/// back ends never look at the environment. A value that is not a number is ignored with a
/// warning.
fn source_date_epoch() -> Option<i64> {
    let value = std::env::var("SOURCE_DATE_EPOCH").ok()?;
    let seconds = value.trim().parse::<i64>().ok();
    if seconds.is_none() {
        eprintln!(
            "presswork: warning: SOURCE_DATE_EPOCH=`{value}` is not a number of seconds; ignored"
        );
    }
    seconds
}

/// Stack for the build: the recursive passes over the IR get room to spare (the front end
/// also caps nesting depth), and the reservation is virtual memory, not resident.
const BUILD_STACK_BYTES: usize = 256 << 20;

/// Run the build on a thread with a large stack and catch any panic, returning its message
/// and location instead of letting the default hook print a backtrace hint.
fn run_guarded(
    args: &CommonArgs,
    renderer: &(dyn Renderer + Sync),
) -> Result<Result<PathBuf, String>, String> {
    let report = std::sync::Arc::new(std::sync::Mutex::new(None::<String>));
    let hook_report = std::sync::Arc::clone(&report);
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".into());
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        if let Ok(mut slot) = hook_report.lock() {
            slot.get_or_insert(format!("{message}{location}"));
        }
    }));
    let outcome = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("build".into())
            .stack_size(BUILD_STACK_BYTES)
            .spawn_scoped(scope, || {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(args, renderer)))
            })
            .map_err(|e| format!("cannot start the build thread: {e}"))
            .and_then(|handle| {
                handle
                    .join()
                    .map_err(|_| "the build thread died".to_string())
            })
    });
    match outcome {
        Ok(Ok(result)) => Ok(result),
        Ok(Err(_)) => Err(report
            .lock()
            .ok()
            .and_then(|mut slot| slot.take())
            .unwrap_or_else(|| "panic".into())),
        Err(message) => Err(message),
    }
}

fn run(args: &CommonArgs, renderer: &dyn Renderer) -> Result<PathBuf, String> {
    #[cfg(debug_assertions)]
    if std::env::var_os("PRESSWORK_DEBUG_PANIC").is_some() {
        // Debug builds only: lets the tests prove that a panic becomes a one-line report.
        panic!("PRESSWORK_DEBUG_PANIC is set");
    }
    let mut diagnostics = Diagnostics::default();
    let options = LoadOptions {
        split_level: args.split_level,
        lenient: args.lenient,
        paper: args.paper.map(Paper::from),
        source_date_epoch: source_date_epoch(),
    };
    let book = load_book(&args.input, &options, &mut diagnostics);
    let bytes = book.and_then(|book| renderer.render(&book, &mut diagnostics));
    for warning in &diagnostics.warnings {
        eprintln!("presswork: warning: {warning}");
    }
    let bytes = bytes.map_err(|e| e.to_string())?;
    if args.strict && !diagnostics.warnings.is_empty() {
        return Err(format!(
            "{} warning(s) and --strict is set; nothing written",
            diagnostics.warnings.len()
        ));
    }
    let path = args
        .output
        .clone()
        .unwrap_or_else(|| default_output(&args.input, renderer.name()));
    presswork::output::write_atomically(&path, &bytes).map_err(|e| e.to_string())?;
    Ok(path)
}

/// `output/<name of the book folder or file stem>.<ext>`.
fn default_output(input: &Path, extension: &str) -> PathBuf {
    let stem = input
        .canonicalize()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "book".into());
    PathBuf::from("output").join(format!("{stem}.{extension}"))
}
