//! Embeds `fixtures/idp/**/*.json` into the binary: writes `$OUT_DIR/embedded_fixtures.rs`, a
//! table of (path relative to `fixtures/idp/`, contents via `include_str!`). Cargo re-runs this
//! when anything under `fixtures/idp` changes (a new file included).

use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries = Vec::new();
    for e in std::fs::read_dir(dir)? {
        entries.push(e?.path());
    }
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let root = manifest.join("fixtures").join("idp");
    println!("cargo::rerun-if-changed=fixtures/idp");
    let mut files = Vec::new();
    walk(&root, &mut files)?;
    let mut src = String::from(
        "/// (path under fixtures/idp, contents)\npub static FIXTURES: &[(&str, &str)] = &[\n",
    );
    for f in files {
        let rel = f.strip_prefix(&root)?.to_string_lossy().replace('\\', "/");
        src.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            f.display().to_string()
        ));
    }
    src.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("embedded_fixtures.rs");
    std::fs::write(out, src)?;
    Ok(())
}
