//! telex: a terminal explorer for exported product telemetry.
//!
//! Dependency rules (DESIGN §5): `model` ← everything; `pii`, `policy`, `redact`, `filter` and
//! `app` are pure (no I/O); only `store` and `cache` hold SQL; `ui` draws from `&App` and never
//! queries; `scanner` reads and scans every matching event for `scan`, `audit` and `export`;
//! `worker` runs effects; `tui` owns the terminal and the loop; `batch` writes the headless commands.
pub mod app;
pub mod batch;
pub mod cache;
pub mod cli;
pub mod filter;
pub mod generate;
pub mod inventory;
pub mod keymap;
pub mod model;
pub mod pii;
pub mod policy;
pub mod redact;
pub mod scanner;
pub mod store;
pub mod text;
pub mod tui;
pub mod ui;
pub mod worker;
