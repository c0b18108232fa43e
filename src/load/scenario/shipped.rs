//! The scenarios shipped in the binary (`scenarios/*.toml`), and finding a scenario by shipped
//! name or by path.

use super::error::{ScenarioError, did_you_mean};
use super::model::Scenario;
use std::path::Path;

/// The scenario `scimtest load` runs when none is named.
pub const DEFAULT_SCENARIO: &str = "smoke";

/// The shipped scenarios, by name, with their TOML text (compiled into the binary).
const BUILTIN: [(&str, &str); 13] = [
    ("smoke", include_str!("../../../scenarios/smoke.toml")),
    (
        "bulk-onboarding",
        include_str!("../../../scenarios/bulk-onboarding.toml"),
    ),
    (
        "bulk-onboarding-bulk",
        include_str!("../../../scenarios/bulk-onboarding-bulk.toml"),
    ),
    (
        "entra-sync-cycle",
        include_str!("../../../scenarios/entra-sync-cycle.toml"),
    ),
    (
        "okta-import",
        include_str!("../../../scenarios/okta-import.toml"),
    ),
    (
        "group-churn",
        include_str!("../../../scenarios/group-churn.toml"),
    ),
    (
        "deprovision",
        include_str!("../../../scenarios/deprovision.toml"),
    ),
    ("mixed", include_str!("../../../scenarios/mixed.toml")),
    ("gentle", include_str!("../../../scenarios/gentle.toml")),
    (
        "entra-gallery",
        include_str!("../../../scenarios/entra-gallery.toml"),
    ),
    (
        "large-groups-1k",
        include_str!("../../../scenarios/large-groups-1k.toml"),
    ),
    (
        "large-groups-10k",
        include_str!("../../../scenarios/large-groups-10k.toml"),
    ),
    (
        "large-groups-50k",
        include_str!("../../../scenarios/large-groups-50k.toml"),
    ),
];

/// The scenario of `scimtest certify --for entra-gallery`: Entra's mix at 25 req/s.
pub const ENTRA_GALLERY_SCENARIO: &str = "entra-gallery";

/// The scenario `scimtest run` loads a target other than the embedded provider with, unless
/// `--load` names another: small and paced.
pub const GENTLE_SCENARIO: &str = "gentle";

/// The shipped scenarios as `(name, TOML text)`, in the order `--list` shows them
/// (`smoke` first). Each text is the file `scenarios/<name>.toml`.
pub fn builtin() -> Vec<(&'static str, &'static str)> {
    BUILTIN.to_vec()
}

impl Scenario {
    /// The shipped scenario called `name`; an unknown name gets the list and a did-you-mean.
    pub fn builtin(name: &str) -> Result<Scenario, ScenarioError> {
        match BUILTIN.iter().find(|(n, _)| *n == name) {
            Some((n, text)) => Scenario::parse(text, &format!("scenarios/{n}.toml")),
            None => Err(unknown_scenario(name)),
        }
    }

    /// A shipped scenario by name, else a scenario file by path. Something that is neither a
    /// shipped name nor an existing file, and does not look like a path (no `/`, no `.toml`),
    /// is reported as an unknown name with the shipped names and a did-you-mean.
    pub fn load(name_or_path: &str) -> Result<Scenario, ScenarioError> {
        if BUILTIN.iter().any(|(n, _)| *n == name_or_path) {
            return Scenario::builtin(name_or_path);
        }
        let path = Path::new(name_or_path);
        let looks_like_path =
            name_or_path.contains(['/', '\\']) || name_or_path.ends_with(".toml") || path.exists();
        if !looks_like_path {
            return Err(unknown_scenario(name_or_path));
        }
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
            path: name_or_path.to_string(),
            source,
        })?;
        Scenario::parse(&text, name_or_path)
    }
}

/// The error for a scenario name that is not shipped.
fn unknown_scenario(name: &str) -> ScenarioError {
    let known: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
    ScenarioError::Unknown {
        name: name.to_string(),
        hint: did_you_mean(name, known.iter().copied())
            .map(|s| format!(" (did you mean {s:?}?)"))
            .unwrap_or_default(),
        known: known.join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::scenario::RunLength;
    use crate::load::scenario::fixtures::*;
    use std::time::Duration;

    #[test]
    fn shipped_scenarios_parse_and_are_named_after_their_file() {
        let names: Vec<&str> = builtin().iter().map(|(n, _)| *n).collect();
        assert_eq!(names.first(), Some(&DEFAULT_SCENARIO));
        for (name, _) in builtin() {
            let s = Scenario::builtin(name).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(s.name, name);
            assert_eq!(s.origin, format!("scenarios/{name}.toml"));
            assert!(!s.thresholds.is_empty(), "{name} has no thresholds");
        }
        let smoke = Scenario::builtin("smoke").expect("smoke");
        assert_eq!(
            smoke.run.length,
            RunLength::Duration(Duration::from_secs(10))
        );
    }

    #[test]
    fn load_finds_names_then_files_and_suggests_names() {
        assert_eq!(Scenario::load("mixed").expect("shipped").name, "mixed");
        let err = Scenario::load("okta-imprt").expect_err("unknown");
        let msg = err.to_string();
        assert!(msg.contains("did you mean \"okta-import\""), "{msg}");
        assert!(msg.contains("smoke, bulk-onboarding"), "{msg}");
        let err = Scenario::load("no/such/file.toml").expect_err("missing");
        assert!(matches!(err, ScenarioError::Read { .. }), "{err}");

        let dir = std::env::temp_dir().join(format!("scimtest-scenario-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("tmp dir");
        let path = dir.join("mine.toml");
        std::fs::write(&path, with("weight = 2", "weight = 0")).expect("write");
        let shown = path.display().to_string();
        let err = Scenario::load(&shown).expect_err("bad file");
        assert!(
            err.to_string().starts_with(&format!("{shown}:19:10: ")),
            "{err}"
        );
        assert_eq!(err.line(), Some(19));
        std::fs::write(&path, GOOD).expect("write");
        assert_eq!(Scenario::load(&shown).expect("good file").name, "t");
        std::fs::remove_dir_all(&dir).ok();
    }
}
