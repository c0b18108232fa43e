//! The RFC sentence behind every conformance check: the one that carries the keyword of its
//! level (MUST, SHALL, REQUIRED → must; SHOULD, RECOMMENDED → should; MAY, OPTIONAL → may).
//! Interoperability advice and IdP dialect checks quote the closest RFC text, which shows that no
//! keyword binds the server. `--list`, docs/checks.md and every report read it from here; a unit
//! test keeps each quote's keyword in step with its check's level. A bracketed `[RFC n §x]`
//! inside a quote names the source of the sentence that follows it; "…" marks omitted text.
//! One file per group of areas, in catalogue order.

mod protocol;
mod query;
mod resources;
mod write;

/// Every `(check id, RFC section of the quoted sentence, the sentence)`, in catalogue order.
pub fn all() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    [
        resources::QUOTES,
        query::QUOTES,
        write::QUOTES,
        protocol::QUOTES,
    ]
    .into_iter()
    .flatten()
}

/// The RFC section and sentence behind check `id`.
pub fn quote(id: &str) -> Option<(&'static str, &'static str)> {
    all()
        .find(|(i, _, _)| *i == id)
        .map(|(_, rfc, text)| (*rfc, *text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::catalogue;
    use crate::report::catalogue::carries_keyword;
    use std::collections::HashSet;

    #[test]
    fn every_check_quotes_the_sentence_that_carries_its_level() {
        let mut seen = HashSet::new();
        for (id, rfc, text) in all() {
            assert!(seen.insert(*id), "{id} quoted twice");
            assert!(rfc.starts_with("RFC ") && rfc.contains('§'), "{id}: {rfc}");
            assert!(!text.is_empty(), "{id}: empty quote");
        }
        for c in catalogue::all() {
            let Some((_, text)) = quote(c.id) else {
                panic!("{} has no RFC quote in conformance/quotes/", c.id);
            };
            assert!(
                carries_keyword(c.level, text),
                "{} is {} but its quote has no such keyword: {text}",
                c.id,
                c.level.as_str()
            );
        }
        let ids: HashSet<&str> = catalogue::all().iter().map(|c| c.id).collect();
        for (id, _, _) in all() {
            assert!(ids.contains(id), "quote for {id}, which is no check");
        }
    }
}
