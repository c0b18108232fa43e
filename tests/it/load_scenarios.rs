//! The shipped load scenarios (`scenarios/*.toml`) keep their published format: every file is
//! embedded and parses, its thresholds are rules goose 0.19 accepts, and `scenarios/README.md`
//! documents every key the parser accepts, every operation, metric and pacing preset.

use std::collections::BTreeSet;
use std::path::PathBuf;

use scimtest::load::scenario::{self, Metric, Op, Pacing, Scenario};

/// Read at run time (cargo sets it for `cargo test`), so a test binary shared between
/// checkouts checks the files of the checkout it runs in.
fn scenarios_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .join("scenarios")
}

fn readme() -> String {
    std::fs::read_to_string(scenarios_dir().join("README.md")).expect("scenarios/README.md")
}

#[test]
fn every_scenario_file_is_shipped_and_parses() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(scenarios_dir())
        .expect("scenarios/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    let shipped: BTreeSet<String> = scenario::builtin()
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    assert_eq!(
        on_disk, shipped,
        "every scenarios/*.toml is in builtin() and back"
    );
    for (name, text) in scenario::builtin() {
        let disk = std::fs::read_to_string(scenarios_dir().join(format!("{name}.toml")))
            .expect("scenario file");
        assert_eq!(text, disk, "{name}: embedded text is the file");
        let s = Scenario::load(name).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.name, name);
        // A scenario that reads back what it wrote runs one user (the language requires it).
        let reads_back = s.operations.iter().any(|o| o.op == Op::CheckMembers);
        assert!(
            (s.run.users >= 8 && s.run.users <= 32) || (reads_back && s.run.users == 1),
            "{name}: 8-32 users for CI"
        );
        match s.run.length {
            scenario::RunLength::Duration(d) => {
                assert!(d.as_secs() <= 30, "{name}: runs at most 30 s by default")
            }
            scenario::RunLength::Iterations(n) => assert!(n <= 50, "{name}: {n} iterations"),
        }
        // Every shipped scenario guards errors and latency.
        let metrics: BTreeSet<Metric> = s.thresholds.iter().map(|t| t.metric).collect();
        assert!(
            metrics.contains(&Metric::ErrorRate),
            "{name}: no error-rate threshold"
        );
        assert!(
            metrics
                .iter()
                .any(|m| matches!(m, Metric::P95 | Metric::P99)),
            "{name}: no latency threshold"
        );
    }
    assert_eq!(scenario::builtin()[0].0, scenario::DEFAULT_SCENARIO);
}

#[test]
fn shipped_thresholds_are_goose_rules_naming_the_scenarios_requests() {
    for (name, _) in scenario::builtin() {
        let s = Scenario::builtin(name).unwrap_or_else(|e| panic!("{e}"));
        for t in &s.thresholds {
            let rule = t.to_goose();
            let parsed: goose::threshold::Threshold = rule
                .parse()
                .unwrap_or_else(|e| panic!("{name}: goose refuses {rule:?}: {e}"));
            assert_eq!(parsed.to_string(), rule);
            if let Some(op) = t.operation {
                assert!(
                    rule.ends_with(&format!(" for {}", op.request_name())),
                    "{rule}"
                );
            }
        }
    }
}

