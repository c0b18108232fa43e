//! The provider's extension points: typed hooks the clean code calls at fixed places (request
//! rewrites and short-circuits, response rewrites, a filter rewrite) and `Semantics`, the
//! behaviour switches the store and the operations consult. The default, `Standard`, changes
//! nothing; another implementation can bend the provider without the clean code naming it.

use crate::provider::config::Limits;
use crate::provider::service::{Projection, Reply};
use crate::provider::store::Kind;
use crate::scim::filter::Filter;
use crate::scim::patch::PatchRequest;
use crate::scim::query::{ListQuery, SortOrder};
use crate::scim::registry::ResourceSchema;
use crate::scim::{AttrPath, ScimError, ScimResult};
use axum::http::{HeaderMap, Uri};
use bytes::Bytes;
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::Duration;

/// A discovery document about to be served.
#[derive(Debug, Clone, Copy)]
pub enum Discovery<'a> {
    /// The ServiceProviderConfig (rewritten once, when the provider starts).
    ServiceProviderConfig,
    /// `/Schemas` (`None`) or `/Schemas/{id}`.
    Schemas(Option<&'a str>),
    /// `/ResourceTypes` (`None`) or `/ResourceTypes/{id}`.
    ResourceTypes(Option<&'a str>),
}

/// A write operation, for the hooks that see several.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// POST.
    Create,
    /// PUT.
    Replace,
    /// PATCH.
    Patch,
}

/// Where a client error arose, for [`Hooks::tolerate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The PatchOp envelope could not be read.
    PatchEnvelope,
    /// A PATCH operation could not be applied.
    PatchApply,
    /// The `filter` of a list could not be parsed or validated.
    Filter,
}

/// How a stored resource's ETag and `meta.version` are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EtagRule {
    /// `W/"{version}"`, changing with every write.
    Versioned,
    /// The same tag for every version.
    Constant(&'static str),
    /// No ETag header and no `meta.version`.
    Off,
}

/// How uniqueness keys are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uniqueness {
    /// Folded by the attribute's `caseExact` (RFC 7643 §2.1): the indexed lookup applies.
    AsDeclared,
    /// Compared as written, whatever `caseExact` says.
    AsWritten,
    /// Not enforced.
    Off,
}

/// What `/Me` does for a token bound to no user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeUnbound {
    /// 501 Not Implemented (RFC 7644 §3.11).
    NotImplemented,
    /// 404, as if `/Me` were no endpoint.
    NotFound,
    /// The tenant's first user.
    FirstUser,
}

/// The behaviour switches the clean code consults, fixed when the provider starts.
#[derive(Debug, Clone)]
pub struct Semantics {
    /// A request needs a valid bearer token.
    pub require_token: bool,
    /// Each token opens its own tenant (otherwise every valid token opens the first).
    pub isolate_tenants: bool,
    /// `meta.location`, `$ref` and `Location` are path-absolute (`/scim/v2/...`).
    pub path_absolute_locations: bool,
    /// ETags and `meta.version`.
    pub etags: EtagRule,
    /// `User.groups` is computed from the groups' members.
    pub user_groups: bool,
    /// The stored password is returned with the user.
    pub return_password: bool,
    /// `attributes` applies to single-resource responses (GET by id, POST/PUT/PATCH).
    pub attributes_on_resources: bool,
    /// How uniqueness keys compare.
    pub uniqueness: Uniqueness,
    /// Group members' `$ref` and `type` name the other resource type.
    pub member_types_swapped: bool,
    /// Group members whose `value` is no existing resource are stored as sent.
    pub allow_unknown_members: bool,
    /// A client-supplied `id` and `meta.created` are stored.
    pub honour_client_id: bool,
    /// An unknown id answers 200 `{}` instead of 404.
    pub missing_answers_empty: bool,
    /// `If-Match` is compared with the current version.
    pub honour_if_match: bool,
    /// `If-None-Match` is compared with the current version.
    pub honour_if_none_match: bool,
    /// For this long after a write, GET by id serves the version the write replaced.
    pub read_lag: Option<Duration>,
    /// PUT stores the new representation.
    pub replace_applies: bool,
    /// PATCH stores its result.
    pub patch_applies: bool,
    /// A write that changes nothing still takes a new version.
    pub noop_writes_bump_version: bool,
    /// DELETE removes the resource.
    pub delete_removes: bool,
    /// DELETE answers 200 with the deleted resource.
    pub delete_returns_body: bool,
    /// Deleting a resource removes it from its groups' members.
    pub delete_cascades_members: bool,
    /// Lists honour `startIndex` and `count`.
    pub paging: bool,
    /// Added to `startIndex` before paging.
    pub start_index_shift: usize,
    /// A `cursor` this provider did not issue is refused with 400 `invalidCursor` (RFC 9865
    /// §2.1); off, it starts the query from its first page.
    pub refuse_unknown_cursors: bool,
    /// `/Me` for a token bound to no user.
    pub me_unbound: MeUnbound,
    /// The `Content-Type` of every response with a body.
    pub media_type: &'static str,
    /// 401 responses carry `WWW-Authenticate`.
    pub www_authenticate: bool,
    /// `POST .search` reads its SearchRequest.
    pub search_reads_request: bool,
    /// Most bytes a Bulk request body may have.
    pub bulk_read_limit: usize,
    /// Bulk POST operations need a `bulkId`.
    pub bulk_post_needs_bulk_id: bool,
    /// Bulk `maxOperations` is enforced.
    pub bulk_max_operations_enforced: bool,
    /// Bulk `failOnErrors` is honoured.
    pub bulk_honours_fail_on_errors: bool,
    /// Without `failOnErrors`, Bulk stops at the first error.
    pub bulk_stops_at_first_error: bool,
    /// `bulkId:` references are resolved.
    pub bulk_resolves_ids: bool,
    /// Discovery endpoints refuse `filter` with 403.
    pub discovery_refuses_filter: bool,
    /// Writes to discovery endpoints answer 404 (405 otherwise).
    pub discovery_write_not_found: bool,
    /// A group PATCH reads the group, waits this long without the lock, then writes.
    pub unlocked_group_patch: Option<Duration>,
    /// The Group resource type is served: `/Groups` (and Bulk operations on it), the root
    /// `.search` over groups, and the Group resource type and schema in discovery. Off, groups
    /// are no endpoint (404) and discovery omits them (RFC 7643 §6: resource types are the
    /// server's choice).
    pub groups: bool,
    /// A PATCH that only adds or removes group members by `value` changes the stored member
    /// index in place (work in proportion to the members it carries), and a response that leaves
    /// `members` out never serialises them. Off, every PATCH goes the general way: the whole
    /// resource patched, validated again and stored. The outcome is the same; the hooks that
    /// rewrite a patched resource or a projection need the general way.
    pub member_fast_path: bool,
}

