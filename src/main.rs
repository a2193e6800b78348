//! The `telex` binary: parse the command line, open the export, run the explorer or a batch
//! command. Every failure a user can cause ends here as one line on stderr and exit code 2.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;

use telex::batch::audit::{self, AuditOptions};
use telex::batch::scan::{self, ScanOptions};
use telex::batch::{self, BatchError};
use telex::cache::CacheDir;
use telex::cli::{Cli, Command, flags_first};
use telex::generate::{self, GenerateOptions};
use telex::policy::{self, Policy};
use telex::store::Store;
use telex::text::thousands;
use telex::worker::CachePlan;

fn main() -> ExitCode {
    let cli = Cli::parse_from(flags_first(std::env::args_os().collect()));
    match run(cli) {
        Ok(code) => code,
        Err(Failure::Quiet) => ExitCode::SUCCESS,
        Err(Failure::Message(msg)) => {
            eprintln!("telex: {msg}");
            ExitCode::from(2)
        }
    }
}

enum Failure {
    /// The reader went away (`telex list … | head`): not an error worth a word.
    Quiet,
    Message(String),
}

impl From<BatchError> for Failure {
    fn from(e: BatchError) -> Self {
        match e {
            BatchError::Write(io) if io.kind() == io::ErrorKind::BrokenPipe => Failure::Quiet,
            other => Failure::Message(other.to_string()),
        }
    }
}

fn open(path: &Path) -> Result<Store, Failure> {
    Store::open(path).map_err(|e| Failure::Message(e.to_string()))
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match cli.command {
        None => {
            let (policy, _) = load_policy(cli.policy.as_deref())?;
            let path = cli.export.unwrap_or_else(sample_export);
            let mut store = open(&path)?;
            let filter = batch::parse_filter(&store, cli.filter.as_deref().unwrap_or(""))?;
            // A filter with privacy terms gets its cache before the screen opens; otherwise a
            // trusted cache already there is attached, else one is built behind the screen.
            let cache = if filter.needs_cache() || !cli.no_cache {
                batch::privacy::attach_for(&mut store, &filter, cli.no_cache)?
            } else {
                None
            };
            let plan = match cache {
                Some(cache) => CachePlan::Ready(Some(Box::new(cache))),
                None if cli.no_cache => CachePlan::Build(None),
                None => CachePlan::Build(CacheDir::user().ok()),
            };
            drop(out);
            telex::tui::run(store, filter, policy, plan)
                .map_err(|e| Failure::Message(e.to_string()))?;
            return Ok(ExitCode::SUCCESS);
        }
        Some(Command::List {
            input,
            format,
            limit,
            privacy,
        }) => {
            let opened = batch::privacy::open(&input, cli.no_cache)?;
            batch::list(
                &opened.store,
                &opened.filter,
                format,
                limit,
                privacy.reveal,
                &mut out,
            )?;
        }
        Some(Command::Show {
            export,
            id,
            format,
            privacy,
        }) => {
            let store = open(&export)?;
            batch::show(&store, id, format, privacy.reveal, &mut out)?;
        }
        Some(Command::Stats {
            input,
            format,
            top,
            privacy,
        }) => {
            let opened = batch::privacy::open(&input, cli.no_cache)?;
            batch::stats(
                &opened.store,
                &opened.filter,
                format,
                top,
                privacy.reveal,
                &mut out,
            )?;
        }
        Some(Command::Scan {
            input,
            format,
            summary,
            fail_on,
            privacy,
        }) => {
            // An unknown kind is a usage error, reported before the export is even opened.
            let fail_on = fail_on.as_deref().map(scan::parse_kind).transpose()?;
            let opened = batch::privacy::open(&input, cli.no_cache)?;
            let opts = ScanOptions {
                format,
                summary,
                reveal: privacy.reveal,
                fail_on,
                progress: io::stderr().is_terminal(),
                workers: threads(),
            };
            let report = scan::scan(&opened.store, &opened.filter, &opts, &mut out)?;
            out.flush().map_err(BatchError::from)?;
            if report.failing > 0 {
                return Ok(ExitCode::from(1));
            }
        }
        Some(Command::Audit {
            input,
            policy,
            format,
            privacy,
        }) => {
            // A bad policy file is a usage error, reported before the export is even opened.
            let (policy, source) = load_policy(policy.as_deref())?;
            let opened = batch::privacy::open(&input, cli.no_cache)?;
            let opts = AuditOptions {
                format,
                reveal: privacy.reveal,
                progress: io::stderr().is_terminal(),
                policy_source: source,
                workers: threads(),
            };
            let report = audit::audit(&opened.store, &opened.filter, &policy, &opts, &mut out)?;
            out.flush().map_err(BatchError::from)?;
            if report.violations > 0 {
                return Ok(ExitCode::from(1));
            }
        }
        Some(Command::Policy { policy }) => {
            let (policy, _) = load_policy(policy.as_deref())?;
            out.write_all(policy.to_toml().as_bytes())
                .map_err(BatchError::from)?;
        }
        Some(Command::Export { input, args }) => {
            batch::export::command::run(
                &input,
                &args,
                &mut out,
                io::stderr().is_terminal(),
                cli.no_cache,
            )?;
        }
        Some(Command::Generate {
            out: path,
            events,
            seed,
            truth,
            force,
        }) => {
            let opts = GenerateOptions {
                events,
                seed,
                truth,
                force,
            };
            let show_progress = io::stderr().is_terminal();
            let mut progress = |written: u64| {
                if show_progress {
                    eprint!(
                        "\rgenerating: {} / {} events",
                        thousands(written),
                        thousands(events)
                    );
                }
            };
            let report = generate::generate(&path, &opts, &mut progress)
                .map_err(|e| Failure::Message(e.to_string()))?;
            if show_progress {
                eprintln!();
            }
            writeln!(
                out,
                "wrote {} events to {} ({} planted leaks)",
                thousands(report.events),
                report.path.display(),
                thousands(report.planted)
            )
            .map_err(BatchError::from)?;
        }
    }
    out.flush().map_err(BatchError::from)?;
    Ok(ExitCode::SUCCESS)
}

/// The default policy, or FILE read over it; the second value says which, for the report.
fn load_policy(path: Option<&Path>) -> Result<(Policy, String), Failure> {
    let base = Policy::default();
    let Some(path) = path else {
        return Ok((
            base,
            "The default policy of DESIGN §3 (printed by telex policy)".into(),
        ));
    };
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Message(format!("{shown}: cannot read the policy: {e}")))?;
    let policy =
        Policy::from_toml(&text, &base).map_err(|e| Failure::Message(format!("{shown}: {e}")))?;
    let how = if policy::extends_default(&text) {
        "extends the default policy"
    } else {
        "replaces the default policy"
    };
    Ok((policy, format!("The policy file {shown}, which {how}")))
}

/// The bundled sample: beside the working directory when run from the repository, else where
/// the crate was built.
fn sample_export() -> PathBuf {
    let local = PathBuf::from("sample-data/telemetry.db");
    if local.exists() {
        local
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/telemetry.db")
    }
}

/// `TELEX_THREADS`: how many threads `telex scan` and `telex audit` read and scan on (default:
/// one per core), to leave cores to other work on a shared machine, or to profile one thread.
fn threads() -> usize {
    std::env::var("TELEX_THREADS")
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(0)
}
