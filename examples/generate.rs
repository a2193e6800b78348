//! Times `telex generate` before the CLI exists: `generate OUT N SEED [TRUTH]` (overwrites OUT).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use telex::generate::{GenerateOptions, generate};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(out), Some(events), Some(seed)) = (
        args.first(),
        args.get(1).and_then(|n| n.parse().ok()),
        args.get(2).and_then(|s| s.parse().ok()),
    ) else {
        eprintln!("usage: generate OUT EVENTS SEED [TRUTH]");
        return ExitCode::from(2);
    };
    let opts = GenerateOptions {
        events,
        seed,
        truth: args.get(3).map(PathBuf::from),
        force: true,
    };
    let started = Instant::now();
    let mut last = 0;
    let result = generate(out.as_ref(), &opts, &mut |n| {
        if n >= last + 100_000 {
            last = n;
            eprintln!("{n} events");
        }
    });
    match result {
        Ok(report) => {
            println!(
                "{} events, {} planted leak lines, {} in {:.2} s",
                report.events,
                report.planted,
                report.path.display(),
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("generate: {e}");
            ExitCode::FAILURE
        }
    }
}
