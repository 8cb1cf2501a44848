//! The `presswork` command line: build an EPUB, a PDF or both from a book folder or Markdown
//! file; check a book without writing; start a new one; shell completions and a man page.

mod cli {
    pub mod batch;
    pub mod cover_cache;
    pub mod new;
    pub mod paths;
    pub mod render;
    pub mod report;
    pub mod watch;
}

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::{Args, CommandFactory, Parser, Subcommand};
use cli::batch;
use cli::cover_cache::CoverFolder;
use cli::paths::{check_output, default_input, default_output, Target, DEFAULT_OUT_DIR};
use cli::report::{Failure, Reporter};
use presswork::epub::cover::CoverStore;
use presswork::epub::{EpubRenderer, KepubRenderer};
use presswork::ir::{Book, Paper};
use presswork::load::{load_book, LoadOptions};
use presswork::output::AtomicFile;
use presswork::pdf::{PdfOptions, PdfRenderer};
use presswork::{Diagnostics, Renderer};

/// The PDF pipeline allocates from several threads at once (layout workers and the writer);
/// glibc's allocator serialises them on its arena locks. mimalloc's per-thread heaps cut a
/// 50 MB PDF build from 20.5 s to 18.5 s on two cores (see the README's limits).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Turn off transparent huge pages for this process. mimalloc asks for them where the kernel
/// offers them on request (`madvise`, Debian's default), and each first touch of a heap then
/// brings in and zeroes 2 MB: the seed's EPUB build peaked at 99 MB resident instead of
/// 55 MB, the 60-chapter PDF at 83 MB instead of 33 MB, and zeroing the pages took as long
/// as it saved (whole builds the same speed or faster without them).
///
/// It runs as an ELF constructor, before Rust's runtime starts: the runtime's first
/// allocation (the main thread's name) already touches the allocator's first heap, which
/// `main` would be too late for (that one huge page cost 0.5 ms of the seed's 14 ms).
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static USE_SMALL_PAGES: extern "C" fn() = {
    extern "C" fn use_small_pages() {
        // SAFETY: `prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)` takes plain integers, touches no
        // memory of ours, and changes only this process's page policy; a failure (an old
        // kernel) leaves the default, which is only slower and larger.
        unsafe {
            libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
        }
    }
    use_small_pages
};

/// Turn a Markdown manuscript into an EPUB 3 ebook or a print-ready PDF.
#[derive(Parser)]
#[command(name = "presswork", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print errors only: no warnings, no paths of written files, no timings.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Also print how long each stage took (load, render per format, write).
    #[arg(short, long, global = true)]
    verbose: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Build an EPUB 3 ebook.
    Epub(EpubArgs),
    /// Build a print-ready PDF.
    Pdf(PdfArgs),
    /// Build the EPUB and the PDF at once (rendered in parallel).
    Build(BuildArgs),
    /// Report every warning and error a build would, writing nothing.
    Check(CheckArgs),
    /// Build both formats, then again on every saved change (Ctrl-C stops).
    Watch(WatchArgs),
    /// Create a new book folder that builds at once.
    New(NewArgs),
    /// Turn news articles copied as plain text into a book folder (or one per article).
    Import(ImportArgs),
    /// Print a shell completion script on standard output.
    Completions(CompletionsArgs),
    /// Print the manual page (roff) on standard output.
    Man,
}

/// How the book is read: shared by every command that loads one.
#[derive(Args)]
struct LoadArgs {
    /// Heading level (1-6) that starts a new chapter [default: chosen from the headings:
    /// `#` when there are several, else `##`].
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=6))]
    split_level: Option<u8>,
    /// Replace remote (http/https) images, which are never fetched, by their alt text with a
    /// warning instead of failing.
    #[arg(long)]
    lenient: bool,
    /// Paper size of the PDF (ignored for EPUB) [default: `paper` in book.toml, else a5].
    #[arg(long, value_enum)]
    paper: Option<PaperArg>,
    /// A font file or folder for the PDF, after the book's own `[fonts] paths` (repeatable).
    #[arg(long, value_name = "PATH")]
    font_path: Vec<PathBuf>,
    /// Use no system font: only the compiled-in fonts and the book's own, so that the PDF is
    /// the same on every machine (characters they lack print as marks, with a warning).
    #[arg(long)]
    no_system_fonts: bool,
}

