//! Deliberate non-conformances the provider can switch on (`scimtest serve --fault NAME`), so that
//! every conformance check and replay verdict can be shown to fail against a broken target.
//! Each fault breaks exactly one rule and names it.

use clap::ValueEnum;
use std::collections::HashSet;

/// One deliberate non-conformance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ValueEnum)]
pub enum Fault {
    /// Responses carry `Content-Type: application/json` instead of `application/scim+json` (RFC 7644 §3.1).
    JsonContentType,
    /// POST answers 200 instead of 201 Created (RFC 7644 §3.3).
    #[value(name = "create-200")]
    Create200,
    /// POST omits the `Location` header (RFC 7644 §3.3).
    NoLocation,
    /// `meta.location` and `Location` are path-absolute references (`/scim/v2/Users/1`), not
    /// absolute URIs: allowed (RFC 7643 §2.3.7: "the absolute or relative URI").
    RelativeLocation,
    /// DELETE answers 200 with a body instead of 204 No Content (RFC 7644 §3.6).
    #[value(name = "delete-200")]
    Delete200,
    /// DELETE answers 204 but the resource stays readable (RFC 7644 §3.6).
    DeleteIgnored,
    /// The `filter` parameter is ignored: every resource is returned (RFC 7644 §3.4.2.2).
    FilterIgnored,
    /// String filters compare case-sensitively even for caseExact=false attributes such as userName.
    FilterCaseSensitive,
    /// A filter that matches nothing answers 404 instead of an empty ListResponse (breaks Entra).
    #[value(name = "filter-miss-404")]
    FilterMiss404,
    /// A malformed filter answers 200 with an empty list instead of 400 invalidFilter.
    #[value(name = "bad-filter-200")]
    BadFilter200,
    /// PATCH answers 200 with the resource but changes nothing (RFC 7644 §3.5.2).
    PatchIgnored,
    /// PATCH operations without a `path` are answered 200 and dropped (breaks Okta OIN's
    /// activation and Entra's flagged updates).
    PatchPathlessIgnored,
    /// PATCH op names are case-sensitive: Entra's `Replace` is rejected with 400.
    PatchOpCaseSensitive,
    /// `remove` of `members` with a value array removes every member instead of the listed ones (breaks Entra).
    PatchRemoveAllMembers,
    /// `add` of `members` replaces the member list instead of adding to it, so members already
    /// there are dropped (RFC 7644 §3.5.2.1; destroys data for OneLogin and Okta OIN).
    PatchAddReplacesMembers,
    /// A `replace` without `path` replaces the whole resource: attributes its value does not name
    /// are cleared (RFC 7644 §3.5.2.3; destroys data for Okta OIN's deactivation and name sync).
    PatchPathlessClearsOthers,
    /// `active` written by PUT or PATCH is ignored: deactivation never sticks (breaks Okta/Entra deprovisioning).
    ActiveIgnored,
    /// `startIndex` and `count` are ignored: every page holds every resource (RFC 7644 §3.4.2.4).
    PaginationIgnored,
    /// `itemsPerPage` echoes the requested `count` instead of the page's size.
    ItemsPerPageIsCount,
    /// Error bodies give `status` as a JSON number instead of a string (RFC 7644 §3.12).
    ErrorStatusNumber,
    /// Error bodies lack `schemas` (RFC 7644 §3.12).
    ErrorNoSchemas,
    /// Requests without a valid token are served (RFC 7644 §2).
    AuthDisabled,
    /// Every valid token opens the first tenant: tenants share one store, so one tenant reads,
    /// lists, changes and deletes another's resources (RFC 7644 §6, §7).
    TenantsShared,
    /// 401 responses lack `WWW-Authenticate` (RFC 7235 §3.1).
    NoWwwAuthenticate,
    /// A duplicate userName is accepted with 201 instead of 409 uniqueness (RFC 7644 §3.3).
    NoUniqueness,
    /// userName uniqueness is case-sensitive: `Alice` and `alice` can coexist (RFC 7643 §4.1, caseExact false).
    UniquenessCaseSensitive,
    /// A PUT that changes only the letter case of a user's own userName answers 409
    /// uniqueness: the user conflicts with itself (RFC 7644 §3.5.1).
    UniquenessConflictsWithSelf,
    /// No `ETag` header and no `meta.version` although the ServiceProviderConfig claims ETag support.
    NoEtag,
    /// A stale `If-Match` is ignored instead of answered with 412 (RFC 7644 §3.14).
    IgnoreIfMatch,
    /// A no-op PATCH still bumps `meta.version` and `lastModified` (RFC 7644 §3.5.2).
    NoopPatchBumpsVersion,
    /// `bulkId:` references in Bulk data are stored verbatim instead of resolved (RFC 7644 §3.7.2).
    BulkIgnoreBulkId,
    /// Bulk `maxOperations` is not enforced (RFC 7644 §3.7.4).
    BulkNoLimit,
    /// `password` is returned in responses although it is `returned: never` (RFC 7643 §4.1).
    ReturnPassword,
    /// Deleting a user leaves it listed in its groups' members.
    DanglingMembers,
    /// `excludedAttributes` is ignored (RFC 7644 §3.4.2.5).
    ExcludedAttributesIgnored,
    /// The ServiceProviderConfig claims sort support but `sortBy` is ignored.
    SortIgnored,
    /// Unknown resource ids answer 200 with an empty object instead of 404.
    #[value(name = "missing-200")]
    Missing200,
    /// The ServiceProviderConfig lacks `schemas`, the `etag` feature and auth-scheme descriptions (RFC 7643 §5).
    SpcIncomplete,
    /// Discovery endpoints accept `filter` instead of answering 403 (RFC 7644 §4).
    DiscoveryFilterAllowed,
    /// `/ResourceTypes` is a bare JSON array, not a ListResponse; `/ResourceTypes/{id}` is wrapped (RFC 7644 §4).
    ResourceTypesUnwrapped,
    /// `/Schemas` omits the EnterpriseUser extension and `/Schemas/{urn}` answers 404 (RFC 7644 §4).
    SchemasIncomplete,
    /// The served User schema misstates characteristics: userName caseExact, password returned, a bad enum (RFC 7643 §7).
    SchemaLies,
    /// A client-supplied `id` and `meta.created` are stored (RFC 7643 §3.1).
    HonourClientId,
    /// A user without userName is created with a generated one instead of 400 invalidValue (RFC 7643 §4.1).
    AcceptMissingRequired,
    /// PUT answers 200 with the old resource and stores nothing (RFC 7644 §3.5.1).
    PutIgnored,
    /// GET of one resource returns only id, userName/displayName and meta (RFC 7644 §3.4.1).
    GetMinimal,
    /// Writes to discovery endpoints answer 404 instead of 405 (RFC 7644 §4, RFC 9110 §15.5.6).
    #[value(name = "discovery-write-404")]
    DiscoveryWrite404,
    // -- faults for the groups and /Me checks --
    /// Group members whose `value` is no existing resource are stored instead of 400 invalidValue.
    AcceptUnknownMembers,
    /// Members' `$ref` and `type` name the wrong resource type (a User member gets `/Groups/{id}`, type "Group").
    MemberRefWrong,
    /// A group without displayName is created with a generated one instead of 400 invalidValue (RFC 7643 §4.2).
    GroupDisplayNameOptional,
    /// `User.groups` is never computed: users never show their memberships (RFC 7643 §4.1.2).
    NoUserGroups,
    /// PATCH of the readOnly `User.groups` is applied: the user is added to the named groups (RFC 7643 §4.1.2).
    UserGroupsWritable,
    /// `/Me` for a token not bound to a user answers as an unknown endpoint (404) instead of 501
    /// Not Implemented (RFC 7644 §3.11).
    #[value(name = "me-404")]
    Me404,
    /// `/Me` for a token not bound to a user serves the tenant's first user (RFC 7644 §3.11).
    MeOtherUser,
    // -- faults for the filter, pagination and sort checks --
    /// `and` does not bind tighter than `or`: `a or b and c` is read as `(a or b) and c` (RFC 7644 §3.4.2.2).
    FilterNoPrecedence,
    /// `not (x)` is evaluated as `x` (RFC 7644 §3.4.2.2).
    FilterNotIgnored,
    /// `ge` and `le` exclude equal values, like `gt` and `lt` (RFC 7644 §3.4.2.2).
    FilterGeLeExclusive,
    /// dateTime filters compare the literal text, not the instants, so time-zone offsets are misread (RFC 7644 §3.4.2.2).
    FilterDatetimeAsString,
    /// `emails[type eq "work" and value co "x"]` matches when different elements satisfy each side (RFC 7644 §3.4.2.2).
    ValuePathAcrossElements,
    /// Filter operators and `and`/`or`/`not` are only recognised in lowercase (RFC 7644 §3.4.2.2).
    FilterKeywordsCaseSensitive,
    /// The ListResponse names its array `resources` instead of `Resources` (RFC 7644 §3.4.2).
    ListResourcesLowercase,
    /// `totalResults` is the size of the page, not the number of matches (RFC 7644 §3.4.2).
    TotalResultsIsPageSize,
    /// `startIndex` below 1 is rejected with 400 instead of being read as 1 (RFC 7644 §3.4.2.4).
    StartIndexNotClamped,
    /// `startIndex` is read as a 0-based offset: `startIndex=1` skips the first result (RFC 7644 §3.4.2.4).
    StartIndexZeroBased,
    /// A `count` above `filter.maxResults` is rejected with 400 instead of capped (RFC 7644 §3.4.2.4).
    #[value(name = "count-over-max-400")]
    CountOverMax400,
    /// `sortOrder` is ignored: results are always ascending (RFC 7644 §3.4.2.3).
    SortOrderIgnored,
    /// Sorting compares strings case-sensitively even for caseExact=false attributes (RFC 7644 §3.4.2.3).
    SortCaseSensitive,
    /// Resources without a value for `sortBy` come first in ascending order (RFC 7644 §3.4.2.3).
    SortMissingFirst,
    // -- faults for the attributes and PATCH checks --
    /// `attributes` is ignored on GET by id and on POST/PUT/PATCH responses (RFC 7644 §3.9).
    AttributesIgnored,
    /// `attributes` is ignored on GET /Users and POST /.search lists (RFC 7644 §3.4.2.5).
    ListAttributesIgnored,
    /// Names in `attributes` match case-sensitively: `USERNAME` selects nothing (RFC 7643 §2.1).
    AttributesCaseSensitive,
    /// `attributes`/`excludedAttributes` also drop `id`, which is returned:always (RFC 7643 §2.2).
    ProjectionDropsAlways,
    /// A PATCH whose later operation fails keeps the earlier operations applied (RFC 7644 §3.5.2).
    PatchNotAtomic,
    /// A PATCH that sets `primary: true` leaves the other values primary too (RFC 7644 §3.5.2).
    PatchNoPrimaryDemote,
    /// A PATCH of a readOnly or immutable attribute answers 200 (ignored) instead of 400 mutability.
    #[value(name = "patch-mutability-200")]
    PatchMutability200,
    /// A PATCH with no target (filter miss, remove without path) answers 200 instead of 400 noTarget.
    #[value(name = "patch-no-target-200")]
    PatchNoTarget200,
    /// A malformed or unknown PATCH path answers 200 (ignored) instead of 400 invalidPath.
    #[value(name = "patch-invalid-path-200")]
    PatchInvalidPath200,
    /// The PatchOp envelope is not validated: a bad body (no PatchOp schema, no Operations, op "move") answers 200.
    PatchEnvelopeUnchecked,
    /// A successful PATCH answers 200 with an empty object instead of the resource (RFC 7644 §3.5.2).
    #[value(name = "patch-empty-200")]
    PatchEmpty200,
    /// A bare string value for the enterprise `manager` is rejected with 400 (breaks Entra).
    ManagerStringRejected,
    // -- faults for the ETag, Bulk, search, errors and schema-sweep checks --
    /// The ETag and `meta.version` never change: every version is `W/"static"` (RFC 7644 §3.14).
    EtagConstant,
    /// `If-None-Match` with the current ETag is ignored: 200 with the body instead of 304 (RFC 7644 §3.14).
    IgnoreIfNoneMatch,
    /// A Bulk POST operation without `bulkId` is processed instead of rejected (RFC 7644 §3.7).
    BulkPostWithoutBulkId,
    /// Bulk `failOnErrors` is ignored: every operation runs whatever the errors (RFC 7644 §3.7.3).
    BulkIgnoreFailOnErrors,
    /// Without `failOnErrors`, Bulk stops at the first failing operation (RFC 7644 §3.7.3).
    BulkStopOnError,
    /// Bulk `maxPayloadSize` is not enforced: larger requests are processed (RFC 7644 §3.7.4).
    BulkNoPayloadLimit,
    /// `POST /.search` ignores its SearchRequest (no validation, no filter, no paging, no projection) (RFC 7644 §3.4.3).
    SearchIgnoresRequest,
    /// `POST /Users/.search` with a resource body creates that resource (RFC 7644 §3.4.3).
    SearchCreates,
    /// Error bodies carry `scimType: "invalidRequest"`, a value RFC 7644 §3.12 does not define.
    ErrorScimTypeInvalid,
    /// A JSON body that is not an object (e.g. an array) answers 500 instead of 400 (RFC 7644 §3.12).
    #[value(name = "malformed-500")]
    Malformed500,
    /// `Accept: application/json` is refused with 406 (RFC 7644 §3.8).
    #[value(name = "accept-json-406")]
    AcceptJson406,
    /// A `charset` parameter on the request Content-Type is refused with 415 (RFC 7644 §3.8).
    CharsetRejected,
    /// Non-ASCII characters in created resources are stored as `?` (RFC 7644 §3.8, UTF-8).
    #[value(name = "utf8-mangled")]
    Utf8Mangled,
    /// An unknown query parameter is refused with 400 instead of ignored (RFC 7644 §3.4.2).
    #[value(name = "unknown-param-400")]
    UnknownParam400,
    /// Attribute names in POST bodies are matched case-sensitively: `USERNAME` is unknown (RFC 7643 §2.1).
    AttrNamesCaseSensitive,
    /// The ServiceProviderConfig says patch and bulk are unsupported, yet both are served (RFC 7644 §3.12, 501).
    SpcUnderstates,
    // -- faults for the correctness-under-load checks --
    /// GET of one resource serves the representation from before the last write for a short
    /// window after it (a lagging read replica): a write is not visible to the next read.
    StaleReads,
    // -- variants the RFCs allow (the checks must pass under each, but advice may note them) --
    /// ResourceTypes advertise the server-absolute path (`/scim/v2/Users`) as `endpoint`
    /// instead of the base-relative `Users` of RFC 7643 §6 (as Django's `reverse()` does).
    EndpointServerAbsolute,
    /// Error bodies carry a `scimType` only where an RFC sentence mandates one (RFC 7644 §3.12:
    /// scimType is OPTIONAL).
    ScimTypeSparse,
    /// Unassigned optional attributes are written as `null` or `[]` (RFC 7643 §2.5: the same
    /// state as absent): the SPC's `documentationUri` is null, an empty group has `members: []`.
    NullForUnassigned,
    /// `meta.location` names another resource than the one it is in (RFC 7643 §3.1).
    LocationWrong,
    /// A strict server with a smaller User schema: `/Schemas` declares no `title`, `nickName`,
    /// `profileUrl` or `addresses` (all optional in RFC 7643 §4.1), and any request naming them
    /// (body, PATCH path, filter, sortBy) is refused with 400.
    MinimalUserSchema,
    /// `members` in a POST /Groups body are ignored: the group is created empty (allowed by
    /// RFC 7644 §3.3, "free to alter and/or ignore POSTed content", but IdPs rarely re-check).
    GroupPostIgnoresMembers,
    /// ResourceTypes lack their core `schema` (RFC 7643 §6: REQUIRED).
    ResourceTypeNoSchema,
    /// `meta.lastModified` stays at `meta.created` whatever changes (RFC 7643 §3.1).
    LastModifiedFrozen,
    /// Users created without an `externalId` get `"externalId": ""` (RFC 7643 §3.1: issued by
    /// the client, "MUST NOT be specified by the service provider").
    InventedExternalId,
    /// `meta.created` and `meta.lastModified` are not xsd:dateTime (`2026-12-05 10:00:00`).
    MetaDatesNotDatetime,
    /// Group PATCH reads the group, yields, then writes the result without holding the tenant
    /// lock across the read-modify-write, so concurrent member adds and removes overwrite each
    /// other (lost updates).
    LostMemberUpdates,
}

