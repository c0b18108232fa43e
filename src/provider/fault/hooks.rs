//! The faults as provider hooks: each switched-on fault becomes a behaviour switch in
//! `Semantics` or a rewrite at one of the typed hook points; the rewrites themselves live in
//! `rewrite.rs`.

use super::rewrite;
use super::{Fault, Faults};
use crate::provider::config::Limits;
use crate::provider::hooks::{
    Discovery, EtagRule, Hooks, MeUnbound, Op, Semantics, Stage, Uniqueness,
};
use crate::provider::service::{Projection, Reply, STALE_WINDOW};
use crate::provider::store::Kind;
use crate::scim::error::ScimType;
use crate::scim::filter::Filter;
use crate::scim::patch::{self, PatchRequest};
use crate::scim::query::{self, ListQuery, SortOrder};
use crate::scim::registry::ResourceSchema;
use crate::scim::{AttrPath, ScimError, ScimResult};
use axum::http::{HeaderMap, Uri, header};
use bytes::Bytes;
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// How long a group PATCH under `lost-member-updates` waits between its read and its write.
const UNLOCKED_PATCH_PAUSE: std::time::Duration = std::time::Duration::from_millis(25);

/// How long `GET /Groups` lists take under `slow-groups-list` (Okta's SPEC test allows 600 ms).
pub const SLOW_GROUPS_LIST: std::time::Duration = std::time::Duration::from_millis(700);

/// The member count `large-member-add-drops` keeps and `member-cap-100` accepts per request.
const MEMBER_CAP: usize = 100;

/// `member-cap-100`: 413 when a request carries more than [`MEMBER_CAP`] members.
fn member_cap(carried: usize) -> ScimResult<()> {
    if carried > MEMBER_CAP {
        return Err(ScimError::new(
            413,
            None,
            format!("a request may carry at most {MEMBER_CAP} group members, not {carried}"),
        ));
    }
    Ok(())
}

impl From<Faults> for Arc<dyn Hooks> {
    fn from(f: Faults) -> Self {
        f.hooks()
    }
}

impl Faults {
    /// These faults as provider hooks: the standard (no-op) hooks when none is on, so a clean
    /// provider pays for no fault lookups.
    pub fn hooks(self) -> Arc<dyn Hooks> {
        if self.is_empty() {
            return crate::provider::hooks::standard();
        }
        Arc::new(self)
    }
}

