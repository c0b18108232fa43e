//! `scimtest certify`: would this SCIM service pass the vendors' own reviews (the Microsoft
//! Entra app gallery, the Okta Integration Network)? Each vendor test is data; probes (checks
//! run by the conformance runner, with the vendor's own pass criteria) predict it; the vendor's
//! rule makes the overall answer. Above `conformance/`, `replay/` and `load/`, whose checks,
//! flows and thresholds the verdicts cite.

pub mod configured;
pub mod entra;
pub mod judge;
pub mod mapping;
pub mod okta;
pub mod probe;

use crate::conformance::model::Check;

/// A vendor programme `certify --for` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Program {
    /// The Microsoft Entra app gallery.
    EntraGallery,
    /// The Okta Integration Network.
    OktaOin,
}

impl Program {
    /// Every programme.
    pub const ALL: [Program; 2] = [Program::EntraGallery, Program::OktaOin];

    /// `entra-gallery`, `okta-oin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Program::EntraGallery => "entra-gallery",
            Program::OktaOin => "okta-oin",
        }
    }

    /// The probes this programme runs.
    pub fn probes(self) -> Vec<Check> {
        match self {
            Program::EntraGallery => entra::probes(),
            Program::OktaOin => okta::probes(),
        }
    }
}
