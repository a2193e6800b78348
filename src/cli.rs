//! The command line (DESIGN §4) as clap definitions. Parsing only; `main` runs what it says.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

/// telex — a terminal explorer for exported product telemetry.
///
/// With no command, opens EXPORT (default: the bundled sample) in the interactive explorer.
/// The export is only ever read.
#[derive(Debug, Parser)]
#[command(name = "telex", version, about, long_about = None, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// The SQLite export to explore (default: sample-data/telemetry.db)
    pub export: Option<PathBuf>,

    /// Start the explorer with this filter, e.g. "category:error since:-7d"
    #[arg(long, short = 'f', value_name = "FILTER")]
    pub filter: Option<String>,

    /// Mark what breaks this TOML policy instead of the default (see `telex policy`)
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,

    /// Never read or write the privacy cache in the user's cache directory; a filter that
    /// needs it (has:pii, kind:…) builds a throwaway one for this run
    #[arg(long, global = true)]
    pub no_cache: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the matching events
    List {
        #[command(flatten)]
        input: Input,
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
        /// Print at most this many events
        #[arg(long, value_name = "N")]
        limit: Option<u64>,
        #[command(flatten)]
        privacy: Privacy,
    },
    /// Print one event with every column and its payload
    Show {
        /// The SQLite export
        export: PathBuf,
        /// The event's id
        id: i64,
        #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
        #[command(flatten)]
        privacy: Privacy,
    },
    /// Count the matching events by category, tenant, event name and day
    Stats {
        #[command(flatten)]
        input: Input,
        #[arg(long, value_enum, default_value_t = StatsFormat::Table)]
        format: StatsFormat,
        /// Rows per table section (0 for all)
        #[arg(long, value_name = "N", default_value_t = 20)]
        top: usize,
        #[command(flatten)]
        privacy: Privacy,
    },
    /// Print every identifier found in the matching events (or, with --summary, the field
    /// inventory); values masked unless --reveal
    Scan {
        #[command(flatten)]
        input: Input,
        #[arg(long, value_enum, default_value_t = ScanFormat::Table)]
        format: ScanFormat,
        /// Print the field inventory: per category and field, records, identifiers, kinds
        #[arg(long)]
        summary: bool,
        /// Exit 1 when any finding of this kind exists (e.g. email, credit_card)
        #[arg(long, value_name = "KIND")]
        fail_on: Option<String>,
        #[command(flatten)]
        privacy: Privacy,
    },
    /// Print every violation of the data-collection policy in the matching events; exit 1
    /// when there is any. Values masked unless --reveal
    Audit {
        #[command(flatten)]
        input: Input,
        /// A TOML policy that extends or replaces the default (see `telex policy`)
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
        /// markdown: the report to attach to a review (export, policy, summary, not checked)
        #[arg(long, value_enum, default_value_t = ScanFormat::Table)]
        format: ScanFormat,
        #[command(flatten)]
        privacy: Privacy,
    },
    /// Print the policy as TOML: the default, or the one FILE makes of it
    Policy {
        /// A TOML policy that extends or replaces the default
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
    },
    /// Write a shareable sample of the matching events (.jsonl, .csv or .db) with every
    /// identifier masked, hashed or dropped; checked by a second scan before it is kept
    Export {
        #[command(flatten)]
        input: Input,
        #[command(flatten)]
        args: ExportArgs,
    },
    /// Write a realistic synthetic export, deterministic for a seed
    Generate {
        /// Where to write the export (refused if it exists, unless --force)
        out: PathBuf,
        /// How many events to write
        #[arg(long, value_name = "N", default_value_t = 20_000)]
        events: u64,
        /// The seed: the same seed and size give the same export
        #[arg(long, value_name = "S", default_value_t = 42)]
        seed: u64,
        /// Also write every planted identifier and leak as JSON lines (id, field, kind, leak)
        #[arg(long, value_name = "FILE")]
        truth: Option<PathBuf>,
        /// Replace OUT if it exists
        #[arg(long)]
        force: bool,
    },
}

/// The export and the filter every reading command takes.
#[derive(Debug, Args)]
pub struct Input {
    /// The SQLite export
    pub export: PathBuf,
    /// Filter terms, as in the explorer's filter bar, e.g. category:error tenant:5E87* since:-7d
    #[arg(
        value_name = "FILTER",
        allow_hyphen_values = true,
        trailing_var_arg = true
    )]
    pub filter: Vec<String>,
}

/// The flags of `telex export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Where to write the sample; the extension chooses the format: .jsonl, .csv or .db
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// How identifiers are replaced: mask (a***@c***.com), hash (keyed tokens, email:7f3a…),
    /// drop (removed)
    #[arg(long, value_enum, value_name = "MODE")]
    pub redact: RedactMode,
    /// Leave this class's identifiers as they are: user, org or pseudonymous (repeatable)
    #[arg(long, value_name = "CLASS", value_delimiter = ',')]
    pub keep: Vec<String>,
    /// Write a uniform random sample of N of the matching events
    #[arg(long, value_name = "N")]
    pub sample: Option<u64>,
    /// The sample's seed: the same export, filter and seed give the same events [default: 42]
    #[arg(long, value_name = "S", requires = "sample")]
    pub seed: Option<u64>,
    /// With --redact hash: the key, as hex (32 digits or more)
    #[arg(long, value_name = "HEX", conflicts_with = "key_file")]
    pub key: Option<String>,
    /// With --redact hash: read the key (hex) from FILE, or create FILE with a new random key
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// Replace FILE if it exists
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RedactMode {
    Mask,
    Hash,
    Drop,
}

