//! The fault table: the one place that names and describes every deliberate non-conformance
//! (`scimtest serve --fault NAME`, `--list-faults`). Each row is a variant, its CLI name, whether
//! the RFCs allow the behaviour, and its one-line description; the `Fault` enum, its clap
//! parser and the lookups are generated from the rows.

use clap::builder::PossibleValue;

/// Whether a fault is a defect or a behaviour the RFCs allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Breaks a rule: the checks that name it must fail under it.
    Defect,
    /// An unusual choice the RFCs allow: the catalogue must report no MUST/SHOULD/MAY failure
    /// under it (advice may note it).
    Allowed,
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    /// The fault.
    pub fault: Fault,
    /// The CLI spelling, e.g. `patch-ignored`.
    pub name: &'static str,
    /// Defect or allowed variant.
    pub class: Class,
    /// The one-line description (`--list-faults`, `serve --help`).
    pub description: &'static str,
}

macro_rules! fault_table {
    ($($variant:ident, $name:literal, $class:ident, $description:literal;)*) => {
        /// One deliberate non-conformance the provider can switch on.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Fault {
            $(
                #[doc = $description]
                $variant,
            )*
        }

        /// Every row, in declaration order (row `i` is the fault whose discriminant is `i`).
        pub const TABLE: &[Row] = &[
            $(Row { fault: Fault::$variant, name: $name, class: Class::$class, description: $description },)*
        ];

        const ALL: &[Fault] = &[$(Fault::$variant,)*];
    };
}

