//! The provider's clean paths name no fault: every file under `src/provider/` outside
//! `src/provider/fault/` is read, and any line mentioning "fault" (any case, comments included;
//! "default" is not a mention) fails the test with its file and line. The faults reach the
//! provider only through the hooks (`src/provider/hooks.rs`). The one exception is the module
//! wiring in `src/provider/mod.rs` that declares and re-exports `fault`.

use std::path::{Path, PathBuf};

/// Lines allowed to name the fault module: (file relative to the crate root, exact line).
const WIRING: [(&str, &str); 2] = [
    ("src/provider/mod.rs", "pub mod fault;"),
    ("src/provider/mod.rs", "pub use fault::{Fault, Faults};"),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// Whether `line` mentions a fault: "fault" in any case, except inside "default".
fn mentions_fault(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    lower
        .match_indices("fault")
        .any(|(i, _)| !lower[..i].ends_with("de"))
}

#[test]
fn the_mention_rule_sees_faults_and_not_defaults() {
    assert!(mentions_fault("if self.faults.has(Fault::NoEtag) {"));
    assert!(mentions_fault("/// The `stale-reads` FAULT only"));
    assert!(!mentions_fault("let x = Default::default(); // by default"));
    assert!(mentions_fault("the default fault"));
}

#[test]
fn provider_files_outside_the_fault_module_name_no_fault() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let provider = root.join("src/provider");
    let fault_dir = provider.join("fault");
    let mut files = Vec::new();
    rust_files(&provider, &mut files);
    files.retain(|f| !f.starts_with(&fault_dir));
    files.sort();
    assert!(
        files.len() >= 5,
        "found only {files:?} under {}",
        provider.display()
    );
    let mut found = Vec::new();
    for file in &files {
        let rel = file
            .strip_prefix(root)
            .unwrap_or(file)
            .to_string_lossy()
            .replace('\\', "/");
        let text =
            std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for (n, line) in text.lines().enumerate() {
            let wiring = WIRING.iter().any(|(f, l)| *f == rel && line.trim() == *l);
            if mentions_fault(line) && !wiring {
                found.push(format!("{rel}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "the provider's clean paths mention faults (move the behaviour behind a hook in \
         src/provider/fault/):\n{}",
        found.join("\n")
    );
}