#[derive(Debug, Args)]
pub struct Privacy {
    /// Print identifying values as they are instead of masked
    #[arg(long)]
    pub reveal: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Jsonl,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    Table,
    Jsonl,
    Csv,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatsFormat {
    Table,
    Json,
}

/// The arguments with every known `--flag` of the subcommand moved before the filter words.
/// Filter words may start with `-` (negation), so clap would otherwise read a `--reveal` or
/// `--format csv` typed after them as more filter text.
pub fn flags_first(args: Vec<OsString>) -> Vec<OsString> {
    let mut command = Cli::command();
    // Building propagates global flags (`--no-cache`) into every subcommand's arguments.
    command.build();
    let Some(sub_at) = args
        .iter()
        .position(|a| command.find_subcommand(a).is_some())
    else {
        return args;
    };
    let Some(sub) = command.find_subcommand(&args[sub_at]) else {
        return args;
    };
    let (mut flags, mut rest) = (Vec::new(), Vec::new());
    let mut words = args[sub_at + 1..].iter();
    while let Some(word) = words.next() {
        let text = word.to_string_lossy();
        if text == "--" {
            rest.push(word.clone());
            rest.extend(words.by_ref().cloned());
            break;
        }
        let long = text
            .strip_prefix("--")
            .map(|t| t.split('=').next().unwrap_or(t));
        let known = long.and_then(|name| sub.get_arguments().find(|a| a.get_long() == Some(name)));
        match known {
            Some(arg) => {
                flags.push(word.clone());
                if arg.get_action().takes_values() && !text.contains('=') {
                    flags.extend(words.next().cloned());
                }
            }
            None => rest.push(word.clone()),
        }
    }
    let mut out = args[..=sub_at].to_vec();
    out.extend(flags);
    out.extend(rest);
    out
}

/// Joins filter words from the shell back into filter text. The shell has already removed the
/// user's quotes, so a word with spaces is quoted again: `sign-in failed` → `"sign-in failed"`,
/// `name:a b` → `name:"a b"`.
pub fn filter_text(words: &[String]) -> String {
    words
        .iter()
        .map(|w| requote(w))
        .collect::<Vec<_>>()
        .join(" ")
}

fn requote(word: &str) -> String {
    if !word.chars().any(char::is_whitespace) || word.contains('"') {
        return word.to_string();
    }
    let (negated, rest) = match word.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", word),
    };
    match rest.split_once(':') {
        Some((key, value))
            if !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || c == '_') =>
        {
            format!("{negated}{key}:\"{value}\"")
        }
        _ => format!("{negated}\"{rest}\""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_are_requoted_into_filter_text() {
        let words: Vec<String> = [
            "category:error",
            "sign-in failed",
            "-name:a b",
            "-x y",
            "plain",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            filter_text(&words),
            r#"category:error "sign-in failed" -name:"a b" -"x y" plain"#
        );
    }

    #[test]
    fn the_command_line_parses() {
        Cli::command().debug_assert();
        let cli = Cli::parse_from(["telex", "list", "x.db", "category:error", "-name:crash"]);
        match cli.command {
            Some(Command::List { input, .. }) => {
                assert_eq!(input.filter, ["category:error", "-name:crash"]);
            }
            other => panic!("{other:?}"),
        }
        let args = [
            "telex",
            "list",
            "x.db",
            "-tenant:a",
            "--reveal",
            "b",
            "--format",
            "csv",
        ];
        let cli = Cli::parse_from(flags_first(args.map(OsString::from).to_vec()));
        match cli.command {
            Some(Command::List {
                input,
                privacy,
                format,
                ..
            }) => {
                assert_eq!(
                    input.filter,
                    ["-tenant:a", "b"],
                    "flags anywhere stay flags"
                );
                assert!(privacy.reveal);
                assert_eq!(format, ListFormat::Csv);
            }
            other => panic!("{other:?}"),
        }
        let args = [
            "telex",
            "list",
            "x.db",
            "has:pii",
            "--no-cache",
            "-kind:iban",
        ];
        let cli = Cli::parse_from(flags_first(args.map(OsString::from).to_vec()));
        assert!(
            cli.no_cache,
            "a global flag after filter words stays a flag"
        );
        match cli.command {
            Some(Command::List { input, .. }) => {
                assert_eq!(input.filter, ["has:pii", "-kind:iban"])
            }
            other => panic!("{other:?}"),
        }
        let args = ["telex", "stats", "x.db", "--top=3", "--", "--reveal"];
        let cli = Cli::parse_from(flags_first(args.map(OsString::from).to_vec()));
        match cli.command {
            Some(Command::Stats {
                input,
                privacy,
                top,
                ..
            }) => {
                assert_eq!(
                    input.filter,
                    ["--reveal"],
                    "after -- everything is filter text"
                );
                assert!(!privacy.reveal);
                assert_eq!(top, 3);
            }
            other => panic!("{other:?}"),
        }
        let cli = Cli::parse_from(["telex", "my.db"]);
        assert_eq!(cli.export, Some(PathBuf::from("my.db")));
        assert!(cli.command.is_none());
    }
}