impl Hooks for Faults {
    fn semantics(&self, limits: &Limits) -> Semantics {
        let on = |f| self.has(f);
        let mut s = Semantics::standard(limits);
        if self.is_empty() {
            return s;
        }
        s.require_token = !on(Fault::AuthDisabled);
        s.isolate_tenants = !on(Fault::TenantsShared);
        s.path_absolute_locations = on(Fault::RelativeLocation);
        s.etags = if on(Fault::EtagConstant) {
            EtagRule::Constant("W/\"static\"")
        } else if on(Fault::NoEtag) {
            EtagRule::Off
        } else {
            EtagRule::Versioned
        };
        s.user_groups = !on(Fault::NoUserGroups);
        s.return_password = on(Fault::ReturnPassword);
        s.attributes_on_resources = !on(Fault::AttributesIgnored);
        s.uniqueness = if on(Fault::NoUniqueness) {
            Uniqueness::Off
        } else if on(Fault::UniquenessCaseSensitive) {
            Uniqueness::AsWritten
        } else {
            Uniqueness::AsDeclared
        };
        s.member_types_swapped = on(Fault::MemberRefWrong);
        s.allow_unknown_members = on(Fault::AcceptUnknownMembers);
        s.honour_client_id = on(Fault::HonourClientId);
        s.missing_answers_empty = on(Fault::Missing200);
        s.honour_if_match = !on(Fault::IgnoreIfMatch);
        s.honour_if_none_match = !on(Fault::IgnoreIfNoneMatch);
        s.read_lag = on(Fault::StaleReads).then_some(STALE_WINDOW);
        s.replace_applies = !on(Fault::PutIgnored);
        s.patch_applies = !on(Fault::PatchIgnored);
        s.noop_writes_bump_version = on(Fault::NoopPatchBumpsVersion);
        s.delete_removes = !on(Fault::DeleteIgnored);
        s.delete_returns_body = on(Fault::Delete200);
        s.delete_cascades_members = !on(Fault::DanglingMembers);
        s.paging = !on(Fault::PaginationIgnored);
        s.start_index_shift = usize::from(on(Fault::StartIndexZeroBased));
        s.refuse_unknown_cursors = !on(Fault::CursorNoError);
        s.me_unbound = if on(Fault::Me404) {
            MeUnbound::NotFound
        } else if on(Fault::MeOtherUser) {
            MeUnbound::FirstUser
        } else {
            MeUnbound::NotImplemented
        };
        if on(Fault::JsonContentType) {
            s.media_type = "application/json";
        }
        s.www_authenticate = !on(Fault::NoWwwAuthenticate);
        s.search_reads_request = !on(Fault::SearchIgnoresRequest);
        if on(Fault::BulkNoPayloadLimit) {
            s.bulk_read_limit = limits.bulk_max_payload_bytes.saturating_mul(16);
        }
        s.bulk_post_needs_bulk_id = !on(Fault::BulkPostWithoutBulkId);
        s.bulk_max_operations_enforced = !on(Fault::BulkNoLimit);
        s.bulk_honours_fail_on_errors = !on(Fault::BulkIgnoreFailOnErrors);
        s.bulk_stops_at_first_error = on(Fault::BulkStopOnError);
        s.bulk_resolves_ids = !on(Fault::BulkIgnoreBulkId);
        s.discovery_refuses_filter = !on(Fault::DiscoveryFilterAllowed);
        s.discovery_write_not_found = on(Fault::DiscoveryWrite404);
        s.unlocked_group_patch = on(Fault::LostMemberUpdates).then_some(UNLOCKED_PATCH_PAUSE);
        s.groups = !on(Fault::NoGroups);
        // Faults bend the general PATCH and projection paths; every group PATCH takes them.
        s.member_fast_path = false;
        s
    }

    fn banner(&self) -> Option<String> {
        (!self.is_empty()).then(|| format!("faults:   {}", self.names().join(", ")))
    }

    // ----- HTTP ------------------------------------------------------------------------------

    fn buffers_request(&self, uri: &Uri) -> bool {
        self.has(Fault::MinimalUserSchema) && uri.path().contains("/Users")
    }

    fn screen_body(&self, uri: &Uri, body: &[u8]) -> Option<ScimError> {
        rewrite::refuse_undeclared(uri, body)
    }

    fn screen_headers(&self, uri: &Uri, headers: &HeaderMap) -> ScimResult<()> {
        let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
        if self.has(Fault::CharsetRejected)
            && header(header::CONTENT_TYPE).is_some_and(|c| c.contains(';'))
        {
            return Err(ScimError::new(
                415,
                None,
                "charset parameters are not supported",
            ));
        }
        if self.has(Fault::UnknownParam400)
            && let Some((k, _)) = query::decode_query(uri.query().unwrap_or(""))?
                .into_iter()
                .find(|(k, _)| !query::PARAMS.iter().any(|n| n.eq_ignore_ascii_case(k)))
        {
            return Err(ScimError::invalid_value(format!(
                "unknown query parameter {k:?}"
            )));
        }
        if self.has(Fault::AcceptJson406)
            && header(header::ACCEPT)
                .is_some_and(|a| a.trim().eq_ignore_ascii_case("application/json"))
        {
            return Err(ScimError::new(
                406,
                None,
                "this service produces application/scim+json only",
            ));
        }
        Ok(())
    }

    fn screen_list(&self, uri: &Uri) -> ScimResult<()> {
        if self.has(Fault::StartIndexNotClamped) {
            rewrite::reject_start_below_one(uri)?;
        }
        Ok(())
    }

    fn post_body(&self, body: &mut Value) -> ScimResult<()> {
        if self.has(Fault::Malformed500) && !body.is_object() {
            return Err(ScimError::new(500, None, "internal server error"));
        }
        if self.has(Fault::Utf8Mangled) {
            rewrite::mangle_non_ascii(body, 0);
        }
        Ok(())
    }

