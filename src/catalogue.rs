//! The one check catalogue: conformance's checks (run by `scimtest check`) and load's
//! correctness checks (run alongside `scimtest load`), listed together by `check --list` and
//! docs/checks.md and versioned together. Sits beside `cli`, above the jobs, which never import
//! each other; the description and the listing writers are `report::catalogue`'s.

use crate::conformance::catalogue as conformance;
use crate::conformance::runner::{Selection, SelectionError};
use crate::load::correctness;
use crate::report::catalogue::{Entry, ListFormat, fingerprint, render};

/// The catalogue's release, bumped by hand whenever a check is added, removed, renamed or
/// changes level or RFC section (the `pinned_fingerprint` test says when).
pub const VERSION: &str = "2026.12.3";

/// Every check, in catalogue order: conformance area by area, then load's correctness checks.
pub fn entries() -> Vec<Entry> {
    let mut v = conformance::entries(&conformance::all());
    v.extend(correctness::entries());
    v
}

/// `<VERSION>+<number of checks>.<fingerprint>`, recorded in report.json and on the
/// certificate: two runs with the same value ran against the same catalogue.
pub fn version() -> String {
    let all = entries();
    format!("{VERSION}+{}.{}", all.len(), fingerprint(&all))
}

/// The entries `selection` picks (an `--only`/`--skip` pattern that matches no check is an
/// error with a did-you-mean).
pub fn select(selection: &Selection) -> Result<Vec<Entry>, SelectionError> {
    let all = entries();
    let ids: Vec<&str> = all.iter().map(|e| e.meta.id).collect();
    selection.validate_ids(&ids)?;
    Ok(all
        .into_iter()
        .filter(|e| selection.selects_id(e.meta.id, e.meta.level))
        .collect())
}

/// `scimtest check --explain ID`: one check spelled out; an id that names no check is an error
/// with a did-you-mean.
pub fn explain(id: &str) -> Result<String, SelectionError> {
    let all = entries();
    match all.iter().find(|e| e.meta.id == id) {
        Some(e) => Ok(crate::report::catalogue::explain(e)),
        None => {
            let ids: Vec<&str> = all.iter().map(|e| e.meta.id).collect();
            if ids
                .iter()
                .any(|i| crate::conformance::runner::glob_match(id, i))
            {
                return Err(SelectionError(format!(
                    "{id:?} is a pattern, not one check id; see `scimtest check --list --only {id}`"
                )));
            }
            let near = crate::text::nearest(id, ids.iter().copied(), 3);
            Err(SelectionError(format!(
                "no check has the id {id:?}; did you mean {}? (every id: `scimtest check --list`)",
                crate::text::or_list(&near)
            )))
        }
    }
}

/// `scimtest check --list`: the selected entries in `format`.
pub fn list(selection: &Selection, format: ListFormat) -> Result<String, SelectionError> {
    Ok(render(&select(selection)?, format))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::catalogue::{RunsUnder, carries_keyword};
    use std::collections::HashSet;

    /// The fingerprint of the catalogue as released under [`VERSION`]. When this test fails,
    /// the catalogue changed: bump `VERSION` and pin the new fingerprint (and the `# Catalogue:`
    /// line of interop/expected/*.toml).
    const PINNED: (&str, &str) = ("2026.12.3", "a11badde");

    #[test]
    fn pinned_fingerprint() {
        assert_eq!(
            (VERSION, fingerprint(&entries()).as_str()),
            PINNED,
            "the catalogue changed: bump catalogue::VERSION and update PINNED"
        );
        assert!(
            version().starts_with(&format!("{VERSION}+")),
            "{}",
            version()
        );
    }

    #[test]
    fn every_entry_is_unique_and_quotes_the_sentence_that_carries_its_level() {
        let mut seen = HashSet::new();
        for e in entries() {
            let m = e.meta;
            assert!(seen.insert(m.id), "duplicate id {}", m.id);
            assert_eq!(Some(m.area), m.id.split('.').next(), "{}", m.id);
            assert!(
                m.quote.rfc.starts_with("RFC ") && m.quote.rfc.contains('§'),
                "{}: {}",
                m.id,
                m.quote.rfc
            );
            assert!(!m.quote.text.is_empty(), "{} has no RFC quote", m.id);
            assert!(
                carries_keyword(m.level, m.quote.text),
                "{} is {} but its quote has no such keyword: {}",
                m.id,
                m.level.as_str(),
                m.quote.text
            );
            assert!(!m.fault.is_empty(), "{} names no fault", m.id);
            assert_eq!(
                e.runs_under == RunsUnder::Load,
                m.id.starts_with("load."),
                "{}",
                m.id
            );
        }
    }

    #[test]
    fn explain_spells_out_one_check_and_refuses_other_ids() {
        let text = explain("users.create.status-201").unwrap_or_default();
        let e = entries()
            .into_iter()
            .find(|e| e.meta.id == "users.create.status-201")
            .map(|e| e.meta);
        let Some(m) = e else {
            panic!("users.create.status-201 is in the catalogue");
        };
        for part in [m.title, m.hint, m.fault, m.quote.text, "MUST"] {
            assert!(text.contains(part), "{part:?} missing:\n{text}");
        }
        let Err(e) = explain("users.create.status-20") else {
            panic!("a near miss is refused");
        };
        assert!(
            e.to_string()
                .contains("did you mean \"users.create.status-201\""),
            "{e}"
        );
        assert!(explain("users.*").is_err(), "a glob is not one check");
    }

    /// Every row of the why-it-matters table covers some check (no row for an id that does
    /// not exist).
    #[test]
    fn every_impact_row_covers_a_check() {
        use crate::report::impact::{TABLE, impact};
        let all = entries();
        for r in TABLE {
            assert!(
                all.iter()
                    .any(|e| impact(e.meta.id).is_some_and(|i| i.prefix == r.prefix)),
                "no check falls under {}",
                r.prefix
            );
        }
    }

    #[test]
    fn a_selection_picks_load_checks_too() {
        let sel = Selection {
            only: vec!["load.*".into()],
            ..Selection::default()
        };
        let picked = select(&sel).unwrap_or_default();
        assert_eq!(picked.len(), correctness::CHECKS.len());
        let bad = Selection {
            only: vec!["load.correctness.unique-usernam".into()],
            ..Selection::default()
        };
        let Err(e) = select(&bad) else {
            panic!("a pattern that matches nothing must be refused");
        };
        assert!(
            e.to_string()
                .contains("did you mean \"load.correctness.unique-username\""),
            "{e}"
        );
    }
}
