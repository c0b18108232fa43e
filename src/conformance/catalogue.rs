//! The conformance catalogue: every check `scimtest check` runs, in a stable order (area by
//! area), and each as an entry of the one catalogue (`crate::catalogue`, which adds load's
//! correctness checks). The runner, the reports and the fault-coverage test read this list.

use crate::conformance::checks;
use crate::conformance::model::{Check, Proof};
use crate::conformance::quotes;
use crate::report::catalogue::{CheckMeta, Entry, Quote, RunsUnder};

/// Every check, in catalogue order.
pub fn all() -> Vec<Check> {
    let mut v = Vec::new();
    v.extend(checks::discovery::checks());
    v.extend(checks::users::checks());
    v.extend(checks::messages::checks());
    // groups and /Me:
    v.extend(checks::groups::checks());
    v.extend(checks::me::checks());

    // filter, pagination and sort:
    v.extend(checks::filter::checks());
    v.extend(checks::pagination::checks());
    v.extend(checks::cursor::checks());
    v.extend(checks::sort::checks());

    // attributes and PATCH:
    v.extend(checks::attributes::checks());
    v.extend(checks::patch::checks());

    // ETag, Bulk, search, errors and schema sweep:
    v.extend(checks::transport::checks());
    v.extend(checks::errors::checks());
    v.extend(checks::etag::checks());
    v.extend(checks::bulk::checks());
    v.extend(checks::search::checks());
    v.extend(checks::schema::checks());

    // tenant isolation (with --second-token):
    v.extend(checks::isolation::checks());

    v
}

/// What `c` is, as the one catalogue lists it (the quote from `conformance/quotes/`).
pub fn meta(c: &Check) -> CheckMeta {
    let (rfc, text) = quotes::quote(c.id).unwrap_or_default();
    CheckMeta {
        id: c.id,
        title: c.title,
        rfc: c.rfc,
        level: c.level,
        area: c.area,
        // No check is proven by a wiremock double (the fault-coverage test refuses one).
        fault: match c.proof {
            Proof::Fault(f) => f.name(),
        },
        hint: c.hint,
        quote: Quote { rfc, text },
    }
}

/// `checks` as entries of the one catalogue (they run under `scimtest check`).
pub fn entries(checks: &[Check]) -> Vec<Entry> {
    checks
        .iter()
        .map(|c| Entry {
            meta: meta(c),
            requires: c.requires.iter().map(|r| r.name()).collect(),
            runs_under: RunsUnder::Check,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for c in all() {
            assert!(seen.insert(c.id), "duplicate id {}", c.id);
            assert!(
                c.id.split('.').count() >= 2
                    && c.id.chars().all(|ch| ch.is_ascii_lowercase()
                        || ch.is_ascii_digit()
                        || ch == '.'
                        || ch == '-'),
                "malformed id {}",
                c.id
            );
            assert!(c.rfc.starts_with("RFC "), "{}: rfc {:?}", c.id, c.rfc);
            assert!(c.rfc.contains('§'), "{}: rfc without a section", c.id);
            assert!(!c.title.is_empty() && !c.hint.is_empty(), "{}", c.id);
        }
    }
}