#[derive(Args)]
struct EpubArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Which reading systems the EPUB is for: `kobo` writes <name>.kepub.epub, with Kobo's
    /// sentence markup for reading statistics and highlights.
    #[arg(long, value_enum, default_value_t = EpubTarget::Standard)]
    target: EpubTarget,
}

/// `--target` of `presswork epub`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum EpubTarget {
    /// Every reading system (EPUB 3).
    Standard,
    /// Kobo's readers (a `.kepub.epub`).
    Kobo,
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
    /// The book: a folder (with book.toml and/or .md files) or a single .md file [default:
    /// the current folder if it holds book.toml, or .md files and no `book` folder; else
    /// `book`].
    input: Option<PathBuf>,
    /// Where to write the output, `-` for standard output [default: output/<input
    /// name>.<epub|pdf>].
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Treat warnings as errors.
    #[arg(long)]
    strict: bool,
    #[command(flatten)]
    load: LoadArgs,
}

/// How the commands that make both formats (`build`, `check`, `watch`) read and judge a book.
#[derive(Args)]
struct BothArgs {
    /// Treat warnings as errors: nothing is written and the exit status is 1.
    #[arg(long)]
    strict: bool,
    /// Make (or check) the PDF as a plain PDF, not a PDF/A-2b archival file.
    #[arg(long)]
    no_pdfa: bool,
    #[command(flatten)]
    load: LoadArgs,
}

#[derive(Args)]
struct BuildArgs {
    /// The books: folders or .md files [default: as for `epub` and `pdf`].
    inputs: Vec<PathBuf>,
    /// Folder for the outputs, named <input name>.epub and <input name>.pdf.
    #[arg(long, default_value = DEFAULT_OUT_DIR)]
    out_dir: PathBuf,
    /// Build N books at a time [default: the number of cores].
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(usize))]
    jobs: Option<usize>,
    /// Build only shard K of N of the inputs (sorted by path; input i goes to shard
    /// i mod N + 1), to spread an archive over machines.
    #[arg(long, value_name = "K/N")]
    shard: Option<batch::Shard>,
    #[command(flatten)]
    both: BothArgs,
}

#[derive(Args)]
struct CheckArgs {
    /// The book [default: as for `epub` and `pdf`].
    input: Option<PathBuf>,
    #[command(flatten)]
    both: BothArgs,
}

#[derive(Args)]
struct WatchArgs {
    /// The book [default: as for `epub` and `pdf`].
    input: Option<PathBuf>,
    /// Folder for the outputs, named <input name>.epub and <input name>.pdf.
    #[arg(long, default_value = DEFAULT_OUT_DIR)]
    out_dir: PathBuf,
    #[command(flatten)]
    both: BothArgs,
}

#[derive(Args)]
struct NewArgs {
    /// The folder to create (it must not exist, or be empty).
    dir: PathBuf,
}

#[derive(Args)]
struct ImportArgs {
    /// The articles: plain-text files copied from a news site.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// The photo of the article (one article only) [default: a .jpg, .jpeg or .png with the
    /// text's name beside it].
    #[arg(long, value_name = "PHOTO")]
    image: Option<PathBuf>,
    /// The book folder to write (with --each: the folder of the book folders).
    #[arg(short, long, value_name = "DIR")]
    output: PathBuf,
    /// The anthology's title, for several articles in one book [default: the first
    /// article's].
    #[arg(long)]
    title: Option<String>,
    /// One book per article (for a batch build) instead of one anthology.
    #[arg(long)]
    each: bool,
}

