//! The correctness checks as entries of the one check catalogue: id, title, RFC section, level,
//! the provider fault that makes each fail, the fix hint and the RFC sentence behind its level.
//! `scimtest check --list` and docs/checks.md list them (they run under `scimtest load`).

use crate::provider::Fault;
use crate::report::catalogue::{CheckMeta, Entry, Level, Quote, RunsUnder};

/// `unique-username`.
pub const UNIQUE_USERNAME: CheckMeta = CheckMeta {
    id: "load.correctness.unique-username",
    title: "concurrent POSTs of one userName give exactly one 201 and 409 uniqueness for the rest",
    rfc: "RFC 7644 §3.3",
    level: Level::Must,
    area: "load",
    fault: Fault::NoUniqueness.name(),
    hint: "enforce userName uniqueness atomically (a unique index on the case-folded userName, \
           or check and insert under one lock/transaction) and answer 409 with scimType \
           \"uniqueness\" to the losers",
    quote: Quote {
        rfc: "RFC 7644 §3.3",
        text: "If the service provider determines that the creation of the requested resource \
               conflicts with existing resources (e.g., a \"User\" resource with a duplicate \
               \"userName\"), the service provider MUST return HTTP status code 409 (Conflict) \
               with a \"scimType\" error code of \"uniqueness\", as per Section 3.12.",
    },
};

/// `read-your-write`: interoperability advice (IdPs read back right after writing); HTTP says
/// a successful write suggests, not guarantees, that the next GET shows it.
pub const READ_YOUR_WRITE: CheckMeta = CheckMeta {
    id: "load.correctness.read-your-write",
    title: "a PATCH or PUT that answered 2xx is visible to the next GET of the resource",
    rfc: "RFC 7644 §3.5.1, §3.5.2",
    level: Level::Advice,
    area: "load",
    fault: Fault::StaleReads.name(),
    hint: "serve GET by id from the primary (or a cache invalidated on write) so a client that \
           just wrote sees its write; IdPs read back right after writing (Okta GET-then-PUT)",
    quote: Quote {
        rfc: "RFC 7231 §4.3.4",
        text: "A successful PUT of a given representation would suggest that a subsequent GET on \
               that same target resource will result in an equivalent representation being sent \
               in a 200 (OK) response.",
    },
};

/// `concurrent-member-adds`.
pub const CONCURRENT_MEMBER_ADDS: CheckMeta = CheckMeta {
    id: "load.correctness.concurrent-member-adds",
    title: "concurrent member add and remove PATCHes on one group lose no update",
    rfc: "RFC 7644 §3.5.2.1, §3.5.2.2",
    level: Level::Must,
    area: "load",
    fault: Fault::LostMemberUpdates.name(),
    hint: "apply a group PATCH as one atomic read-modify-write (row lock, SELECT … FOR UPDATE, \
           or a membership table written per member), or answer 409/412 to the loser instead \
           of overwriting",
    quote: Quote {
        rfc: "RFC 5789 §2; RFC 7644 §3.5.2.1, §3.5.2.2",
        text: "[RFC 5789 §2] The server MUST apply the entire set of changes atomically and never \
               provide (e.g., in response to a GET during this operation) a partially modified \
               representation. [RFC 7644 §3.5.2.1] If the target location specifies a \
               multi-valued attribute, a new value is added to the attribute. [RFC 7644 \
               §3.5.2.2] If the target location is a complex multi-valued attribute and a \
               complex filter is specified based on the attribute's sub-attributes, the \
               matching records are removed.",
    },
};

/// `no-leftovers`.
pub const NO_LEFTOVERS: CheckMeta = CheckMeta {
    id: "load.correctness.no-leftovers",
    title: "resources deleted after the load checks are gone: 404 by id, absent from filters",
    rfc: "RFC 7644 §3.6",
    level: Level::Must,
    area: "load",
    fault: Fault::DeleteIgnored.name(),
    hint: "a DELETE that answered 2xx must remove the resource: later GETs answer 404 and \
           queries omit it (soft-deleted rows must be filtered out)",
    quote: Quote {
        rfc: "RFC 7644 §3.6",
        text: "Service providers MAY choose not to permanently delete the resource but MUST \
               return a 404 (Not Found) error code for all operations associated with the \
               previously deleted resource. Service providers MUST omit the resource from future \
               query results.",
    },
};

/// Every check, in run order.
pub const CHECKS: [CheckMeta; 4] = [
    UNIQUE_USERNAME,
    READ_YOUR_WRITE,
    CONCURRENT_MEMBER_ADDS,
    NO_LEFTOVERS,
];

/// The checks as entries of the one catalogue (they run under `scimtest load`).
pub fn entries() -> Vec<Entry> {
    CHECKS
        .iter()
        .map(|m| Entry {
            meta: *m,
            requires: Vec::new(),
            runs_under: RunsUnder::Load,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::catalogue::carries_keyword;
    use std::collections::BTreeSet;

    #[test]
    fn catalogue_ids_are_unique_and_well_formed() {
        let mut ids = BTreeSet::new();
        for c in CHECKS {
            assert!(c.id.starts_with("load.correctness."), "{}", c.id);
            assert!(
                c.id.chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch == '.' || ch == '-')
            );
            assert_eq!(c.area, "load", "{}", c.id);
            assert!(c.rfc.starts_with("RFC 7644 §"), "{}", c.rfc);
            assert!(ids.insert(c.id), "duplicate {}", c.id);
            assert!(
                crate::provider::Fault::all()
                    .iter()
                    .any(|f| f.name() == c.fault),
                "{} names unknown fault {}",
                c.id,
                c.fault
            );
        }
    }

    #[test]
    fn every_check_quotes_the_sentence_that_carries_its_level() {
        for c in CHECKS {
            assert!(
                c.quote.rfc.starts_with("RFC ") && c.quote.rfc.contains('§'),
                "{}: {}",
                c.id,
                c.quote.rfc
            );
            assert!(!c.quote.text.is_empty(), "{}: empty quote", c.id);
            assert!(
                carries_keyword(c.level, c.quote.text),
                "{} is {} but its quote has no such keyword: {}",
                c.id,
                c.level.as_str(),
                c.quote.text
            );
        }
    }
}
