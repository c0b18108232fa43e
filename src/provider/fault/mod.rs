//! Deliberate non-conformances the provider can switch on (`scimtest serve --fault NAME`), so that
//! every conformance check and replay verdict can be shown to fail against a broken target.
//! Each fault breaks exactly one rule and names it. `table.rs` names and describes every fault
//! (the one place to add one); `hooks.rs` turns a set of faults into the provider's hooks
//! (`crate::provider::hooks`) and behaviour switches; `rewrite.rs` holds the rewrites they make.
//! Nothing outside this folder in `src/provider/` names a fault.

mod hooks;
mod rewrite;
mod table;

pub use hooks::SLOW_GROUPS_LIST;
pub use table::{Class, Fault, Row, TABLE};

use std::collections::HashSet;

/// The set of faults switched on.
#[derive(Debug, Clone, Default)]
pub struct Faults(HashSet<Fault>);

impl Faults {
    /// A set from a list.
    pub fn new(list: impl IntoIterator<Item = Fault>) -> Self {
        Faults(list.into_iter().collect())
    }
    /// Whether `f` is on.
    pub fn has(&self, f: Fault) -> bool {
        !self.0.is_empty() && self.0.contains(&f)
    }
    /// Whether no fault is on.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The faults switched on, sorted by name.
    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.0.iter().map(|f| f.name().to_string()).collect();
        v.sort();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn each_row_is_its_variant_in_order() {
        assert_eq!(TABLE.len(), Fault::all().len());
        for (i, (row, f)) in TABLE.iter().zip(Fault::all()).enumerate() {
            assert_eq!(row.fault, *f, "row {i}");
            assert_eq!(*f as usize, i, "{:?} is not row {i}", f);
            assert_eq!(f.row().fault, *f, "{f:?}");
            assert_eq!(f.row().name, row.name, "{f:?}");
        }
    }

    #[test]
    fn names_are_unique_kebab_case_and_round_trip() {
        let mut names = HashSet::new();
        for f in Fault::all() {
            let n = f.name();
            assert!(names.insert(n), "duplicate name {n}");
            assert!(
                !n.is_empty()
                    && !n.starts_with('-')
                    && !n.ends_with('-')
                    && !n.contains("--")
                    && n.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{n} is not kebab-case"
            );
            assert_eq!(Fault::named(n), Some(*f), "{n}");
            assert_eq!(Fault::from_str(n, false).ok(), Some(*f), "clap parses {n}");
            let pv = f.to_possible_value();
            assert_eq!(pv.as_ref().map(|v| v.get_name()), Some(n));
            let help = pv.and_then(|v| v.get_help().map(ToString::to_string));
            assert_eq!(help.as_deref(), Some(f.describe()), "{n}");
        }
        assert_eq!(Fault::named("patch-ignore"), None);
        assert_eq!(Fault::PatchIgnored.name(), "patch-ignored");
        assert_eq!(Fault::FilterMiss404.name(), "filter-miss-404");
    }

    #[test]
    fn descriptions_are_one_line_and_say_what_breaks() {
        for f in Fault::all() {
            let d = f.describe();
            assert!(!d.trim().is_empty(), "{} has no description", f.name());
            assert!(!d.contains('\n'), "{} spans lines", f.name());
            assert_eq!(
                f.is_allowed_variant(),
                d.contains("allowed variant"),
                "{}: the description and the class disagree",
                f.name()
            );
        }
    }

    #[test]
    fn the_set_answers_for_its_members_only() {
        let s = Faults::new([Fault::NoEtag, Fault::Create200]);
        assert!(s.has(Fault::NoEtag) && s.has(Fault::Create200));
        assert!(!s.has(Fault::PatchIgnored));
        assert_eq!(s.names(), vec!["create-200", "no-etag"]);
        assert!(Faults::default().is_empty() && !Faults::default().has(Fault::NoEtag));
    }
}