#[derive(Args)]
struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
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
    let reporter = Reporter::new(cli.quiet, cli.verbose);
    let outcome = match &cli.command {
        Command::Epub(args) => run_guarded(|| match args.target {
            EpubTarget::Standard => run_single(&args.common, "epub", &epub_renderer, reporter),
            EpubTarget::Kobo => run_single(&args.common, "kepub.epub", &kepub_renderer, reporter),
        }),
        Command::Pdf(PdfArgs {
            common: args,
            no_pdfa,
        }) => run_guarded(|| {
            let pdf = |_: &Target| -> Box<dyn Renderer> { Box::new(pdf_renderer(*no_pdfa)) };
            run_single(args, "pdf", &pdf, reporter)
        }),
        Command::Build(args) => run_guarded(|| run_build(args, reporter)),
        Command::Check(args) => run_guarded(|| run_check(args, reporter)),
        Command::Watch(args) => Ok(run_watch(args, reporter)),
        Command::New(args) => Ok(run_new(&args.dir, reporter)),
        Command::Import(args) => run_guarded(|| run_import(args, reporter)),
        Command::Completions(args) => {
            clap_complete::generate(
                args.shell,
                &mut Cli::command(),
                "presswork",
                &mut std::io::stdout(),
            );
            Ok(true)
        }
        Command::Man => Ok(run_man(reporter)),
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(panic) => {
            reporter.error(&format_args!(
                "internal error (a bug): {panic}; nothing was written. \
                 Please report it with the input that caused it."
            ));
            ExitCode::from(2)
        }
    }
}

/// Where the generated covers of EPUBs written to `target` are kept: beside the file (none
/// for standard output).
fn cover_store(target: &Target) -> Option<Arc<dyn CoverStore>> {
    match target {
        Target::File(path) => {
            let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
            Some(Arc::new(CoverFolder::beside(
                folder.unwrap_or(Path::new(".")),
            )))
        }
        Target::Stdout => None,
    }
}

/// The EPUB renderer for a file written to `target` (its cover kept beside it).
fn epub_renderer(target: &Target) -> Box<dyn Renderer> {
    Box::new(match cover_store(target) {
        Some(store) => EpubRenderer::with_cover_store(store),
        None => EpubRenderer::default(),
    })
}

/// The Kobo EPUB renderer for a file written to `target` (its cover kept beside it).
fn kepub_renderer(target: &Target) -> Box<dyn Renderer> {
    Box::new(match cover_store(target) {
        Some(store) => KepubRenderer::with_cover_store(store),
        None => KepubRenderer::default(),
    })
}

/// The two back ends of a build of both formats, set up once by the command.
struct Renderers {
    epub: EpubRenderer,
    pdf: PdfRenderer,
}

impl Renderers {
    /// The back ends, the PDF archival unless `no_pdfa`; with `keep_covers_in`, the EPUB's
    /// generated cover kept in that folder for the next build (one book's builds, not a
    /// batch's, which makes each cover once).
    fn new(no_pdfa: bool, keep_covers_in: Option<&Path>) -> Self {
        let epub = match keep_covers_in {
            Some(dir) => EpubRenderer::with_cover_store(Arc::new(CoverFolder::beside(dir))),
            None => EpubRenderer::default(),
        };
        Renderers {
            epub,
            pdf: pdf_renderer(no_pdfa),
        }
    }
}

fn pdf_renderer(no_pdfa: bool) -> PdfRenderer {
    PdfRenderer {
        options: PdfOptions { archival: !no_pdfa },
    }
}

/// `SOURCE_DATE_EPOCH` (reproducible-builds.org): the build date, read here so that the
/// back ends never look at the environment. A value that is not a number is ignored with a
/// warning.
fn source_date_epoch(reporter: Reporter) -> Option<i64> {
    let value = std::env::var("SOURCE_DATE_EPOCH").ok()?;
    let seconds = value.trim().parse::<i64>().ok();
    if seconds.is_none() {
        reporter.warnings(&[presswork::Diagnostic::warning(format!(
            "SOURCE_DATE_EPOCH=`{value}` is not a number of seconds; ignored"
        ))]);
    }
    seconds
}

