//! telex: a terminal explorer for exported product telemetry.
//!
//! Dependency rules (DESIGN §5): `model` ← everything; `pii`, `redact`, `filter` and `app` are
//! pure (no I/O); only `store` holds SQL; `ui` draws from `&App` and never queries; `worker`
//! runs effects; `tui` owns the terminal and the loop; `batch` writes the headless commands.
pub mod app;
pub mod batch;
pub mod cli;
pub mod filter;
pub mod generate;
pub mod keymap;
pub mod model;
pub mod pii;
pub mod redact;
pub mod scanner;
pub mod store;
pub mod text;
pub mod tui;
pub mod ui;
pub mod worker;