    fn search_creates(&self, body: &Value) -> bool {
        self.has(Fault::SearchCreates)
            && !body["schemas"]
                .as_array()
                .is_some_and(|s| s.iter().any(|u| u == crate::scim::schema::SEARCH_REQUEST))
    }

    fn response_body(&self, body: Bytes) -> Bytes {
        rewrite::rewrite_body(body, self)
    }

    fn error_body(&self, e: &ScimError, body: &mut Value) {
        let Value::Object(m) = body else {
            return;
        };
        if self.has(Fault::ErrorScimTypeInvalid) && m.contains_key("scimType") {
            m.insert("scimType".into(), Value::from("invalidRequest"));
        }
        if self.has(Fault::ErrorStatusNumber) {
            m.insert("status".into(), Value::from(e.status));
        }
        if self.has(Fault::ErrorNoSchemas) {
            m.shift_remove("schemas");
        }
        if self.has(Fault::ScimTypeSparse)
            && m.get("scimType").and_then(Value::as_str).is_some_and(|t| {
                matches!(
                    t,
                    "invalidSyntax" | "invalidValue" | "invalidPath" | "sensitive"
                )
            })
        {
            m.shift_remove("scimType");
        }
    }

    // ----- discovery ---------------------------------------------------------------------------

    fn discovery(&self, doc: Discovery<'_>, body: &mut Value) -> ScimResult<()> {
        match doc {
            Discovery::ServiceProviderConfig => {
                if self.has(Fault::SpcIncomplete) {
                    rewrite::spc_incomplete(body);
                } else if self.has(Fault::SpcUnderstates) {
                    rewrite::spc_understates(body);
                }
                if self.has(Fault::CursorUnsupported)
                    && let Some(m) = body.as_object_mut()
                {
                    m.shift_remove("pagination");
                }
            }
            Discovery::Schemas(id) => {
                if self.has(Fault::SchemasIncomplete) {
                    match id {
                        Some(id) => {
                            return Err(ScimError::not_found(format!("no schema {id:?}")));
                        }
                        None => rewrite::drop_enterprise_schema(body),
                    }
                }
                if self.has(Fault::SchemaLies) {
                    match id {
                        Some(_) => rewrite::schema_lies(body),
                        None => body["Resources"]
                            .as_array_mut()
                            .into_iter()
                            .flatten()
                            .for_each(rewrite::schema_lies),
                    }
                }
            }
            Discovery::ResourceTypes(id) => {
                if self.has(Fault::ResourceTypesUnwrapped) {
                    *body = match id {
                        Some(_) => query::list_response(1, 1, vec![body.take()]),
                        None => body["Resources"].take(),
                    };
                }
            }
        }
        Ok(())
    }

    // ----- resources -------------------------------------------------------------------------

    fn read_projection(&self, kind: Kind, proj: &Projection) -> Option<Projection> {
        (self.has(Fault::GetMinimal) && proj.attributes.is_empty() && proj.excluded.is_empty())
            .then(|| Projection {
                attributes: vec![AttrPath::attr(match kind {
                    Kind::User => "userName",
                    Kind::Group => "displayName",
                })],
                excluded: Vec::new(),
            })
    }

    fn project(&self, v: &Value, proj: &Projection) -> Option<Projection> {
        let drop_excluded = self.has(Fault::ExcludedAttributesIgnored);
        let case_sensitive = self.has(Fault::AttributesCaseSensitive);
        if !(drop_excluded || case_sensitive) {
            return None;
        }
        Some(Projection {
            attributes: if case_sensitive {
                rewrite::case_sensitive_attributes(v, &proj.attributes)
            } else {
                proj.attributes.clone()
            },
            excluded: if drop_excluded {
                Vec::new()
            } else {
                proj.excluded.clone()
            },
        })
    }

    fn projected(&self, proj: &Projection, out: &mut Value) {
        if self.has(Fault::ProjectionDropsAlways) {
            let named = |l: &[AttrPath]| l.iter().any(|a| a.attr.eq_ignore_ascii_case("id"));
            if ((!proj.attributes.is_empty() && !named(&proj.attributes)) || named(&proj.excluded))
                && let Value::Object(m) = out
            {
                m.shift_remove("id");
            }
        }
    }