/// Stack for the build: the recursive passes over the IR get room to spare (the front end
/// also caps nesting depth), and the reservation is virtual memory, not resident.
const BUILD_STACK_BYTES: usize = 256 << 20;

/// Run `work` on a thread with a large stack and catch any panic, returning its message
/// and location instead of letting the default hook print a backtrace hint.
fn run_guarded<T: Send>(work: impl FnOnce() -> T + Send) -> Result<T, String> {
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
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(work))
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

/// The INPUT given, else the default one for the current folder.
fn input_or_default(input: Option<&Path>) -> PathBuf {
    input.map_or_else(
        || default_input(&std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))),
        Path::to_path_buf,
    )
}

/// The compiled-in fonts read on a thread of their own while the book loads: the layout
/// (the PDF's, or the EPUB's for its page list) starts with them, and would otherwise read
/// them itself then (0.3–0.4 ms). Once per process; without a thread, the layout reads them.
fn read_fonts_meanwhile() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        let _ = std::thread::Builder::new()
            .name("fonts".into())
            .spawn(presswork::typeset::fonts::read_builtin_fonts);
    });
}

/// Load and parse the book (timed as `load`).
fn load(
    input: &Path,
    args: &LoadArgs,
    reporter: Reporter,
    diagnostics: &mut Diagnostics,
) -> presswork::Result<Book> {
    #[cfg(debug_assertions)]
    if std::env::var_os("PRESSWORK_DEBUG_PANIC").is_some() {
        // Debug builds only: lets the tests prove that a panic becomes a one-line report.
        panic!("PRESSWORK_DEBUG_PANIC is set");
    }
    let options = LoadOptions {
        split_level: args.split_level,
        lenient: args.lenient,
        paper: args.paper.map(Paper::from),
        source_date_epoch: source_date_epoch(reporter),
        build_time: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()
            .and_then(|d| i64::try_from(d.as_secs()).ok()),
        font_paths: args.font_path.clone(),
        system_fonts: !args.no_system_fonts,
    };
    read_fonts_meanwhile();
    let start = Instant::now();
    let book = load_book(input, &options, diagnostics);
    reporter.timing("load", start.elapsed());
    book
}

/// One format rendered in memory, with what its back end reported.
struct Rendered {
    /// The format's name and file extension.
    name: &'static str,
    /// The file's bytes, or why there are none.
    bytes: presswork::Result<Vec<u8>>,
    /// The back end's warnings.
    diagnostics: Diagnostics,
}

/// Render `book` with one back end into memory (timed as `render <format>`).
fn render(renderer: &dyn Renderer, book: &Book, reporter: Reporter) -> Rendered {
    let mut bytes = Vec::new();
    let rendered = render_into(renderer, book, &mut bytes, reporter);
    Rendered {
        name: renderer.name(),
        bytes: rendered.result.map(|()| bytes),
        diagnostics: rendered.diagnostics,
    }
}

/// What one back end wrote into a sink ([`render_into`]).
struct RenderedInto {
    /// Whether the whole file was written, or why not.
    result: presswork::Result<()>,
    /// The back end's warnings.
    diagnostics: Diagnostics,
}

/// Render `book` with one back end into `out` (timed as `render <format>`, which then
/// includes handing the bytes to the file system).
fn render_into(
    renderer: &dyn Renderer,
    book: &Book,
    out: &mut dyn Write,
    reporter: Reporter,
) -> RenderedInto {
    let mut diagnostics = Diagnostics::default();
    let start = Instant::now();
    let result = renderer.render_into(book, out, &mut diagnostics);
    reporter.timing(&format!("render {}", renderer.name()), start.elapsed());
    RenderedInto {
        result,
        diagnostics,
    }
}

