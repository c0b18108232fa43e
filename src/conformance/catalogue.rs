//! The catalogue: every check, in a stable order (area by area). `--list`, the runner, the
//! reports and the fault-coverage test all read this one list.

use crate::conformance::checks;
use crate::conformance::model::Check;

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

/// The catalogue's release, bumped by hand whenever a check is added, removed, renamed or
/// changes level or RFC section (the `pinned_fingerprint` test says when).
pub const VERSION: &str = "2026.12.1";

/// FNV-1a (64-bit) over every check's id, level and RFC section, in catalogue order: changes
/// whenever what a run means changes, not when a title's wording does.
pub fn fingerprint() -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for c in all() {
        for part in [c.id, c.level.as_str(), c.rfc] {
            for b in part.bytes().chain([0u8]) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
    }
    format!("{:08x}", h >> 32)
}

/// `<VERSION>+<number of checks>.<fingerprint>`, recorded in report.json and on the
/// certificate: two runs with the same value ran the same catalogue.
pub fn version() -> String {
    format!("{VERSION}+{}.{}", all().len(), fingerprint())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// The fingerprint of the catalogue as released under [`VERSION`]. When this test fails,
    /// the catalogue changed: bump `VERSION` and pin the new fingerprint.
    const PINNED: (&str, &str) = ("2026.12.1", "953b6227");

    #[test]
    fn pinned_fingerprint() {
        assert_eq!(
            (VERSION, fingerprint().as_str()),
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