    fn create_body(
        &self,
        kind: Kind,
        schema: &ResourceSchema<'_>,
        body: &Value,
    ) -> ScimResult<Option<Value>> {
        if self.has(Fault::MemberCap100)
            && let Some(Value::Array(l)) = body.get("members")
        {
            member_cap(l.len())?;
        }
        let mut out: Option<Value> = None;
        // Fill in the required name the client left out instead of refusing the body.
        let fill = match kind {
            Kind::User if self.has(Fault::AcceptMissingRequired) => Some("userName"),
            Kind::Group if self.has(Fault::GroupDisplayNameOptional) => Some("displayName"),
            _ => None,
        };
        if let (Value::Object(m), Some(attr)) = (body, fill)
            && !m.contains_key(attr)
        {
            let mut m = m.clone();
            m.insert(
                attr.into(),
                Value::String(format!("generated-{}", uuid::Uuid::new_v4())),
            );
            out = Some(Value::Object(m));
        }
        if kind == Kind::Group && self.has(Fault::GroupPostIgnoresMembers) {
            let current = out.as_ref().unwrap_or(body);
            if let Value::Object(m) = current
                && m.contains_key("members")
            {
                let mut m = m.clone();
                m.shift_remove("members");
                out = Some(Value::Object(m));
            }
        }
        if self.has(Fault::ExtensionDropped) {
            let current = out.as_ref().unwrap_or(body);
            if let Some(dropped) = rewrite::drop_custom_extension_data(current, schema) {
                out = Some(dropped);
            }
        }
        let current = out.as_ref().unwrap_or(body);
        if self.has(Fault::AttrNamesCaseSensitive)
            && let Some(key) = current.as_object().and_then(|m| {
                m.keys().find(|k| {
                    schema
                        .core()
                        .attribute(k)
                        .is_some_and(|a| a.name != k.as_str())
                })
            })
        {
            return Err(ScimError::invalid_syntax(format!(
                "{key:?} is not an attribute of this resource type"
            )));
        }
        Ok(out)
    }

    fn screen_replace(&self, old: &Map<String, Value>, new: &Map<String, Value>) -> ScimResult<()> {
        if self.has(Fault::MemberCap100)
            && let Some(Value::Array(l)) = new.get("members")
        {
            member_cap(l.len())?;
        }
        if self.has(Fault::UniquenessConflictsWithSelf)
            && let (Some(new), Some(was)) = (
                new.get("userName").and_then(Value::as_str),
                old.get("userName").and_then(Value::as_str),
            )
            && new != was
            && new.eq_ignore_ascii_case(was)
        {
            return Err(ScimError::uniqueness(format!(
                "userName {new:?} is already taken"
            )));
        }
        Ok(())
    }

    fn before_write(
        &self,
        op: Op,
        old: &Value,
        old_map: &Map<String, Value>,
        new: &mut Map<String, Value>,
    ) {
        if self.has(Fault::ActiveIgnored) {
            rewrite::keep_old_active(old_map, new);
        }
        if self.has(Fault::ExtensionDropped) {
            rewrite::keep_old_custom_extensions(old_map, new);
        }
        if op == Op::Patch && self.has(Fault::PatchNoPrimaryDemote) {
            rewrite::restore_primaries(old, new);
        }
    }

    fn reply(&self, op: Op, reply: &mut Reply) {
        match op {
            Op::Create => {
                if self.has(Fault::Create200) {
                    reply.status = 200;
                }
                if self.has(Fault::NoLocation) {
                    reply.location = None;
                }
            }
            Op::Patch if self.has(Fault::PatchEmpty200) => {
                reply.body = Some(Bytes::from(json!({}).to_string()));
            }
            _ => {}
        }
    }

    // ----- PATCH -------------------------------------------------------------------------------

