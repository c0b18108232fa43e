//! `scimtest load`: goose scenarios of the SCIM provisioning path (stub; the lead owns this file).

pub mod scenario;