impl Semantics {
    /// RFC 7643/7644 behaviour under `limits`.
    pub fn standard(limits: &Limits) -> Semantics {
        Semantics {
            require_token: true,
            isolate_tenants: true,
            path_absolute_locations: false,
            etags: EtagRule::Versioned,
            user_groups: true,
            return_password: false,
            attributes_on_resources: true,
            uniqueness: Uniqueness::AsDeclared,
            member_types_swapped: false,
            allow_unknown_members: false,
            honour_client_id: false,
            missing_answers_empty: false,
            honour_if_match: true,
            honour_if_none_match: true,
            read_lag: None,
            replace_applies: true,
            patch_applies: true,
            noop_writes_bump_version: false,
            delete_removes: true,
            delete_returns_body: false,
            delete_cascades_members: true,
            paging: true,
            start_index_shift: 0,
            refuse_unknown_cursors: true,
            me_unbound: MeUnbound::NotImplemented,
            media_type: crate::provider::http::SCIM_JSON,
            www_authenticate: true,
            search_reads_request: true,
            bulk_read_limit: limits.bulk_max_payload_bytes,
            bulk_post_needs_bulk_id: true,
            bulk_max_operations_enforced: true,
            bulk_honours_fail_on_errors: true,
            bulk_stops_at_first_error: false,
            bulk_resolves_ids: true,
            discovery_refuses_filter: true,
            discovery_write_not_found: false,
            unlocked_group_patch: None,
            groups: true,
            member_fast_path: true,
        }
    }
}

/// The extension points. Every method has a default that changes nothing.
#[expect(
    unused_variables,
    reason = "the defaults ignore their inputs; other implementations use them"
)]
pub trait Hooks: std::fmt::Debug + Send + Sync {
    /// The behaviour switches, computed once when the provider starts.
    fn semantics(&self, limits: &Limits) -> Semantics {
        Semantics::standard(limits)
    }
    /// A line for the start-up banner, when there is something to say.
    fn banner(&self) -> Option<String> {
        None
    }

    // ----- HTTP: requests ----------------------------------------------------------------

    /// Whether the request's body must be buffered for [`Hooks::screen_body`].
    fn buffers_request(&self, uri: &Uri) -> bool {
        false
    }
    /// A refusal of a buffered request, from its query and body.
    fn screen_body(&self, uri: &Uri, body: &[u8]) -> Option<ScimError> {
        None
    }
    /// A refusal from the request's headers and query, after authentication.
    fn screen_headers(&self, uri: &Uri, headers: &HeaderMap) -> ScimResult<()> {
        Ok(())
    }
    /// A refusal of a collection GET from its query.
    fn screen_list(&self, uri: &Uri) -> ScimResult<()> {
        Ok(())
    }
    /// A rewrite or refusal of a collection POST body.
    fn post_body(&self, body: &mut Value) -> ScimResult<()> {
        Ok(())
    }
    /// Whether `POST /{type}/.search` with this body creates a resource instead of searching.
    fn search_creates(&self, body: &Value) -> bool {
        false
    }

