//! A check is data plus one async function: a stable dotted id, a title, the RFC section, a
//! level, the area, the capabilities it needs, the proof that it can fail (a provider fault),
//! a fix hint, and `run`. The catalogue is a list of these values.

use crate::conformance::context::Ctx;
use crate::provider::fault::Fault;
pub use crate::report::model::{Level, Outcome};
use futures::future::BoxFuture;

/// Optional features a check may need, read from the ServiceProviderConfig and ResourceTypes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    /// `patch.supported`.
    Patch,
    /// `bulk.supported`.
    Bulk,
    /// `sort.supported`.
    Sort,
    /// `etag.supported`.
    Etag,
    /// `filter.supported`.
    Filter,
    /// A Group resource type.
    Groups,
    /// The EnterpriseUser extension on User.
    EnterpriseUser,
    /// A second tenant's credential (`check --second-token`).
    SecondTenant,
    /// RFC 9865 §4 `pagination.cursor`: cursor-based pagination.
    Cursor,
}

impl Capability {
    /// The name used in reasons (`patch`, `bulk`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Capability::Patch => "patch",
            Capability::Bulk => "bulk",
            Capability::Sort => "sort",
            Capability::Etag => "etag",
            Capability::Filter => "filter",
            Capability::Groups => "groups",
            Capability::EnterpriseUser => "enterpriseUser",
            Capability::SecondTenant => "second-token",
            Capability::Cursor => "pagination.cursor",
        }
    }
}

/// How a check is shown to be able to fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    /// `scimtest serve --fault NAME` makes it fail.
    Fault(Fault),
}

/// A verdict other than Pass, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Fail, Error or Skip.
    pub outcome: Outcome,
    /// What was expected and what came back.
    pub reason: String,
}

impl Finding {
    /// The target broke the requirement.
    pub fn fail(reason: impl Into<String>) -> Finding {
        Finding {
            outcome: Outcome::Fail,
            reason: reason.into(),
        }
    }
    /// No verdict could be reached.
    pub fn error(reason: impl Into<String>) -> Finding {
        Finding {
            outcome: Outcome::Error,
            reason: reason.into(),
        }
    }
    /// The check does not apply.
    pub fn skip(reason: impl Into<String>) -> Finding {
        Finding {
            outcome: Outcome::Skip,
            reason: reason.into(),
        }
    }
}

/// What a check function returns: `Ok(())` is a pass.
pub type CheckResult = Result<(), Finding>;

/// The check function.
pub type CheckFn = for<'a> fn(&'a Ctx) -> BoxFuture<'a, CheckResult>;

/// One check of the catalogue.
#[derive(Clone, Copy)]
pub struct Check {
    /// Stable dotted id (`users.create.status-201`); never reused.
    pub id: &'static str,
    /// One-line title.
    pub title: &'static str,
    /// RFC section, e.g. `RFC 7644 §3.3`.
    pub rfc: &'static str,
    /// Level.
    pub level: Level,
    /// Area (the first segment of the id).
    pub area: &'static str,
    /// Capabilities the check needs; it is skipped when the target does not advertise them.
    pub requires: &'static [Capability],
    /// How the check is shown to fail.
    pub proof: Proof,
    /// How to fix a target that fails it.
    pub hint: &'static str,
    /// The function.
    pub run: CheckFn,
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Check").field("id", &self.id).finish()
    }
}

/// Declare a check: `check!(fn_path, "id", "title", "RFC 7644 §3.3", Must, [Patch], fault NoLocation, "hint")`
/// (the fault is a [`Fault`] variant, so the compiler checks its name).
#[macro_export]
macro_rules! check {
    ($f:path, $id:literal, $title:literal, $rfc:literal, $level:ident, [$($cap:ident),*], fault $fault:ident, $hint:literal) => {
        $crate::check!(@make $f, $id, $title, $rfc, $level, [$($cap),*], $crate::conformance::model::Proof::Fault($crate::provider::fault::Fault::$fault), $hint)
    };
    (@make $f:path, $id:literal, $title:literal, $rfc:literal, $level:ident, [$($cap:ident),*], $proof:expr, $hint:literal) => {{
        fn run(c: &$crate::conformance::context::Ctx) -> futures::future::BoxFuture<'_, $crate::conformance::model::CheckResult> {
            Box::pin($f(c))
        }
        $crate::conformance::model::Check {
            id: $id,
            title: $title,
            rfc: $rfc,
            level: $crate::conformance::model::Level::$level,
            area: match $id.split_once('.') { Some((a, _)) => a, None => $id },
            requires: &[$($crate::conformance::model::Capability::$cap),*],
            proof: $proof,
            hint: $hint,
            run,
        }
    }};
}
