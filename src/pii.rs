//! TEMPORARY placeholder replaced at merge.
use crate::model::{Event, Finding, Kind};
pub fn scan_event(_e: &Event) -> Vec<Finding> {
    Vec::new()
}
pub fn mask(_k: Kind, v: &str) -> String {
    format!("{}***", v.chars().next().unwrap_or('*'))
}