/// Render the EPUB and the PDF of `book` in parallel: the EPUB on a second thread, the PDF
/// (the longer job) on this one. A panic on the EPUB thread is passed on to this one, where
/// [`run_guarded`] catches it.
fn render_both(book: &Book, renderers: &Renderers, reporter: Reporter) -> [Rendered; 2] {
    std::thread::scope(|scope| {
        let epub = std::thread::Builder::new()
            .name("epub".into())
            .stack_size(BUILD_STACK_BYTES)
            .spawn_scoped(scope, || render(&renderers.epub, book, reporter));
        let pdf = render(&renderers.pdf, book, reporter);
        let epub = match epub {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|payload| std::panic::resume_unwind(payload)),
            // No second thread to be had: render the EPUB after the PDF.
            Err(_) => render(&renderers.epub, book, reporter),
        };
        [epub, pdf]
    })
}

/// Write `bytes` to `target` (timed as `write <format>`); the caller says what was written.
fn write(target: &Target, format: &str, bytes: &[u8], reporter: Reporter) -> Result<(), Failure> {
    let start = Instant::now();
    match target {
        Target::Stdout => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(bytes)
                .and_then(|()| stdout.flush())
                .map_err(|e| {
                    Failure::Usage(format!("cannot write the {format} to standard output: {e}"))
                })?;
        }
        Target::File(path) => {
            presswork::output::write_atomically(path, bytes).map_err(Failure::Book)?;
        }
    }
    reporter.timing(&format!("write {format}"), start.elapsed());
    Ok(())
}

/// The `--strict` refusal, when it applies.
fn strict_failure(strict: bool, diagnostics: &Diagnostics) -> Option<Failure> {
    (strict && !diagnostics.warnings.is_empty()).then(|| {
        Failure::Usage(format!(
            "{} warning(s) and --strict is set; nothing written",
            diagnostics.warnings.len()
        ))
    })
}

/// `presswork epub` and `presswork pdf`: one format (`format`, the renderer's name and
/// extension), one file (or standard output), rendered by what `renderer_for` gives for
/// where the file goes.
fn run_single(
    args: &CommonArgs,
    format: &'static str,
    renderer_for: &dyn Fn(&Target) -> Box<dyn Renderer>,
    reporter: Reporter,
) -> bool {
    let input = input_or_default(args.input.as_deref());
    // A bad `-o` is refused before anything is built.
    let explicit = match args.output.as_deref().map(|o| check_output(o, format)) {
        Some(Err(message)) => {
            reporter.error(&message);
            return false;
        }
        Some(Ok(target)) => Some(target),
        None => None,
    };
    let mut diagnostics = Diagnostics::default();
    let rendered = load(&input, &args.load, reporter, &mut diagnostics)
        .map_err(Failure::Book)
        .and_then(|book| {
            let target = explicit.unwrap_or_else(|| {
                Target::File(default_output(
                    Path::new(DEFAULT_OUT_DIR),
                    &input,
                    book.output_name.as_deref(),
                    format,
                ))
            });
            let renderer = renderer_for(&target);
            match target {
                // Written as it is made, into a file that becomes the target only once the
                // book has passed (`--strict`) below: dropped unwritten, it leaves nothing.
                Target::File(path) => {
                    let mut file = AtomicFile::create(&path).map_err(Failure::Book)?;
                    let rendered = render_into(renderer.as_ref(), &book, &mut file, reporter);
                    diagnostics.extend(rendered.diagnostics);
                    rendered.result.map_err(|error| match error {
                        presswork::Error::Output(source) => {
                            Failure::Book(presswork::Error::Write { path, source })
                        }
                        other => Failure::Book(other),
                    })?;
                    Ok(Finished::File(file))
                }
                Target::Stdout => {
                    let rendered = render(renderer.as_ref(), &book, reporter);
                    diagnostics.extend(rendered.diagnostics);
                    Ok(Finished::Stdout(rendered.bytes.map_err(Failure::Book)?))
                }
            }
        });
    reporter.warnings(&diagnostics.warnings);
    let result = rendered.and_then(|finished| {
        if let Some(failure) = strict_failure(args.strict, &diagnostics) {
            return Err(failure);
        }
        match finished {
            Finished::File(file) => {
                let start = Instant::now();
                let path = file.path().to_path_buf();
                file.commit().map_err(Failure::Book)?;
                reporter.timing(&format!("write {format}"), start.elapsed());
                reporter.wrote(&path);
                Ok(())
            }
            Finished::Stdout(bytes) => write(&Target::Stdout, format, &bytes, reporter),
        }
    });
    match result {
        Ok(()) => true,
        Err(failure) => {
            reporter.failures(&[failure]);
            false
        }
    }
}

