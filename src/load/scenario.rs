//! TEMPORARY stub (replaced by the scenario module from branch ld-scenario).

use serde::{Deserialize, Serialize};

/// One SCIM operation of a load scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Op {
    /// POST /Users.
    CreateUser,
    /// GET /Users/{id}.
    GetUser,
    /// GET /Users?filter=userName eq.
    FilterUser,
    /// PATCH /Users/{id}.
    PatchUser,
    /// PATCH active false.
    DeactivateUser,
    /// GET then PUT.
    PutUser,
    /// DELETE /Users/{id}.
    DeleteUser,
    /// GET /Users paged.
    ListUsers,
    /// GET /Groups paged.
    ListGroups,
    /// POST /Groups.
    CreateGroup,
    /// PATCH add members.
    AddMembers,
    /// PATCH remove members.
    RemoveMembers,
    /// DELETE /Groups/{id}.
    DeleteGroup,
}

impl Op {
    /// The request name (goose metrics key, without the method).
    pub fn request_name(&self) -> &'static str {
        match self {
            Op::CreateUser => "POST /Users",
            Op::GetUser => "GET /Users/{id}",
            Op::FilterUser => "GET /Users?filter",
            Op::PatchUser => "PATCH /Users/{id}",
            Op::DeactivateUser => "PATCH /Users/{id} active",
            Op::PutUser => "PUT /Users/{id}",
            Op::DeleteUser => "DELETE /Users/{id}",
            Op::ListUsers => "GET /Users?startIndex",
            Op::ListGroups => "GET /Groups?startIndex",
            Op::CreateGroup => "POST /Groups",
            Op::AddMembers => "PATCH /Groups/{id} add",
            Op::RemoveMembers => "PATCH /Groups/{id} remove",
            Op::DeleteGroup => "DELETE /Groups/{id}",
        }
    }
}
