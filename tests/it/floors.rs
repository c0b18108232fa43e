//! The floors of the house (docs/architecture.md) hold: no file under `src/` imports a module on
//! a floor above its own or a sibling on the same floor (the jobs `conformance`, `replay` and
//! `load` never import each other; the SCIM client never imports the reference provider, nor the
//! provider the client). The pure protocol floor does no I/O. Every file says its job in a `//!`
//! first line. Each finding names the file and the line.

use std::path::{Path, PathBuf};

/// The top-level modules of the library and their floors: a module may import only modules
/// on a strictly lower floor (and itself).
const FLOORS: &[(&str, u8)] = &[
    ("text", 0),
    ("exit_codes", 0),
    ("scim", 1),
    ("interrupt", 1),
    ("client", 2),
    ("provider", 2),
    ("report", 3),
    ("conformance", 4),
    ("replay", 4),
    ("load", 4),
    ("catalogue", 5),
    ("certify", 5),
    ("cli", 6),
];

fn floor(module: &str) -> Option<u8> {
    FLOORS.iter().find(|(m, _)| *m == module).map(|&(_, f)| f)
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`src/load/stats.rs` → `load`, `src/cli.rs` → `cli`),
/// None for the crate roots.
fn owner(file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src()).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main")).then(|| name.to_string())
}

/// Every `crate::<module>` a line names (also inside `use crate::{a, b}` groups).
fn named_modules(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        let group = after.strip_prefix('{');
        let text = group.unwrap_or(after);
        let end = if group.is_some() {
            text.find('}').unwrap_or(text.len())
        } else {
            text.find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(text.len())
        };
        for part in text[..end].split(',') {
            let name: String = part
                .trim()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.push(name);
            }
        }
        rest = after;
    }
    found
}

/// `#[macro_export]` macros live at the crate root but belong to the module that defines them
/// (`crate::check!` is the conformance catalogue's): `(macro, module)` pairs.
fn exported_macros(files: &[(String, String, String)]) -> Vec<(String, String)> {
    let mut macros = Vec::new();
    for (_, module, text) in files {
        let mut exported = false;
        for line in text.lines() {
            let line = line.trim();
            if let Some(rest) = line.strip_prefix("macro_rules!").filter(|_| exported) {
                let name: String = rest
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                macros.push((name, module.clone()));
            }
            exported = line.starts_with("#[macro_export]") || (exported && line.starts_with("#["));
        }
    }
    macros
}

/// Upward and sideways imports in `files`, as "file:line: a imports b (floor x → y)".
fn violations(files: &[(String, String, String)]) -> Vec<String> {
    let macros = exported_macros(files);
    let mut bad = Vec::new();
    for (shown, module, text) in files {
        let Some(own) = floor(module) else {
            bad.push(format!("{shown}: module `{module}` has no floor in FLOORS"));
            continue;
        };
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for named in named_modules(code) {
                let other = macros
                    .iter()
                    .find(|(m, _)| *m == named)
                    .map_or(named, |(_, owner)| owner.clone());
                if other == *module {
                    continue;
                }
                match floor(&other) {
                    Some(f) if f < own => {}
                    Some(f) => bad.push(format!(
                        "{shown}:{}: `{module}` (floor {own}) imports `{other}` (floor {f})",
                        n + 1
                    )),
                    None => bad.push(format!(
                        "{shown}:{}: `crate::{other}` is not a known top-level module",
                        n + 1
                    )),
                }
            }
        }
    }
    bad
}

fn sources() -> Vec<(String, String, String)> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files.sort();
    files
        .into_iter()
        .filter_map(|path| {
            let module = owner(&path)?;
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let shown = path
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap_or(&path)
                .display()
                .to_string();
            Some((shown, module, text))
        })
        .collect()
}

#[test]
fn no_file_imports_a_higher_floor_or_a_sibling() {
    let files = sources();
    assert!(files.len() > 50, "read {} files", files.len());
    let bad = violations(&files);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn every_top_level_module_has_a_floor() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap_or_default();
    let declared: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';'))
        .collect();
    assert!(declared.len() >= FLOORS.len(), "{declared:?}");
    for m in declared {
        assert!(
            floor(m).is_some(),
            "src/lib.rs declares `{m}`, FLOORS lacks it"
        );
    }
}

#[test]
fn the_checker_catches_upward_and_sideways_imports() {
    let file =
        |module: &str, text: &str| (format!("src/{module}/x.rs"), module.into(), text.into());
    let bad = violations(&[
        file("report", "use crate::load::stats::Collector;\n"),
        file(
            "load",
            "use crate::{report::model::Level, conformance::Ctx};\n",
        ),
        file("client", "    let f = crate::provider::Fault::all();\n"),
        file(
            "scim",
            "// crate::cli is only named in a comment\nuse crate::text::clip;\n",
        ),
        file(
            "cli",
            "use crate::{load, replay, report, conformance, client};\n",
        ),
        file(
            "conformance",
            "#[macro_export]\nmacro_rules! check { () => {} }\n",
        ),
        file("conformance", "crate::check!(f, \"id\");\n"),
        file("replay", "crate::check!(f, \"id\");\n"),
    ]);
    assert_eq!(bad.len(), 4, "{bad:#?}");
    assert!(bad[0].contains("`report` (floor 3) imports `load` (floor 4)"));
    assert!(bad[1].contains("`load` (floor 4) imports `conformance` (floor 4)"));
    assert!(bad[2].contains("`client` (floor 2) imports `provider` (floor 2)"));
    assert!(bad[3].contains("`replay` (floor 4) imports `conformance` (floor 4)"));
}

/// The protocol floor is pure: no sockets, files, clocks of a runtime or HTTP stacks.
#[test]
fn the_protocol_floor_does_no_io() {
    let banned = [
        "tokio::",
        "reqwest",
        "axum",
        "hyper",
        "std::fs",
        "std::net",
        "std::process",
    ];
    let mut bad = Vec::new();
    for (shown, module, text) in sources() {
        if !matches!(module.as_str(), "scim" | "text") {
            continue;
        }
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for b in banned {
                if code.contains(b) {
                    bad.push(format!("{shown}:{}: {b}", n + 1));
                }
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Every file says its job: its first line is a `//!` doc comment.
#[test]
fn every_file_says_its_job() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let undocumented: Vec<String> = files
        .iter()
        .filter(|p| {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            !text.starts_with("//!")
        })
        .map(|p| p.display().to_string())
        .collect();
    assert!(undocumented.is_empty(), "{undocumented:#?}");
}
