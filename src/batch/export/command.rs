//! `telex export` on the command line: flags → `ExportOptions` (usage errors before the export
//! is opened), the hash key (given, read from or created in a key file, or one-off), progress
//! on stderr, the report; and the `export_info` a `.db` sample carries.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};

use super::{ExportError, ExportOptions, Format, Progress, Sample, export};
use crate::batch::{self, BatchError};
use crate::cli::{ExportArgs, Input, RedactMode};
use crate::model::Class;
use crate::redact::{Key, Method, Redaction};
use crate::store::Store;
use crate::text::thousands;

/// The seed of `--sample` when `--seed` is not given.
pub const DEFAULT_SEED: u64 = 42;

/// Where the hash key came from, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyNote {
    Given,
    Read(PathBuf),
    /// Generated and written to this file after the sample passed its check.
    Created(PathBuf),
    /// Generated for this export only and kept nowhere.
    OneOff,
}

pub fn run(
    input: &Input,
    args: &ExportArgs,
    out: &mut dyn Write,
    show_progress: bool,
    no_cache: bool,
) -> Result<(), BatchError> {
    // Usage errors first, before the export is even opened.
    let format = Format::of(&args.out)?;
    let keep = parse_keep(&args.keep)?;
    if args.redact != RedactMode::Hash && (args.key.is_some() || args.key_file.is_some()) {
        return Err(usage("--key and --key-file apply to --redact hash only"));
    }
    if args.sample == Some(0) {
        return Err(usage("--sample must be at least 1"));
    }
    let batch::privacy::Opened {
        store,
        filter,
        cache: _cache,
    } = batch::privacy::open(input, no_cache)?;
    let (method, note) = match args.redact {
        RedactMode::Mask => (Method::Mask, None),
        RedactMode::Drop => (Method::Drop, None),
        RedactMode::Hash => {
            let (key, note) = resolve_key(args)?;
            (Method::Hash(key), Some(note))
        }
    };
    let opts = ExportOptions {
        out: args.out.clone(),
        method,
        keep,
        sample: args.sample.map(|size| Sample {
            size,
            seed: args.seed.unwrap_or(DEFAULT_SEED),
        }),
        ids: None,
        force: args.force,
        save_key: match &note {
            Some(KeyNote::Created(path)) => Some(path.clone()),
            _ => None,
        },
        threads: 0,
    };
    let mut shown = false;
    let mut last = Instant::now();
    let mut progress = |p: &Progress| {
        if show_progress && last.elapsed() >= Duration::from_millis(250) {
            last = Instant::now();
            shown = true;
            let total = p
                .total
                .map_or(String::new(), |t| format!(" / {}", thousands(t)));
            eprint!(
                "\r{}: {}{total} events   ",
                p.stage.label(),
                thousands(p.done)
            );
        }
        true
    };
    let result = export(&store, &filter, &opts, &mut progress);
    if shown {
        eprintln!();
    }
    let report = result?;
    let kept = if opts.keep.is_empty() {
        String::new()
    } else {
        let names: Vec<&str> = opts.keep.iter().map(|c| c.as_str()).collect();
        format!(", {} kept ({})", thousands(report.kept), names.join(", "))
    };
    let of = if opts.sample.is_some() {
        format!(" of {} matching", thousands(report.matching))
    } else {
        String::new()
    };
    writeln!(
        out,
        "wrote {}{of} events to {} ({}, {}: {} identifiers redacted{kept}; checked, none left)",
        thousands(report.events),
        report.path.display(),
        format.name(),
        opts.method.name(),
        thousands(report.redacted),
    )?;
    match note {
        Some(KeyNote::OneOff) => writeln!(
            out,
            "hash key: generated for this export and kept nowhere, so its tokens join only \
             within this file (--key-file FILE keeps one for later exports)"
        )?,
        Some(KeyNote::Created(path)) => writeln!(
            out,
            "hash key: new, written to {} (keep it private: with it a guessed value can be \
             checked against a token)",
            path.display()
        )?,
        Some(KeyNote::Given | KeyNote::Read(_)) | None => {}
    }
    Ok(())
}

fn usage(msg: &str) -> BatchError {
    BatchError::Export(ExportError::Usage(msg.into()))
}