    // ----- HTTP: responses ---------------------------------------------------------------

    /// A rewrite of a successful JSON body.
    fn response_body(&self, body: Bytes) -> Bytes {
        body
    }
    /// A rewrite of an RFC 7644 §3.12 error body.
    fn error_body(&self, e: &ScimError, body: &mut Value) {}

    // ----- discovery -----------------------------------------------------------------------

    /// A rewrite (or refusal) of a discovery document.
    fn discovery(&self, doc: Discovery<'_>, body: &mut Value) -> ScimResult<()> {
        Ok(())
    }

    // ----- resources -----------------------------------------------------------------------

    /// A rewrite of the projection asked for on GET by id.
    fn read_projection(&self, kind: Kind, proj: &Projection) -> Option<Projection> {
        None
    }
    /// A rewrite of a projection before it is applied to `v`.
    fn project(&self, v: &Value, proj: &Projection) -> Option<Projection> {
        None
    }
    /// A rewrite of a projected resource (`proj` as applied).
    fn projected(&self, proj: &Projection, out: &mut Value) {}
    /// A rewrite (`Some`) or refusal of a POST body before it is validated.
    fn create_body(
        &self,
        kind: Kind,
        schema: &ResourceSchema<'_>,
        body: &Value,
    ) -> ScimResult<Option<Value>> {
        Ok(None)
    }
    /// A refusal of a PUT from the stored and the new content.
    fn screen_replace(&self, old: &Map<String, Value>, new: &Map<String, Value>) -> ScimResult<()> {
        Ok(())
    }
    /// A rewrite of the content a PUT or PATCH is about to store.
    fn before_write(
        &self,
        op: Op,
        old: &Value,
        old_map: &Map<String, Value>,
        new: &mut Map<String, Value>,
    ) {
    }
    /// A rewrite of a successful write's answer.
    fn reply(&self, op: Op, reply: &mut Reply) {}

    // ----- PATCH -------------------------------------------------------------------------------

    /// A refusal of a PATCH body before it is read.
    fn screen_patch(&self, body: &Value) -> ScimResult<()> {
        Ok(())
    }
    /// A rewrite or refusal of a read PatchOp request.
    fn patch_request(&self, req: &mut PatchRequest) -> ScimResult<()> {
        Ok(())
    }
    /// A rewrite of a PATCH's operations once the resource is found; returns ids of groups the
    /// patched user is to be added to.
    fn patch_operations(&self, kind: Kind, req: &mut PatchRequest) -> Vec<String> {
        Vec::new()
    }
    /// Requests to try, in order, when a PATCH fails: the first that applies is stored.
    fn partial_patches(&self, req: &PatchRequest) -> Vec<PatchRequest> {
        Vec::new()
    }
    /// A rewrite of a PATCH's result before it is stored.
    fn patched(&self, req: &PatchRequest, resource: &mut Value) {}
    /// Whether a client error is answered 200 with the unchanged resource (or an empty list).
    fn tolerate(&self, stage: Stage, e: &ScimError) -> bool {
        false
    }

    // ----- lists -------------------------------------------------------------------------------

    /// A rewrite of a list's query.
    fn list_query(&self, q: &ListQuery) -> Option<ListQuery> {
        None
    }
    /// How long a collection GET (`GET /{type}`, with or without a filter; not GET by id, not
    /// `.search`) waits before it is answered.
    fn list_delay(&self, kind: Kind) -> Option<Duration> {
        None
    }
    /// A refusal of a list's query, once its filter and sort are read.
    fn screen_list_query(&self, q: &ListQuery, limits: &Limits) -> ScimResult<()> {
        Ok(())
    }
    /// A refusal of a filter's text before it is parsed.
    fn screen_filter(&self, text: &str) -> ScimResult<()> {
        Ok(())
    }
    /// A rewrite of a parsed filter.
    fn filter(&self, f: Filter) -> Filter {
        f
    }
    /// A further condition a resource must meet to match `f`.
    fn also_matches(&self, f: &Filter, v: &Value) -> bool {
        true
    }
    /// A rewrite of the order of sorted resources.
    fn sorted(
        &self,
        values: &mut [Value],
        by: &AttrPath,
        order: SortOrder,
        schema: &ResourceSchema<'_>,
    ) {
    }
    /// A refusal of a list by its number of matches.
    fn screen_total(&self, total: usize, filtered: bool) -> ScimResult<()> {
        Ok(())
    }
    /// A rewrite of a ListResponse (`q` as the client sent it).
    fn list_body(&self, q: &ListQuery, body: &mut Value) {}
}

/// The provider as the RFCs describe it: every hook a no-op.
#[derive(Debug, Clone, Copy, Default)]
pub struct Standard;

impl Hooks for Standard {}

/// The default hooks.
pub fn standard() -> Arc<dyn Hooks> {
    Arc::new(Standard)
}
