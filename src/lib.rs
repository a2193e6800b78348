//! telex: a terminal explorer for exported product telemetry.
pub mod batch;
pub mod cli;
pub mod filter;
pub mod generate;
pub mod model;
pub mod pii;
pub mod redact;
pub mod store;
pub mod text;
pub mod tui;