/// `--keep` values → classes; `secret` and unknown names are refused with the valid list.
pub fn parse_keep(names: &[String]) -> Result<Vec<Class>, ExportError> {
    names
        .iter()
        .map(|name| match Class::parse(name.trim()) {
            Some(c) if c != Class::Secret => Ok(c),
            _ => Err(ExportError::UnknownClass(name.clone())),
        })
        .collect()
}

fn resolve_key(args: &ExportArgs) -> Result<(Key, KeyNote), ExportError> {
    if let Some(hex) = &args.key {
        let key = Key::from_hex(hex).map_err(|e| ExportError::Usage(format!("--key: {e}")))?;
        return Ok((key, KeyNote::Given));
    }
    match &args.key_file {
        Some(path) if path.exists() => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                ExportError::Usage(format!("{}: cannot read the key: {e}", path.display()))
            })?;
            let key = Key::from_hex(&text).map_err(|e| {
                ExportError::Usage(format!("{}: not a key file: {e}", path.display()))
            })?;
            Ok((key, KeyNote::Read(path.clone())))
        }
        Some(path) => Ok((random_key()?, KeyNote::Created(path.clone()))),
        None => Ok((random_key()?, KeyNote::OneOff)),
    }
}

/// 32 bytes from the operating system's random source (`getrandom`, already in the tree).
pub fn random_key() -> Result<Key, ExportError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| {
        ExportError::Usage(format!(
            "cannot generate a random key ({e}); pass --key or --key-file"
        ))
    })?;
    Key::from_bytes(&bytes).map_err(|e| ExportError::Usage(e.to_string()))
}

/// Writes the key as hex to a new file readable by its owner only; never replaces a file.
pub fn save_key(path: &Path, key: &Key) -> Result<(), ExportError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let fail = |e| ExportError::Write {
        path: path.to_path_buf(),
        source: e,
    };
    let mut file = options.open(path).map_err(fail)?;
    file.write_all(format!("{}\n", key.to_hex()).as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(fail)
}

/// The `export_info` of a `.db` sample: the original's `exported_at` (so retention checks
/// measure the same ages), its `product` and `source` redacted like any text, and what this
/// sample is: `sample_of` (the export's file name), `redaction`, `kept_classes`, `events`,
/// `sampled_at`. Never the key, never the filter (its terms may name a tenant or a user).
pub fn export_info(
    store: &Store,
    redaction: &mut Redaction,
    sample: Option<Sample>,
    events: u64,
    matching: u64,
) -> Result<Vec<(String, String)>, ExportError> {
    let mut info = Vec::new();
    for (key, value) in store.export_info()? {
        match key.as_str() {
            "exported_at" if DateTime::parse_from_rfc3339(&value).is_ok() => {
                info.push((key, value));
            }
            "product" | "source" => {
                if let Some(v) = redaction.text(&format!("export_info/{key}"), &value) {
                    info.push((key, v));
                }
            }
            _ => {}
        }
    }
    let name = store
        .path()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = redaction.text("export_info/sample_of", &name);
    info.push(("sample_of".into(), name.unwrap_or_default()));
    info.push(("redaction".into(), redaction.method().name().into()));
    let kept: Vec<&str> = redaction.kept().iter().map(|c| c.as_str()).collect();
    info.push(("kept_classes".into(), kept.join(",")));
    let events = match sample {
        Some(s) => format!("{events} of {matching} matching, sample seed {}", s.seed),
        None => format!("{events}"),
    };
    info.push(("events".into(), events));
    info.push((
        "sampled_at".into(),
        Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
    ));
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_lists_the_valid_classes() {
        assert_eq!(
            parse_keep(&["org".into(), "user".into()]).unwrap(),
            vec![Class::Org, Class::User]
        );
        for bad in ["secret", "orgs"] {
            let e = parse_keep(&[bad.into()]).unwrap_err().to_string();
            assert!(
                e.contains(bad) && e.contains("user, org, pseudonymous"),
                "{e}"
            );
        }
    }

    #[test]
    fn random_keys_differ() {
        assert_ne!(random_key().unwrap(), random_key().unwrap());
    }
}