/// A book rendered for `presswork epub` or `pdf`, not yet in place.
enum Finished {
    /// Written into the file that becomes the target on commit.
    File(AtomicFile),
    /// The bytes for standard output.
    Stdout(Vec<u8>),
}

/// What building one book in both formats came to.
struct BuildReport {
    /// The files written.
    written: Vec<PathBuf>,
    /// Warnings from the front end and both back ends, each once.
    warnings: Diagnostics,
    /// Why nothing (or not everything) was written; empty on success.
    failures: Vec<Failure>,
}

/// Load `input` once and render the EPUB and the PDF in parallel; with an `out_dir`, write
/// both into it, unless either fails (or `--strict` refuses the warnings): then nothing is
/// written. Without one (`check`), nothing is written either way.
fn build_both(
    input: &Path,
    out_dir: Option<&Path>,
    name: Option<&str>,
    load_args: &LoadArgs,
    strict: bool,
    renderers: &Renderers,
    reporter: Reporter,
) -> BuildReport {
    let mut warnings = Diagnostics::default();
    let mut failures = Vec::new();
    let mut written = Vec::new();
    let book = match load(input, load_args, reporter, &mut warnings) {
        Ok(book) => book,
        Err(error) => {
            failures.push(Failure::Book(error));
            return BuildReport {
                written,
                warnings,
                failures,
            };
        }
    };
    let mut outputs = Vec::new();
    for rendered in render_both(&book, renderers, reporter) {
        warnings.extend(rendered.diagnostics);
        match rendered.bytes {
            Ok(bytes) => outputs.push((rendered.name, bytes)),
            Err(error) => failures.push(Failure::Book(error)),
        }
    }
    failures.extend(strict_failure(strict, &warnings));
    if let (Some(out_dir), true) = (out_dir, failures.is_empty()) {
        for (format, bytes) in outputs {
            let target = Target::File(default_output(
                out_dir,
                input,
                name.or(book.output_name.as_deref()),
                format,
            ));
            match write(&target, format, &bytes, reporter) {
                Ok(()) => {
                    if let Target::File(path) = target {
                        written.push(path);
                    }
                }
                Err(failure) => failures.push(failure),
            }
        }
    }
    BuildReport {
        written,
        warnings,
        failures,
    }
}