/// The keys a table accepts, read from the parser's own "unknown field" message, so this
/// list cannot drift from the code.
fn accepted_keys(text: &str) -> Vec<String> {
    let err = Scenario::parse(text, "probe.toml")
        .expect_err("an unknown key is refused")
        .to_string();
    let first = err.lines().next().unwrap_or("");
    let (_, expected) = first
        .split_once("expected")
        .unwrap_or_else(|| panic!("no expected list in: {err}"));
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

#[test]
fn readme_documents_every_key_operation_metric_and_preset() {
    let readme = readme();
    let base = scenario::builtin()
        .into_iter()
        .find(|(n, _)| *n == "smoke")
        .map(|(_, t)| t.to_string())
        .expect("smoke is shipped");
    let probes = [
        ("top level", format!("zzz_unknown = 1\n{base}")),
        (
            "[run]",
            base.replacen("[run]\n", "[run]\nzzz_unknown = 1\n", 1),
        ),
        (
            "[data]",
            base.replacen("[data]\n", "[data]\nzzz_unknown = 1\n", 1),
        ),
        (
            "[[operation]]",
            base.replacen("[[operation]]\n", "[[operation]]\nzzz_unknown = 1\n", 1),
        ),
        (
            "[[threshold]]",
            base.replacen("[[threshold]]\n", "[[threshold]]\nzzz_unknown = 1\n", 1),
        ),
        (
            "pacing table",
            base.replacen("pacing = \"max\"", "pacing = { zzz_unknown = 1 }", 1),
        ),
    ];
    let mut all = BTreeSet::new();
    for (table, text) in probes {
        let keys = accepted_keys(&text);
        assert!(!keys.is_empty(), "{table}: no keys found");
        all.extend(keys);
    }
    // Sanity: the probes found the documented tables' keys, not just one table's.
    for key in [
        "name",
        "users",
        "page_size",
        "sequence",
        "at_least",
        "requests_per_second",
    ] {
        assert!(all.contains(key), "probe missed {key}");
    }
    for key in &all {
        // A table key is documented as its header, `[run]` or `[[operation]]`.
        let documented = [
            format!("`{key}`"),
            format!("`[{key}]`"),
            format!("`[[{key}]]`"),
        ]
        .iter()
        .any(|form| readme.contains(form.as_str()));
        assert!(documented, "README does not document `{key}`");
    }
    for op in Op::ALL {
        assert!(
            readme.contains(&format!("`{op}`")),
            "README lacks operation `{op}`"
        );
        assert!(
            readme.contains(&format!("`{}`", op.request_name())),
            "README lacks request name `{}`",
            op.request_name()
        );
    }
    for metric in Metric::ALL {
        assert!(
            readme.contains(&format!("`{metric}`")),
            "README lacks metric `{metric}`"
        );
    }
    for preset in ["max", "entra", "okta"] {
        assert!(
            readme.contains(&format!("`\"{preset}\"`")),
            "README lacks pacing {preset}"
        );
    }
    for rate in [
        Pacing::ENTRA_REQUESTS_PER_SECOND,
        Pacing::OKTA_REQUESTS_PER_SECOND,
    ] {
        assert!(
            readme.contains(&format!("| {rate} req/s |")),
            "README lacks {rate} req/s"
        );
    }
    for (name, _) in scenario::builtin() {
        assert!(
            readme.contains(&format!("`{name}`")),
            "README lacks scenario `{name}`"
        );
    }
}

#[test]
fn a_bad_scenario_file_is_refused_with_its_line() {
    let dir = std::env::temp_dir().join(format!("scimtest-it-scenario-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let cases = [
        // (file body, line, what the message says)
        (
            "name = \"x\"\ndescription = \"d\"\nmodelled_on = \"m\"\n\n[run]\nusers = 2\nduration = \"10s\"\niterations = 3\n\n[[operation]]\nname = \"create-user\"\n",
            8,
            "not both",
        ),
        (
            "name = \"x\"\ndescription = \"d\"\nmodelled_on = \"m\"\n[run]\nusers = 2\nduration = \"10s\"\n[[operation]]\nname = \"create-user\"\n[[threshold]]\nmetric = \"error-rate\"\nbelow = \"250ms\"\n",
            11,
            "percentage",
        ),
        (
            "name = \"x\"\ndescription = \"d\"\nmodelled_on = \"m\"\n[run]\nusers = 2\nduration = \"10s\"\nwarmup = \"5s\"\n[[operation]]\nname = \"create-user\"\n",
            7,
            "unknown field `warmup`",
        ),
        (
            "name = \"x\"\ndescription = \"d\"\nmodelled_on = \"m\"\n[run]\nusers = 2\nduration = \"10s\"\n[[operation]]\nname = \"patch-users\"\n",
            8,
            "did you mean \"patch-user\"",
        ),
    ];
    for (i, (body, line, needle)) in cases.into_iter().enumerate() {
        let path = dir.join(format!("bad{i}.toml"));
        std::fs::write(&path, body).expect("write");
        let shown = path.display().to_string();
        let err = Scenario::load(&shown).expect_err("refused");
        let msg = err.to_string();
        assert!(
            msg.starts_with(&format!("{shown}:{line}:")),
            "want line {line}: {msg}"
        );
        assert!(msg.contains(needle), "want {needle:?}: {msg}");
    }
    std::fs::remove_dir_all(&dir).ok();
}