fault_table! {
    JsonContentType, "json-content-type", Defect, "responses use application/json, not application/scim+json (RFC 7644 §3.1)";
    Create200, "create-200", Defect, "POST answers 200 instead of 201 (RFC 7644 §3.3)";
    NoLocation, "no-location", Defect, "POST omits the Location header (RFC 7644 §3.3)";
    RelativeLocation, "relative-location", Allowed, "meta.location and Location are relative paths (allowed variant; RFC 7643 §2.3.7)";
    Delete200, "delete-200", Defect, "DELETE answers 200 with a body instead of 204 (RFC 7644 §3.6)";
    DeleteIgnored, "delete-ignored", Defect, "DELETE answers 204 but the resource stays (RFC 7644 §3.6)";
    FilterIgnored, "filter-ignored", Defect, "filter is ignored; every resource is returned (RFC 7644 §3.4.2.2)";
    FilterCaseSensitive, "filter-case-sensitive", Defect, "filters compare case-sensitively, even userName (RFC 7643 §2.3.1)";
    FilterMiss404, "filter-miss-404", Defect, "a filter matching nothing answers 404, not an empty list (breaks Entra)";
    BadFilter200, "bad-filter-200", Defect, "a malformed filter answers 200 with no results, not 400 invalidFilter";
    PatchIgnored, "patch-ignored", Defect, "PATCH answers 200 but changes nothing (RFC 7644 §3.5.2)";
    PatchPathlessIgnored, "patch-pathless-ignored", Defect, "PATCH operations without a path are answered 200 and dropped (RFC 7644 §3.5.2.1, §3.5.2.3)";
    PatchOpCaseSensitive, "patch-op-case-sensitive", Defect, "PATCH op names are case-sensitive; Entra's \"Replace\" is rejected";
    PatchRemoveAllMembers, "patch-remove-all-members", Defect, "remove members with a value array removes every member (breaks Entra)";
    PatchAddReplacesMembers, "patch-add-replaces-members", Defect, "add of members replaces the list, dropping existing members (RFC 7644 §3.5.2.1)";
    PatchPathlessClearsOthers, "patch-pathless-clears-others", Defect, "a replace without path clears every attribute its value does not name (RFC 7644 §3.5.2.3)";
    ActiveIgnored, "active-ignored", Defect, "active written by PUT/PATCH is ignored (breaks deprovisioning)";
    PaginationIgnored, "pagination-ignored", Defect, "startIndex and count are ignored (RFC 7644 §3.4.2.4)";
    ItemsPerPageIsCount, "items-per-page-is-count", Defect, "itemsPerPage echoes the requested count, not the page size";
    ErrorStatusNumber, "error-status-number", Defect, "error status is a JSON number, not a string (RFC 7644 §3.12)";
    ErrorNoSchemas, "error-no-schemas", Defect, "error bodies lack schemas (RFC 7644 §3.12)";
    AuthDisabled, "auth-disabled", Defect, "requests without a valid token are served (RFC 7644 §2)";
    TenantsShared, "tenants-shared", Defect, "every valid token opens the first tenant: tenants see each other's data (RFC 7644 §6, §7)";
    NoWwwAuthenticate, "no-www-authenticate", Defect, "401 responses lack WWW-Authenticate (RFC 7235 §3.1)";
    NoUniqueness, "no-uniqueness", Defect, "duplicate userName accepted with 201 (RFC 7644 §3.3)";
    UniquenessCaseSensitive, "uniqueness-case-sensitive", Defect, "userName uniqueness is case-sensitive (RFC 7643 §4.1)";
    UniquenessConflictsWithSelf, "uniqueness-conflicts-with-self", Defect, "a PUT changing the case of the user's own userName answers 409 (RFC 7644 §3.5.1)";
    NoEtag, "no-etag", Defect, "no ETag header or meta.version although etag is advertised (RFC 7644 §3.14)";
    IgnoreIfMatch, "ignore-if-match", Defect, "a stale If-Match is ignored instead of 412 (RFC 7644 §3.14)";
    NoopPatchBumpsVersion, "noop-patch-bumps-version", Defect, "a no-op PATCH bumps meta.version and lastModified (RFC 7644 §3.5.2)";
    BulkIgnoreBulkId, "bulk-ignore-bulk-id", Defect, "bulkId references are not resolved (RFC 7644 §3.7.2)";
    BulkNoLimit, "bulk-no-limit", Defect, "Bulk maxOperations is not enforced (RFC 7644 §3.7.4)";
    ReturnPassword, "return-password", Defect, "password is returned although returned:never (RFC 7643 §4.1)";
    DanglingMembers, "dangling-members", Defect, "deleting a user leaves it in its groups' members";
    ExcludedAttributesIgnored, "excluded-attributes-ignored", Defect, "excludedAttributes is ignored (RFC 7644 §3.4.2.5)";
    SortIgnored, "sort-ignored", Defect, "sort is advertised but sortBy is ignored (RFC 7644 §3.4.2.3)";
    Missing200, "missing-200", Defect, "unknown ids answer 200 with {} instead of 404 (RFC 7644 §3.12)";
    SpcIncomplete, "spc-incomplete", Defect, "the ServiceProviderConfig lacks schemas, etag and scheme descriptions (RFC 7643 §5)";
    DiscoveryFilterAllowed, "discovery-filter-allowed", Defect, "discovery endpoints accept filter instead of 403 (RFC 7644 §4)";
    ResourceTypesUnwrapped, "resource-types-unwrapped", Defect, "/ResourceTypes is a bare array, /ResourceTypes/{id} a list (RFC 7644 §4)";
    SchemasIncomplete, "schemas-incomplete", Defect, "/Schemas omits the enterprise extension; /Schemas/{urn} is 404 (RFC 7644 §4)";
    SchemaLies, "schema-lies", Defect, "the served User schema misstates userName, password and an enum (RFC 7643 §7)";
    HonourClientId, "honour-client-id", Defect, "a client-supplied id and meta.created are stored (RFC 7643 §3.1)";
    AcceptMissingRequired, "accept-missing-required", Defect, "a user without userName is created instead of 400 invalidValue (RFC 7643 §4.1)";
    PutIgnored, "put-ignored", Defect, "PUT answers 200 with the old resource and stores nothing (RFC 7644 §3.5.1)";
    GetMinimal, "get-minimal", Defect, "GET by id returns only id, userName/displayName and meta (RFC 7644 §3.4.1)";
    DiscoveryWrite404, "discovery-write-404", Defect, "writes to discovery endpoints answer 404, not 405 (RFC 7644 §4)";
    AcceptUnknownMembers, "accept-unknown-members", Defect, "members that are no existing resource are stored, not 400 invalidValue";
    MemberRefWrong, "member-ref-wrong", Defect, "members' $ref and type name the wrong resource type (RFC 7643 §4.2)";
    GroupDisplayNameOptional, "group-display-name-optional", Defect, "a group without displayName is created, not 400 invalidValue (RFC 7643 §4.2)";
    NoUserGroups, "no-user-groups", Defect, "User.groups is never computed (RFC 7643 §4.1.2)";
    UserGroupsWritable, "user-groups-writable", Defect, "PATCH of the readOnly User.groups changes membership (RFC 7643 §4.1.2)";
    Me404, "me-404", Defect, "/Me for an unbound token answers 404, not 501 (RFC 7644 §3.11)";
    MeOtherUser, "me-other-user", Defect, "/Me for an unbound token serves the tenant's first user (RFC 7644 §3.11)";
    FilterNoPrecedence, "filter-no-precedence", Defect, "`and` does not bind tighter than `or` in filters (RFC 7644 §3.4.2.2)";
    FilterNotIgnored, "filter-not-ignored", Defect, "`not (x)` is evaluated as `x` (RFC 7644 §3.4.2.2)";
    FilterGeLeExclusive, "filter-ge-le-exclusive", Defect, "`ge`/`le` exclude equal values like `gt`/`lt` (RFC 7644 §3.4.2.2)";
    FilterDatetimeAsString, "filter-datetime-as-string", Defect, "dateTime filters compare text, not instants (RFC 7644 §3.4.2.2)";
    ValuePathAcrossElements, "value-path-across-elements", Defect, "a value path's conditions may hold on different elements (RFC 7644 §3.4.2.2)";
    FilterKeywordsCaseSensitive, "filter-keywords-case-sensitive", Defect, "filter operators are only recognised in lowercase (RFC 7644 §3.4.2.2)";
    ListResourcesLowercase, "list-resources-lowercase", Defect, "the ListResponse array is `resources`, not `Resources` (RFC 7644 §3.4.2)";
    TotalResultsIsPageSize, "total-results-is-page-size", Defect, "totalResults is the page size, not the match count (RFC 7644 §3.4.2)";
    StartIndexNotClamped, "start-index-not-clamped", Defect, "startIndex below 1 is rejected with 400, not read as 1 (RFC 7644 §3.4.2.4)";
    StartIndexZeroBased, "start-index-zero-based", Defect, "startIndex is a 0-based offset; startIndex=1 skips a result (RFC 7644 §3.4.2.4)";
    CountOverMax400, "count-over-max-400", Defect, "a count above filter.maxResults is rejected, not capped (RFC 7644 §3.4.2.4)";
    SortOrderIgnored, "sort-order-ignored", Defect, "sortOrder is ignored; results are always ascending (RFC 7644 §3.4.2.3)";
    SortCaseSensitive, "sort-case-sensitive", Defect, "sorting is case-sensitive even for caseExact=false attributes (RFC 7644 §3.4.2.3)";
    SortMissingFirst, "sort-missing-first", Defect, "resources without the sortBy value come first ascending (RFC 7644 §3.4.2.3)";
    AttributesIgnored, "attributes-ignored", Defect, "attributes is ignored on GET by id and on write responses (RFC 7644 §3.9)";
    ListAttributesIgnored, "list-attributes-ignored", Defect, "attributes is ignored on lists and .search (RFC 7644 §3.4.2.5)";
    AttributesCaseSensitive, "attributes-case-sensitive", Defect, "names in attributes match case-sensitively (RFC 7643 §2.1)";
    ProjectionDropsAlways, "projection-drops-always", Defect, "attributes/excludedAttributes drop id, which is returned:always (RFC 7643 §2.2)";
    PatchNotAtomic, "patch-not-atomic", Defect, "a failing PATCH keeps its earlier operations applied (RFC 7644 §3.5.2)";
    PatchNoPrimaryDemote, "patch-no-primary-demote", Defect, "PATCH primary:true leaves other values primary (RFC 7644 §3.5.2)";
    PatchMutability200, "patch-mutability-200", Defect, "PATCH of a readOnly attribute answers 200 instead of 400 mutability (RFC 7644 §3.5.2)";
    PatchNoTarget200, "patch-no-target-200", Defect, "PATCH with no target answers 200 instead of 400 noTarget (RFC 7644 §3.5.2.2-3)";
    PatchInvalidPath200, "patch-invalid-path-200", Defect, "a malformed PATCH path answers 200 instead of 400 invalidPath (RFC 7644 §3.12)";
    PatchEnvelopeUnchecked, "patch-envelope-unchecked", Defect, "a PATCH body without schemas or Operations, or with op \"move\", answers 200 and changes nothing";
    PatchEmpty200, "patch-empty-200", Defect, "a successful PATCH answers 200 with {} instead of the resource (RFC 7644 §3.5.2)";
    ManagerStringRejected, "manager-string-rejected", Defect, "a bare-string enterprise manager is rejected with 400 (breaks Entra)";
    EtagConstant, "etag-constant", Defect, "the ETag never changes: always W/\"static\" (RFC 7644 §3.14)";
    IgnoreIfNoneMatch, "ignore-if-none-match", Defect, "If-None-Match with the current ETag answers 200, not 304 (RFC 7644 §3.14)";
    BulkPostWithoutBulkId, "bulk-post-without-bulk-id", Defect, "a Bulk POST operation without bulkId is processed (RFC 7644 §3.7)";
    BulkIgnoreFailOnErrors, "bulk-ignore-fail-on-errors", Defect, "Bulk failOnErrors is ignored (RFC 7644 §3.7.3)";
    BulkStopOnError, "bulk-stop-on-error", Defect, "without failOnErrors, Bulk stops at the first error (RFC 7644 §3.7.3)";
    BulkNoPayloadLimit, "bulk-no-payload-limit", Defect, "Bulk maxPayloadSize is not enforced (RFC 7644 §3.7.4)";
    SearchIgnoresRequest, "search-ignores-request", Defect, "POST .search ignores the SearchRequest and lists everything (RFC 7644 §3.4.3)";
    SearchCreates, "search-creates", Defect, "POST /Users/.search with a resource body creates it (RFC 7644 §3.4.3)";
    ErrorScimTypeInvalid, "error-scim-type-invalid", Defect, "error scimType is \"invalidRequest\", not a Table 9 value (RFC 7644 §3.12)";
    Malformed500, "malformed-500", Defect, "a JSON body that is not an object answers 500 (RFC 7644 §3.12)";
    AcceptJson406, "accept-json-406", Defect, "Accept: application/json is refused with 406 (RFC 7644 §3.8)";
    CharsetRejected, "charset-rejected", Defect, "a charset parameter on Content-Type is refused with 415 (RFC 7644 §3.8)";
    Utf8Mangled, "utf8-mangled", Defect, "non-ASCII characters are stored as '?' (RFC 7644 §3.8)";
    UnknownParam400, "unknown-param-400", Defect, "an unknown query parameter is refused with 400 (RFC 7644 §3.4.2)";
    AttrNamesCaseSensitive, "attr-names-case-sensitive", Defect, "attribute names are case-sensitive on input (RFC 7643 §2.1)";
    SpcUnderstates, "spc-understates", Defect, "the SPC says patch and bulk are unsupported, yet both are served (no 501)";
    StaleReads, "stale-reads", Defect, "GET by id serves the version from before the last write for a moment (stale reads)";
    EndpointServerAbsolute, "endpoint-server-absolute", Allowed, "ResourceType endpoints are advertised as /scim/v2/Users, not Users (allowed variant; RFC 7643 §6)";
    ScimTypeSparse, "scim-type-sparse", Allowed, "scimType only where an RFC sentence mandates one (allowed variant; RFC 7644 §3.12)";
    NullForUnassigned, "null-for-unassigned", Allowed, "unassigned attributes written as null / [] (allowed variant; RFC 7643 §2.5)";
    LocationWrong, "location-wrong", Defect, "meta.location names another resource (RFC 7643 §3.1)";
    MinimalUserSchema, "minimal-user-schema", Allowed, "no title/nickName/profileUrl/addresses on User; requests naming them get 400 (allowed variant; RFC 7643 §4.1)";
    GroupPostIgnoresMembers, "group-post-ignores-members", Allowed, "members in POST /Groups are ignored (allowed variant; RFC 7644 §3.3)";
    ResourceTypeNoSchema, "resource-type-no-schema", Defect, "ResourceTypes lack \"schema\" (RFC 7643 §6)";
    LastModifiedFrozen, "last-modified-frozen", Defect, "meta.lastModified stays at meta.created after changes (RFC 7643 §3.1)";
    InventedExternalId, "invented-external-id", Defect, "users created without externalId get \"externalId\": \"\" (RFC 7643 §3.1)";
    MetaDatesNotDatetime, "meta-dates-not-datetime", Defect, "meta.created / lastModified are not xsd:dateTime (RFC 7643 §3.1)";
    LostMemberUpdates, "lost-member-updates", Defect, "group PATCH is an unlocked read-modify-write: concurrent member changes are lost";
    NoGroups, "no-groups", Allowed, "no Group resource type: discovery omits it, /Groups and Bulk on it answer 404 (allowed variant; RFC 7643 §6)";
    SlowGroupsList, "slow-groups-list", Allowed, "GET /Groups lists answer after 700 ms (allowed variant; no RFC sentence bounds latency, Okta's SPEC test wants < 600 ms)";
    ReplaceEmptyMembersRejected, "replace-empty-members-rejected", Defect, "a PATCH replace of members with [] is refused with 400 (breaks Okta's push of an empty group; RFC 7644 §3.5.2.3)";
    CursorRepeatsPage, "cursor-repeats-page", Defect, "a nextCursor sent back returns the first page again (RFC 9865 §2)";
    CursorAdvertisedMissing, "cursor-advertised-missing", Defect, "the ServiceProviderConfig advertises cursor paging but no page carries nextCursor (RFC 9865 §2)";
    CursorPreviousOnFirst, "cursor-previous-on-first", Defect, "the first cursor page carries a previousCursor (RFC 9865 §2)";
    CursorNoError, "cursor-no-error", Defect, "a cursor the server never issued answers 200 with the first page, not 400 invalidCursor (RFC 9865 §2.1)";
    CursorCountIgnored, "cursor-count-ignored", Defect, "cursor-paged lists ignore count and serve the default page size (RFC 9865 §2)";
    CursorUnsupported, "cursor-unsupported", Allowed, "no cursor paging: the ServiceProviderConfig has no pagination and cursor is ignored (allowed variant; RFC 9865 §4)";
    PatchSchemasRequired, "patch-schemas-required", Allowed, "a PATCH body without schemas is refused with 400 invalidSyntax (allowed variant; RFC 7644 §3.5.2's MUST binds the client; breaks authentik's group rename)";
    LargeMemberAddDrops, "large-member-add-drops", Defect, "a PATCH adding more than 100 members at once stores only the first 100 and answers 200";
    MemberCap100, "member-cap-100", Allowed, "a request may carry at most 100 group members, more is refused with 413 (allowed variant; no RFC sentence sets a minimum)";
    ExtensionDropped, "extension-dropped", Defect, "attributes under a custom User extension are answered 200/201 but not stored; the extension stays declared (RFC 7644 §3.5.1; breaks IdP custom attribute mappings)";
}

impl Fault {
    /// This fault's row of the table.
    pub const fn row(self) -> &'static Row {
        &TABLE[self as usize]
    }

    /// A one-line description (`--list-faults`).
    pub fn describe(self) -> &'static str {
        self.row().description
    }

    /// Every fault, in declaration order.
    pub fn all() -> &'static [Fault] {
        ALL
    }

    /// Whether the fault models behaviour the RFCs allow (an unusual choice, not a defect): the
    /// catalogue must report no MUST/SHOULD/MAY failure under it.
    pub fn is_allowed_variant(self) -> bool {
        self.row().class == Class::Allowed
    }

    /// The CLI spelling, e.g. `patch-ignored`.
    pub const fn name(self) -> &'static str {
        self.row().name
    }

    /// The fault whose CLI spelling is `name` (exactly).
    pub fn named(name: &str) -> Option<Fault> {
        TABLE.iter().find(|r| r.name == name).map(|r| r.fault)
    }
}

impl clap::ValueEnum for Fault {
    fn value_variants<'a>() -> &'a [Self] {
        ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name()).help(self.describe()))
    }
}