/// `presswork build`: both formats of each input into `--out-dir`. A failed input does not
/// stop the others; nothing of it is written.
fn run_build(args: &BuildArgs, reporter: Reporter) -> bool {
    let given = if args.inputs.is_empty() {
        vec![input_or_default(None)]
    } else {
        args.inputs.clone()
    };
    let inputs = batch::inputs_of_shard(given, args.shard);
    if inputs.is_empty() {
        if let Some(shard) = args.shard {
            reporter.note(&format_args!(
                "shard {}/{} has no inputs (fewer inputs than shards)",
                shard.index, shard.count
            ));
        }
        return true;
    }
    // Each book its own output name: a name two inputs share gets -2, -3, … (the book's
    // `output-name` stands for the others).
    let alone: Vec<String> = inputs.iter().map(|i| batch::input_name(i)).collect();
    let names = batch::unique_names(&alone);
    let renames: Vec<Option<&str>> = names
        .iter()
        .zip(&alone)
        .map(|(name, own)| (name != own).then_some(name.as_str()))
        .collect();
    let jobs = args.jobs.unwrap_or_else(presswork::cores);
    // One book keeps its cover for the next build; a batch makes each cover once.
    let renderers = Renderers::new(
        args.both.no_pdfa,
        (inputs.len() == 1).then_some(args.out_dir.as_path()),
    );
    let progress = (inputs.len() > 1
        && !reporter.quiet
        && std::io::IsTerminal::is_terminal(&std::io::stderr()))
    .then(|| {
        let bar = indicatif::ProgressBar::new(inputs.len() as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:30} {pos}/{len} books  {elapsed} (about {eta} left)",
        ) {
            bar.set_style(style);
        }
        bar
    });
    let work: Vec<(&PathBuf, Option<&str>)> = inputs.iter().zip(renames).collect();
    let reports = batch::run_all(
        &work,
        jobs,
        BUILD_STACK_BYTES,
        |(input, name)| {
            build_both(
                input,
                Some(&args.out_dir),
                *name,
                &args.both.load,
                args.both.strict,
                &renderers,
                reporter,
            )
        },
        |_, report| {
            let print = || match report {
                Ok(report) => {
                    reporter.warnings(&report.warnings.warnings);
                    reporter.failures(&report.failures);
                    for path in &report.written {
                        reporter.wrote(path);
                    }
                }
                Err(message) => reporter.error(&format!("presswork stopped on a bug: {message}")),
            };
            match &progress {
                Some(bar) => {
                    bar.suspend(print);
                    bar.inc(1);
                }
                None => print(),
            }
        },
    );
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let failed = reports
        .iter()
        .filter(|r| r.as_ref().map_or(true, |r| !r.failures.is_empty()))
        .count();
    if inputs.len() > 1 && failed > 0 {
        reporter.note(&format_args!(
            "build: {failed} of {} books failed",
            inputs.len()
        ));
    }
    failed == 0
}

/// `presswork import`: articles in, a book folder out (or one per article with `--each`).
fn run_import(args: &ImportArgs, reporter: Reporter) -> bool {
    use presswork::import::{self, news::PlainNews, BookPlan};
    if args.image.is_some() && args.inputs.len() > 1 {
        reporter.error(&"--image is for one article; with several, put each photo beside its text under the same name");
        return false;
    }
    if args.output.is_file() {
        reporter.error(&format_args!(
            "`{}` is a file; -o takes a folder",
            args.output.display()
        ));
        return false;
    }
    let mut articles = Vec::new();
    let mut photos = Vec::new();
    for input in &args.inputs {
        match import::import_file(&PlainNews, input) {
            Ok(article) => {
                for note in &article.notes {
                    reporter.warning_line(&format_args!("{}: {note}", input.display()));
                }
                if !article.dropped.is_empty() {
                    reporter.note(&format_args!(
                        "{}: left out {} line(s) of web furniture: {}",
                        input.display(),
                        article.dropped.len(),
                        article.dropped.join(" / ")
                    ));
                }
                articles.push(article);
                photos.push(args.image.clone().or_else(|| photo_beside(input)));
            }
            Err(error) => {
                reporter.failures(&[Failure::Book(error)]);
                return false;
            }
        }
    }
    let plans: Vec<(PathBuf, BookPlan)> = if args.each {
        articles
            .into_iter()
            .zip(photos)
            .zip(&args.inputs)
            .map(|((article, photo), input)| {
                (
                    args.output.join(batch::input_name(input)),
                    BookPlan {
                        articles: vec![article],
                        title: None,
                        photos: vec![photo],
                    },
                )
            })
            .collect()
    } else {
        vec![(
            args.output.clone(),
            BookPlan {
                articles,
                title: args.title.clone(),
                photos,
            },
        )]
    };
    for (dir, plan) in &plans {
        match import::write_book(plan, dir) {
            Ok((written, warnings)) => {
                for warning in warnings {
                    reporter.warning_line(&warning);
                }
                for path in written {
                    reporter.wrote(&path);
                }
            }
            Err(error) => {
                reporter.failures(&[Failure::Book(error)]);
                return false;
            }
        }
    }
    true
}

