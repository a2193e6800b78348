//! Where a sample may go: never onto the export itself (by any name), never over an existing
//! file without `--force`, and never where its key file goes.

use std::path::{Path, PathBuf};

use super::ExportError;

/// Refuses an output that is the export itself (by canonical path, or the same file under
/// another name), one that exists without `force`, and a key file that is the output.
pub fn check_paths(
    export: &Path,
    out: &Path,
    force: bool,
    key: Option<&Path>,
) -> Result<(), ExportError> {
    if same_file(export, out) {
        return Err(ExportError::SameAsExport(out.to_path_buf()));
    }
    if out.is_dir() {
        return Err(ExportError::Usage(format!(
            "{}: is a directory; give a file name ending in .jsonl, .csv or .db",
            out.display()
        )));
    }
    if !force && out.exists() {
        return Err(ExportError::Exists(out.to_path_buf()));
    }
    if let Some(key) = key
        && (same_file(key, out) || canonical(key) == canonical(out))
    {
        return Err(ExportError::KeyIsOutput(key.to_path_buf()));
    }
    Ok(())
}

/// The canonical form of a path that may not exist yet: its directory canonicalised.
fn canonical(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = path.canonicalize() {
        return Some(p);
    }
    let name = path.file_name()?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(dir.canonicalize().ok()?.join(name))
}

fn same_file(a: &Path, b: &Path) -> bool {
    if canonical(a).is_some_and(|ca| Some(ca) == canonical(b)) {
        return true;
    }
    same_inode(a, b)
}

#[cfg(unix)]
fn same_inode(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_inode(_: &Path, _: &Path) -> bool {
    false
}