impl Fault {
    /// A one-line description (`--list-faults`).
    pub fn describe(self) -> &'static str {
        match self {
            Fault::JsonContentType => {
                "responses use application/json, not application/scim+json (RFC 7644 §3.1)"
            }
            Fault::Create200 => "POST answers 200 instead of 201 (RFC 7644 §3.3)",
            Fault::NoLocation => "POST omits the Location header (RFC 7644 §3.3)",
            Fault::RelativeLocation => {
                "meta.location and Location are relative paths (allowed variant; RFC 7643 §2.3.7)"
            }
            Fault::Delete200 => "DELETE answers 200 with a body instead of 204 (RFC 7644 §3.6)",
            Fault::DeleteIgnored => "DELETE answers 204 but the resource stays (RFC 7644 §3.6)",
            Fault::FilterIgnored => {
                "filter is ignored; every resource is returned (RFC 7644 §3.4.2.2)"
            }
            Fault::FilterCaseSensitive => {
                "filters compare case-sensitively, even userName (RFC 7643 §2.3.1)"
            }
            Fault::FilterMiss404 => {
                "a filter matching nothing answers 404, not an empty list (breaks Entra)"
            }
            Fault::BadFilter200 => {
                "a malformed filter answers 200 with no results, not 400 invalidFilter"
            }
            Fault::PatchIgnored => "PATCH answers 200 but changes nothing (RFC 7644 §3.5.2)",
            Fault::PatchPathlessIgnored => {
                "PATCH operations without a path are answered 200 and dropped (RFC 7644 §3.5.2.1, §3.5.2.3)"
            }
            Fault::PatchOpCaseSensitive => {
                "PATCH op names are case-sensitive; Entra's \"Replace\" is rejected"
            }
            Fault::PatchRemoveAllMembers => {
                "remove members with a value array removes every member (breaks Entra)"
            }
            Fault::PatchAddReplacesMembers => {
                "add of members replaces the list, dropping existing members (RFC 7644 §3.5.2.1)"
            }
            Fault::PatchPathlessClearsOthers => {
                "a replace without path clears every attribute its value does not name (RFC 7644 §3.5.2.3)"
            }
            Fault::ActiveIgnored => {
                "active written by PUT/PATCH is ignored (breaks deprovisioning)"
            }
            Fault::PaginationIgnored => "startIndex and count are ignored (RFC 7644 §3.4.2.4)",
            Fault::ItemsPerPageIsCount => {
                "itemsPerPage echoes the requested count, not the page size"
            }
            Fault::ErrorStatusNumber => {
                "error status is a JSON number, not a string (RFC 7644 §3.12)"
            }
            Fault::ErrorNoSchemas => "error bodies lack schemas (RFC 7644 §3.12)",
            Fault::AuthDisabled => "requests without a valid token are served (RFC 7644 §2)",
            Fault::TenantsShared => {
                "every valid token opens the first tenant: tenants see each other's data (RFC 7644 §6, §7)"
            }
            Fault::NoWwwAuthenticate => "401 responses lack WWW-Authenticate (RFC 7235 §3.1)",
            Fault::NoUniqueness => "duplicate userName accepted with 201 (RFC 7644 §3.3)",
            Fault::UniquenessConflictsWithSelf => {
                "a PUT changing the case of the user's own userName answers 409 (RFC 7644 §3.5.1)"
            }
            Fault::UniquenessCaseSensitive => {
                "userName uniqueness is case-sensitive (RFC 7643 §4.1)"
            }
            Fault::NoEtag => {
                "no ETag header or meta.version although etag is advertised (RFC 7644 §3.14)"
            }
            Fault::IgnoreIfMatch => "a stale If-Match is ignored instead of 412 (RFC 7644 §3.14)",
            Fault::NoopPatchBumpsVersion => {
                "a no-op PATCH bumps meta.version and lastModified (RFC 7644 §3.5.2)"
            }
            Fault::BulkIgnoreBulkId => "bulkId references are not resolved (RFC 7644 §3.7.2)",
            Fault::BulkNoLimit => "Bulk maxOperations is not enforced (RFC 7644 §3.7.4)",
            Fault::ReturnPassword => "password is returned although returned:never (RFC 7643 §4.1)",
            Fault::DanglingMembers => "deleting a user leaves it in its groups' members",
            Fault::ExcludedAttributesIgnored => "excludedAttributes is ignored (RFC 7644 §3.4.2.5)",
            Fault::SortIgnored => "sort is advertised but sortBy is ignored (RFC 7644 §3.4.2.3)",
            Fault::Missing200 => "unknown ids answer 200 with {} instead of 404 (RFC 7644 §3.12)",
            Fault::SpcIncomplete => {
                "the ServiceProviderConfig lacks schemas, etag and scheme descriptions (RFC 7643 §5)"
            }
            Fault::DiscoveryFilterAllowed => {
                "discovery endpoints accept filter instead of 403 (RFC 7644 §4)"
            }
            Fault::ResourceTypesUnwrapped => {
                "/ResourceTypes is a bare array, /ResourceTypes/{id} a list (RFC 7644 §4)"
            }
            Fault::SchemasIncomplete => {
                "/Schemas omits the enterprise extension; /Schemas/{urn} is 404 (RFC 7644 §4)"
            }
            Fault::SchemaLies => {
                "the served User schema misstates userName, password and an enum (RFC 7643 §7)"
            }
            Fault::HonourClientId => {
                "a client-supplied id and meta.created are stored (RFC 7643 §3.1)"
            }
            Fault::AcceptMissingRequired => {
                "a user without userName is created instead of 400 invalidValue (RFC 7643 §4.1)"
            }
            Fault::PutIgnored => {
                "PUT answers 200 with the old resource and stores nothing (RFC 7644 §3.5.1)"
            }
            Fault::GetMinimal => {
                "GET by id returns only id, userName/displayName and meta (RFC 7644 §3.4.1)"
            }
            Fault::DiscoveryWrite404 => {
                "writes to discovery endpoints answer 404, not 405 (RFC 7644 §4)"
            }
            // -- groups and /Me --
            Fault::AcceptUnknownMembers => {
                "members that are no existing resource are stored, not 400 invalidValue"
            }
            Fault::MemberRefWrong => {
                "members' $ref and type name the wrong resource type (RFC 7643 §4.2)"
            }
            Fault::GroupDisplayNameOptional => {
                "a group without displayName is created, not 400 invalidValue (RFC 7643 §4.2)"
            }
            Fault::NoUserGroups => "User.groups is never computed (RFC 7643 §4.1.2)",
            Fault::UserGroupsWritable => {
                "PATCH of the readOnly User.groups changes membership (RFC 7643 §4.1.2)"
            }
            Fault::Me404 => "/Me for an unbound token answers 404, not 501 (RFC 7644 §3.11)",
            Fault::MeOtherUser => {
                "/Me for an unbound token serves the tenant's first user (RFC 7644 §3.11)"
            }

            // -- filter, pagination and sort --
            Fault::FilterNoPrecedence => {
                "`and` does not bind tighter than `or` in filters (RFC 7644 §3.4.2.2)"
            }
            Fault::FilterNotIgnored => "`not (x)` is evaluated as `x` (RFC 7644 §3.4.2.2)",
            Fault::FilterGeLeExclusive => {
                "`ge`/`le` exclude equal values like `gt`/`lt` (RFC 7644 §3.4.2.2)"
            }
            Fault::FilterDatetimeAsString => {
                "dateTime filters compare text, not instants (RFC 7644 §3.4.2.2)"
            }
            Fault::ValuePathAcrossElements => {
                "a value path's conditions may hold on different elements (RFC 7644 §3.4.2.2)"
            }
            Fault::FilterKeywordsCaseSensitive => {
                "filter operators are only recognised in lowercase (RFC 7644 §3.4.2.2)"
            }
            Fault::ListResourcesLowercase => {
                "the ListResponse array is `resources`, not `Resources` (RFC 7644 §3.4.2)"
            }
            Fault::TotalResultsIsPageSize => {
                "totalResults is the page size, not the match count (RFC 7644 §3.4.2)"
            }
            Fault::StartIndexNotClamped => {
                "startIndex below 1 is rejected with 400, not read as 1 (RFC 7644 §3.4.2.4)"
            }
            Fault::StartIndexZeroBased => {
                "startIndex is a 0-based offset; startIndex=1 skips a result (RFC 7644 §3.4.2.4)"
            }
            Fault::CountOverMax400 => {
                "a count above filter.maxResults is rejected, not capped (RFC 7644 §3.4.2.4)"
            }
            Fault::SortOrderIgnored => {
                "sortOrder is ignored; results are always ascending (RFC 7644 §3.4.2.3)"
            }
            Fault::SortCaseSensitive => {
                "sorting is case-sensitive even for caseExact=false attributes (RFC 7644 §3.4.2.3)"
            }
            Fault::SortMissingFirst => {
                "resources without the sortBy value come first ascending (RFC 7644 §3.4.2.3)"
            }

            // -- attributes and PATCH --
            Fault::AttributesIgnored => {
                "attributes is ignored on GET by id and on write responses (RFC 7644 §3.9)"
            }
            Fault::ListAttributesIgnored => {
                "attributes is ignored on lists and .search (RFC 7644 §3.4.2.5)"
            }
            Fault::AttributesCaseSensitive => {
                "names in attributes match case-sensitively (RFC 7643 §2.1)"
            }
            Fault::ProjectionDropsAlways => {
                "attributes/excludedAttributes drop id, which is returned:always (RFC 7643 §2.2)"
            }
            Fault::PatchNotAtomic => {
                "a failing PATCH keeps its earlier operations applied (RFC 7644 §3.5.2)"
            }
            Fault::PatchNoPrimaryDemote => {
                "PATCH primary:true leaves other values primary (RFC 7644 §3.5.2)"
            }
            Fault::PatchMutability200 => {
                "PATCH of a readOnly attribute answers 200 instead of 400 mutability (RFC 7644 §3.5.2)"
            }
            Fault::PatchNoTarget200 => {
                "PATCH with no target answers 200 instead of 400 noTarget (RFC 7644 §3.5.2.2-3)"
            }
            Fault::PatchInvalidPath200 => {
                "a malformed PATCH path answers 200 instead of 400 invalidPath (RFC 7644 §3.12)"
            }
            Fault::PatchEnvelopeUnchecked => {
                "a PATCH body without PatchOp schema/Operations or with op \"move\" answers 200"
            }
            Fault::PatchEmpty200 => {
                "a successful PATCH answers 200 with {} instead of the resource (RFC 7644 §3.5.2)"
            }
            Fault::ManagerStringRejected => {
                "a bare-string enterprise manager is rejected with 400 (breaks Entra)"
            }

            // -- ETag, Bulk, search, errors and schema sweep --
            Fault::EtagConstant => "the ETag never changes: always W/\"static\" (RFC 7644 §3.14)",
            Fault::IgnoreIfNoneMatch => {
                "If-None-Match with the current ETag answers 200, not 304 (RFC 7644 §3.14)"
            }
            Fault::BulkPostWithoutBulkId => {
                "a Bulk POST operation without bulkId is processed (RFC 7644 §3.7)"
            }
            Fault::BulkIgnoreFailOnErrors => "Bulk failOnErrors is ignored (RFC 7644 §3.7.3)",
            Fault::BulkStopOnError => {
                "without failOnErrors, Bulk stops at the first error (RFC 7644 §3.7.3)"
            }
            Fault::BulkNoPayloadLimit => "Bulk maxPayloadSize is not enforced (RFC 7644 §3.7.4)",
            Fault::SearchIgnoresRequest => {
                "POST .search ignores the SearchRequest and lists everything (RFC 7644 §3.4.3)"
            }
            Fault::SearchCreates => {
                "POST /Users/.search with a resource body creates it (RFC 7644 §3.4.3)"
            }
            Fault::ErrorScimTypeInvalid => {
                "error scimType is \"invalidRequest\", not a Table 9 value (RFC 7644 §3.12)"
            }
            Fault::Malformed500 => "a JSON body that is not an object answers 500 (RFC 7644 §3.12)",
            Fault::AcceptJson406 => "Accept: application/json is refused with 406 (RFC 7644 §3.8)",
            Fault::CharsetRejected => {
                "a charset parameter on Content-Type is refused with 415 (RFC 7644 §3.8)"
            }
            Fault::Utf8Mangled => "non-ASCII characters are stored as '?' (RFC 7644 §3.8)",
            Fault::UnknownParam400 => {
                "an unknown query parameter is refused with 400 (RFC 7644 §3.4.2)"
            }
            Fault::AttrNamesCaseSensitive => {
                "attribute names are case-sensitive on input (RFC 7643 §2.1)"
            }
            Fault::SpcUnderstates => {
                "the SPC says patch and bulk are unsupported, yet both are served (no 501)"
            }

            Fault::EndpointServerAbsolute => {
                "ResourceType endpoints are advertised as /scim/v2/Users, not Users (allowed variant; RFC 7643 §6)"
            }
            Fault::ScimTypeSparse => {
                "scimType only where an RFC sentence mandates one (allowed variant; RFC 7644 §3.12)"
            }
            Fault::NullForUnassigned => {
                "unassigned attributes written as null / [] (allowed variant; RFC 7643 §2.5)"
            }
            Fault::LocationWrong => "meta.location names another resource (RFC 7643 §3.1)",
            Fault::MinimalUserSchema => {
                "no title/nickName/profileUrl/addresses on User; requests naming them get 400 (allowed variant; RFC 7643 §4.1)"
            }
            Fault::ResourceTypeNoSchema => "ResourceTypes lack \"schema\" (RFC 7643 §6)",
            Fault::LastModifiedFrozen => {
                "meta.lastModified stays at meta.created after changes (RFC 7643 §3.1)"
            }
            Fault::InventedExternalId => {
                "users created without externalId get \"externalId\": \"\" (RFC 7643 §3.1)"
            }
            Fault::GroupPostIgnoresMembers => {
                "members in POST /Groups are ignored (allowed variant; RFC 7644 §3.3)"
            }
            Fault::MetaDatesNotDatetime => {
                "meta.created / lastModified are not xsd:dateTime (RFC 7643 §3.1)"
            }

            // -- correctness under load --
            Fault::StaleReads => {
                "GET by id serves the version from before the last write for a moment (stale reads)"
            }
            Fault::LostMemberUpdates => {
                "group PATCH is an unlocked read-modify-write: concurrent member changes are lost"
            }
        }
    }

    /// Every fault, in declaration order.
    pub fn all() -> &'static [Fault] {
        Fault::value_variants()
    }

    /// Whether the fault models behaviour the RFCs allow (an unusual choice, not a defect): the
    /// catalogue must report no MUST/SHOULD/MAY failure under it.
    pub fn is_allowed_variant(self) -> bool {
        matches!(
            self,
            Fault::RelativeLocation
                | Fault::EndpointServerAbsolute
                | Fault::ScimTypeSparse
                | Fault::NullForUnassigned
                | Fault::GroupPostIgnoresMembers
                | Fault::MinimalUserSchema
        )
    }

    /// The CLI spelling, e.g. `patch-ignored`.
    pub fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default()
    }
}

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
        let mut v: Vec<String> = self.0.iter().map(|f| f.name()).collect();
        v.sort();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_least_twenty_faults_each_described_and_named() {
        assert!(Fault::all().len() >= 20);
        let mut names = HashSet::new();
        for f in Fault::all() {
            assert!(!f.describe().is_empty());
            assert!(names.insert(f.name()), "duplicate name {}", f.name());
        }
    }

    #[test]
    fn names_are_kebab_case() {
        assert_eq!(Fault::PatchIgnored.name(), "patch-ignored");
        assert_eq!(Fault::FilterMiss404.name(), "filter-miss-404");
    }
}