/// A photo with the text's name beside it (`story.txt` → `story.jpg`).
fn photo_beside(text: &Path) -> Option<PathBuf> {
    ["jpg", "jpeg", "png", "JPG", "JPEG", "PNG"]
        .iter()
        .map(|ext| text.with_extension(ext))
        .find(|p| p.is_file())
}

/// `presswork check`: load, render both formats in memory, report everything, write nothing.
fn run_check(args: &CheckArgs, reporter: Reporter) -> bool {
    let input = input_or_default(args.input.as_deref());
    // Not strict here: `--strict` decides the exit status below, rather than adding an error.
    let BuildReport {
        warnings: diagnostics,
        failures,
        ..
    } = build_both(
        &input,
        None,
        None,
        &args.both.load,
        false,
        &Renderers::new(args.both.no_pdfa, None),
        reporter,
    );
    reporter.warnings(&diagnostics.warnings);
    reporter.failures(&failures);
    let errors = failures
        .iter()
        .map(Failure::summary)
        .collect::<std::collections::HashSet<_>>()
        .len();
    let warnings = diagnostics.warnings.len();
    reporter.note(&format_args!(
        "check: {}: {errors} error(s), {warnings} warning(s){}",
        input.display(),
        if args.both.strict && warnings > 0 {
            " (--strict: warnings count as errors)"
        } else {
            ""
        }
    ));
    errors == 0 && !(args.both.strict && warnings > 0)
}

/// `presswork watch`: build both formats, then again after every saved change, until the
/// process is stopped. A failed build is reported and watching goes on.
fn run_watch(args: &WatchArgs, reporter: Reporter) -> bool {
    let input = input_or_default(args.input.as_deref());
    let renderers = Renderers::new(args.both.no_pdfa, Some(&args.out_dir));
    let build = || {
        let report = run_guarded(|| {
            build_both(
                &input,
                Some(&args.out_dir),
                None,
                &args.both.load,
                args.both.strict,
                &renderers,
                reporter,
            )
        });
        match report {
            Ok(report) => {
                reporter.warnings(&report.warnings.warnings);
                reporter.failures(&report.failures);
                cli::watch::Outcome {
                    written: report.written,
                    warnings: report.warnings.warnings.len(),
                    errors: report.failures.len(),
                }
            }
            Err(panic) => {
                reporter.error(&format_args!("internal error (a bug): {panic}"));
                cli::watch::Outcome {
                    errors: 1,
                    ..cli::watch::Outcome::default()
                }
            }
        }
    };
    let report = |event: cli::watch::WatchEvent| {
        // Events go to standard error with the diagnostics, in the order they happen.
        reporter.note(&event);
    };
    let stop = std::sync::atomic::AtomicBool::new(false);
    match cli::watch::watch(
        &input,
        std::slice::from_ref(&args.out_dir),
        build,
        report,
        &stop,
    ) {
        Ok(()) => true,
        Err(error) => {
            reporter.error(&error);
            false
        }
    }
}

/// `presswork new DIR`.
fn run_new(dir: &Path, reporter: Reporter) -> bool {
    match cli::new::create(dir) {
        Ok(()) => {
            reporter.wrote(dir);
            reporter.note(&format_args!(
                "new book in `{}`; build it with `cd {} && presswork build`",
                dir.display(),
                dir.display()
            ));
            true
        }
        Err(message) => {
            reporter.error(&message);
            false
        }
    }
}

/// `presswork man`: the manual page, from the same definition as `--help`.
fn run_man(reporter: Reporter) -> bool {
    let mut stdout = std::io::stdout().lock();
    match clap_mangen::Man::new(Cli::command()).render(&mut stdout) {
        Ok(()) => true,
        Err(e) => {
            reporter.error(&format_args!("cannot write the man page: {e}"));
            false
        }
    }
}