    fn screen_patch(&self, body: &Value) -> ScimResult<()> {
        if self.has(Fault::PatchOpCaseSensitive) {
            rewrite::reject_non_lowercase_ops(body)?;
        }
        let no_schemas = body
            .as_object()
            .is_some_and(|o| !o.keys().any(|k| k.eq_ignore_ascii_case("schemas")));
        if self.has(Fault::PatchSchemasRequired) && no_schemas {
            return Err(ScimError::invalid_syntax(
                "a PATCH body must have \"schemas\": [\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"]",
            ));
        }
        if self.has(Fault::PatchEnvelopeUnchecked) && no_schemas {
            // Tolerated at the envelope stage: answered 200 with the resource unchanged.
            return Err(ScimError::invalid_syntax("no schemas"));
        }
        Ok(())
    }

    fn patch_request(&self, req: &mut PatchRequest) -> ScimResult<()> {
        if self.has(Fault::ManagerStringRejected) {
            rewrite::reject_string_manager(req)?;
        }
        let on_members = |op: &patch::PatchOperation| {
            op.path
                .as_deref()
                .is_some_and(|p| p.eq_ignore_ascii_case("members"))
        };
        if self.has(Fault::PatchRemoveAllMembers) {
            for op in &mut req.operations {
                if matches!(op.op, patch::OpKind::Remove) && on_members(op) {
                    op.value = None;
                }
            }
        }
        if self.has(Fault::ReplaceEmptyMembersRejected)
            && req.operations.iter().any(|op| {
                matches!(op.op, patch::OpKind::Replace)
                    && on_members(op)
                    && op
                        .value
                        .as_ref()
                        .is_some_and(|v| v.as_array().is_some_and(Vec::is_empty))
            })
        {
            return Err(ScimError::invalid_value(
                "required sub-attribute members.value is missing in the patch value",
            ));
        }
        if self.has(Fault::PatchAddReplacesMembers) {
            for op in &mut req.operations {
                if matches!(op.op, patch::OpKind::Add) && on_members(op) {
                    op.op = patch::OpKind::Replace;
                }
            }
        }
        if self.has(Fault::LargeMemberAddDrops) {
            for op in &mut req.operations {
                if matches!(op.op, patch::OpKind::Add)
                    && on_members(op)
                    && let Some(Value::Array(list)) = &mut op.value
                {
                    list.truncate(MEMBER_CAP);
                }
            }
        }
        if self.has(Fault::MemberCap100) {
            let carried: usize = req
                .operations
                .iter()
                .filter(|op| on_members(op))
                .map(|op| match &op.value {
                    Some(Value::Array(l)) => l.len(),
                    _ => 0,
                })
                .sum();
            member_cap(carried)?;
        }
        Ok(())
    }

    fn patch_operations(&self, kind: Kind, req: &mut PatchRequest) -> Vec<String> {
        let gids = if kind == Kind::User && self.has(Fault::UserGroupsWritable) {
            rewrite::take_group_writes(req)
        } else {
            Vec::new()
        };
        if self.has(Fault::PatchPathlessIgnored) {
            req.operations.retain(|op| op.path.is_some());
        }
        gids
    }

    fn partial_patches(&self, req: &PatchRequest) -> Vec<PatchRequest> {
        if !self.has(Fault::PatchNotAtomic) {
            return Vec::new();
        }
        // The longest prefix first.
        (1..req.operations.len())
            .rev()
            .map(|n| {
                let mut prefix = req.clone();
                prefix.operations.truncate(n);
                prefix
            })
            .collect()
    }

    fn patched(&self, req: &PatchRequest, resource: &mut Value) {
        if self.has(Fault::PatchPathlessClearsOthers) {
            rewrite::clear_unnamed(req, resource);
        }
    }

    fn tolerate(&self, stage: Stage, e: &ScimError) -> bool {
        match stage {
            Stage::PatchEnvelope => self.has(Fault::PatchEnvelopeUnchecked),
            Stage::PatchApply => match e.scim_type {
                Some(ScimType::NoTarget) => self.has(Fault::PatchNoTarget200),
                Some(ScimType::InvalidPath) => self.has(Fault::PatchInvalidPath200),
                Some(ScimType::Mutability) => self.has(Fault::PatchMutability200),
                _ => false,
            },
            Stage::Filter => self.has(Fault::BadFilter200),
        }
    }

    // ----- lists -------------------------------------------------------------------------------

    fn list_query(&self, q: &ListQuery) -> Option<ListQuery> {
        let rewrites = [
            Fault::FilterIgnored,
            Fault::SortIgnored,
            Fault::SortOrderIgnored,
            Fault::ListAttributesIgnored,
            Fault::CursorRepeatsPage,
            Fault::CursorCountIgnored,
            Fault::CursorUnsupported,
        ];
        if !rewrites.iter().any(|f| self.has(*f)) {
            return None;
        }
        let mut q = q.clone();
        if self.has(Fault::FilterIgnored) {
            q.filter = None;
        }
        if self.has(Fault::SortIgnored) {
            q.sort_by = None;
        }
        if self.has(Fault::SortOrderIgnored) {
            q.sort_order = SortOrder::Ascending;
        }
        if self.has(Fault::ListAttributesIgnored) {
            q.attributes = Vec::new();
        }
        if self.has(Fault::CursorRepeatsPage) && q.cursor.as_deref().is_some_and(|c| !c.is_empty())
        {
            q.cursor = Some(String::new());
        }
        if self.has(Fault::CursorCountIgnored) && q.cursor.is_some() {
            q.count = None;
        }
        if self.has(Fault::CursorUnsupported) {
            q.cursor = None;
        }
        Some(q)
    }

    fn list_delay(&self, kind: Kind) -> Option<std::time::Duration> {
        (kind == Kind::Group && self.has(Fault::SlowGroupsList)).then_some(SLOW_GROUPS_LIST)
    }

    fn screen_list_query(&self, q: &ListQuery, limits: &Limits) -> ScimResult<()> {
        if self.has(Fault::CountOverMax400)
            && q.count.is_some_and(|c| c > limits.filter_max_results)
        {
            return Err(ScimError::too_many("count is above filter.maxResults"));
        }
        Ok(())
    }

    fn screen_filter(&self, text: &str) -> ScimResult<()> {
        if self.has(Fault::FilterKeywordsCaseSensitive) && rewrite::has_non_lowercase_keyword(text)
        {
            return Err(ScimError::invalid_filter(
                "filter keywords must be lowercase (filter-keywords-case-sensitive fault)",
            ));
        }
        Ok(())
    }

    fn filter(&self, f: Filter) -> Filter {
        rewrite::filter(self, f)
    }

    fn also_matches(&self, f: &Filter, v: &Value) -> bool {
        !self.has(Fault::FilterCaseSensitive) || rewrite::equalities_match_exactly(f, v)
    }

    fn sorted(
        &self,
        values: &mut [Value],
        by: &AttrPath,
        order: SortOrder,
        schema: &ResourceSchema<'_>,
    ) {
        if self.has(Fault::SortCaseSensitive) {
            rewrite::sort_case_sensitive(values, by, order);
        }
        if self.has(Fault::SortMissingFirst) {
            let present = Filter::Present(by.clone());
            values.sort_by_key(|v| present.matches(v, schema));
        }
    }

    fn screen_total(&self, total: usize, filtered: bool) -> ScimResult<()> {
        if total == 0 && filtered && self.has(Fault::FilterMiss404) {
            return Err(ScimError::not_found("no resource matches the filter"));
        }
        Ok(())
    }

    fn list_body(&self, q: &ListQuery, body: &mut Value) {
        let Value::Object(m) = body else {
            return;
        };
        if self.has(Fault::PaginationIgnored) {
            m.insert("startIndex".into(), json!(1));
        }
        if self.has(Fault::TotalResultsIsPageSize) {
            let page_len = m
                .get("Resources")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            m.insert("totalResults".into(), json!(page_len));
        }
        if self.has(Fault::ListResourcesLowercase)
            && let Some(r) = m.shift_remove("Resources")
        {
            m.insert("resources".into(), r);
        }
        if self.has(Fault::ItemsPerPageIsCount)
            && let Some(c) = q.count
        {
            m.insert("itemsPerPage".into(), json!(c));
        }
        if self.has(Fault::CursorAdvertisedMissing) {
            m.shift_remove("nextCursor");
        }
        if self.has(Fault::CursorPreviousOnFirst) && q.cursor.as_deref() == Some("") {
            m.insert("previousCursor".into(), json!("before-the-first-page"));
        }
    }
}
