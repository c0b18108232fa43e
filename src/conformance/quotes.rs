//! The RFC sentence behind every check: the one that carries the keyword of its level (MUST,
//! SHALL, REQUIRED → must; SHOULD, RECOMMENDED → should; MAY, OPTIONAL → may). Interoperability
//! advice and IdP dialect checks quote the closest RFC text, which shows that no keyword binds the
//! server. `--list`, docs/checks.md and every report read it from here; a unit test keeps each
//! quote's keyword in step with its check's level. A bracketed `[RFC n §x]` inside a quote names
//! the source of the sentence that follows it; "…" marks omitted text.

/// `(check id, RFC section of the quoted sentence, the sentence)`, in catalogue order.
pub const QUOTES: &[(&str, &str, &str)] = &[
    (
        "discovery.spc.get",
        "RFC 7644 §4",
        "This endpoint SHALL return responses with a JSON object using a \"schemas\" attribute of \"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig\".",
    ),
    (
        "discovery.spc.required-fields",
        "RFC 7643 §5",
        "patch A complex type that specifies PATCH configuration options. REQUIRED. … bulk … REQUIRED. … maxOperations An integer value specifying the maximum number of operations. REQUIRED. maxPayloadSize … REQUIRED. filter … REQUIRED. … maxResults An integer value specifying the maximum number of resources returned in a response. REQUIRED. changePassword … REQUIRED. sort … REQUIRED. etag … REQUIRED.",
    ),
    (
        "discovery.spc.auth-schemes",
        "RFC 7643 §5",
        "type The authentication scheme. This specification defines the values \"oauth\", \"oauth2\", \"oauthbearertoken\", \"httpbasic\", and \"httpdigest\". REQUIRED. name The common authentication scheme name, e.g., HTTP Basic. REQUIRED. description A description of the authentication scheme. REQUIRED.",
    ),
    (
        "discovery.spc.params-ignored",
        "RFC 7644 §4",
        "Query parameters described in Section 3.4.2, such as filtering, sorting, and pagination, SHALL be ignored.",
    ),
    (
        "discovery.filter-403",
        "RFC 7644 §4",
        "If a \"filter\" is provided, the service provider SHOULD respond with HTTP status code 403 (Forbidden) to ensure that clients cannot incorrectly assume that any matching conditions specified in a filter are true.",
    ),
    (
        "discovery.resource-types.list",
        "RFC 7644 §4",
        "When returning multiple ResourceTypes or Schemas, the message form described by the \"urn:ietf:params:scim:api:messages:2.0:ListResponse\" (ListResponse) form SHALL be used as shown in Figure 3 and in Figure 9 below.",
    ),
    (
        "discovery.resource-types.fields",
        "RFC 7643 §6",
        "Unlike other core resources, all attributes are REQUIRED unless otherwise specified. … name The resource type name. … REQUIRED. … endpoint The resource type's HTTP-addressable endpoint relative to the Base URL of the service provider, e.g., \"Users\". REQUIRED. schema The resource type's primary/base schema URI … REQUIRED.",
    ),
    (
        "discovery.resource-types.endpoint-relative",
        "RFC 7643 §6",
        "endpoint The resource type's HTTP-addressable endpoint relative to the Base URL of the service provider, e.g., \"Users\". REQUIRED.",
    ),
    (
        "discovery.resource-types.by-id",
        "RFC 7644 §4",
        "In cases where a request is for a specific \"ResourceType\" or \"Schema\", the single JSON object is returned in the same way that a single User or Group is retrieved, as per Section 3.4.1.",
    ),
    (
        "discovery.resource-types.unknown-404",
        "RFC 7644 §3.12",
        "Implementers SHOULD handle the identified HTTP status codes as described below. … 404 (Not Found) … Specified resource (e.g., User) or endpoint does not exist.",
    ),
    (
        "discovery.schemas.list",
        "RFC 7644 §4",
        "An HTTP GET to the endpoint \"/Schemas\" SHALL return all supported schemas in ListResponse format (see Figure 3).",
    ),
    (
        "discovery.schemas.by-id",
        "RFC 7644 §4",
        "Individual schema definitions can be returned by appending the schema URI to the /Schemas endpoint. For example: /Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
    ),
    (
        "discovery.schemas.core-user",
        "RFC 7643 §4.1.1",
        "Each User MUST include a non-empty userName value. This identifier MUST be unique across the service provider's entire set of Users. This attribute is REQUIRED and is case insensitive. … The mutability of the password attribute is \"writeOnly\", indicating that the value MUST NOT be returned by a service provider in any form (the attribute characteristic \"returned\" is \"never\").",
    ),
    (
        "discovery.read-only-405",
        "RFC 7644 §4",
        "SCIM 2 defines three endpoints to facilitate discovery of SCIM service provider features and schema that MAY be retrieved using HTTP GET",
    ),
    (
        "discovery.schemas.characteristics",
        "RFC 7643 §7",
        "Unlike other core resources, the \"Schema\" resource MAY contain a complex object within a sub-attribute, and all attributes are REQUIRED unless otherwise specified. … type The attribute's data type. Valid values are \"string\", \"boolean\", \"decimal\", \"integer\", \"dateTime\", \"reference\", and \"complex\".",
    ),
    (
        "users.create.status-201",
        "RFC 7644 §3.3",
        "When the service provider successfully creates the new resource, an HTTP response SHALL be returned with HTTP status code 201 (Created).",
    ),
    (
        "users.create.location",
        "RFC 7644 §3.3",
        "The URI of the created resource SHALL include, in the HTTP \"Location\" header and the HTTP body, a JSON representation [RFC7159] with the attribute \"meta.location\".",
    ),
    (
        "users.create.location-resolves",
        "RFC 7643 §2.3.7",
        "The value MUST be the absolute or relative URI of the target resource. … An HTTP client performing a GET operation on a reference URI MUST receive the target resource or an appropriate HTTP response code.",
    ),
    (
        "users.create.server-issued-id",
        "RFC 7644 §3.3",
        "Attributes in the request body, whose mutability is \"readOnly\" (see Sections 2.2 and 7 of [RFC7643]), SHALL be ignored.",
    ),
    (
        "users.create.meta",
        "RFC 7644 §3.3.1",
        "When adding a resource to a specific endpoint, the meta attribute \"resourceType\" SHALL be set by the HTTP service provider to the corresponding resource type for the endpoint.",
    ),
    (
        "users.create.no-invented-external-id",
        "RFC 7643 §3.1",
        "The value of the \"externalId\" attribute is always issued by the provisioning client and MUST NOT be specified by the service provider.",
    ),
    (
        "users.meta.last-modified-advances",
        "RFC 7643 §3.1",
        "lastModified The most recent DateTime that the details of this resource were updated at the service provider. If this resource has never been modified since its initial creation, the value MUST be the same as the value of \"created\".",
    ),
    (
        "users.create.missing-required",
        "RFC 7643 §4.1.1",
        "Each User MUST include a non-empty userName value.",
    ),
    (
        "users.create.malformed-json",
        "RFC 7644 §3.12",
        "Implementers SHOULD handle the identified HTTP status codes as described below. … 400 (Bad Request) … Request is unparsable, syntactically incorrect, or violates schema.",
    ),
    (
        "users.create.uniqueness",
        "RFC 7644 §3.3",
        "If the service provider determines that the creation of the requested resource conflicts with existing resources (e.g., a \"User\" resource with a duplicate \"userName\"), the service provider MUST return HTTP status code 409 (Conflict) with a \"scimType\" error code of \"uniqueness\", as per Section 3.12.",
    ),
    (
        "users.create.uniqueness-case-insensitive",
        "RFC 7643 §4.1.1",
        "This identifier MUST be unique across the service provider's entire set of Users. This attribute is REQUIRED and is case insensitive.",
    ),
    (
        "users.create.password-never-returned",
        "RFC 7643 §4.1.1",
        "The mutability of the password attribute is \"writeOnly\", indicating that the value MUST NOT be returned by a service provider in any form (the attribute characteristic \"returned\" is \"never\").",
    ),
    (
        "users.get.status-200",
        "RFC 7643 §2.3.7",
        "An HTTP client performing a GET operation on a reference URI MUST receive the target resource or an appropriate HTTP response code.",
    ),
    (
        "users.get.unknown-404",
        "RFC 7644 §3.12",
        "Implementers SHOULD handle the identified HTTP status codes as described below. … 404 (Not Found) … Specified resource (e.g., User) or endpoint does not exist.",
    ),
    (
        "users.put.replaces",
        "RFC 7644 §3.5.1",
        "readWrite, writeOnly Any values provided SHALL replace the existing attribute values.",
    ),
    (
        "users.put.user-name-case-change",
        "RFC 7644 §3.5.1",
        "readWrite, writeOnly  Any values provided SHALL replace the existing attribute values.",
    ),
    (
        "users.put.unknown-404",
        "RFC 7644 §3.12",
        "Implementers SHOULD handle the identified HTTP status codes as described below. … 404 (Not Found) … Specified resource (e.g., User) or endpoint does not exist.",
    ),
    (
        "users.delete.status-204",
        "RFC 7644 §3.6",
        "In response to a successful DELETE, the server SHALL return a successful HTTP status code 204 (No Content).",
    ),
    (
        "users.delete.gone",
        "RFC 7644 §3.6",
        "Service providers MAY choose not to permanently delete the resource but MUST return a 404 (Not Found) error code for all operations associated with the previously deleted resource. Service providers MUST omit the resource from future query results.",
    ),
    (
        "users.deactivate.roundtrip",
        "RFC 7644 §3.5.1",
        "readWrite, writeOnly Any values provided SHALL replace the existing attribute values.",
    ),
    (
        "transport.content-type",
        "RFC 7644 §8.1",
        "Applications intending to use the SCIM protocol SHOULD use the \"application/scim+json\" media type.",
    ),
    (
        "auth.missing-401",
        "RFC 7644 §3.12",
        "When returning HTTP error status codes, implementers MUST return the errors in the body of the response in a JSON format, using the attributes described below. [RFC 7235 §3.1] The 401 (Unauthorized) status code indicates that the request has not been applied because it lacks valid authentication credentials for the target resource.",
    ),
    (
        "auth.www-authenticate",
        "RFC 7235 §3.1",
        "The server generating a 401 response MUST send a WWW-Authenticate header field (Section 4.1) containing at least one challenge applicable to the target resource.",
    ),
    (
        "errors.status-string",
        "RFC 7644 §3.12",
        "status  The HTTP status code (see Section 6 of [RFC7231]) expressed as a JSON string.  REQUIRED.",
    ),
    (
        "messages.user.schema",
        "RFC 7643 §3.1",
        "Each representation of the resource MUST include a non-empty \"id\" value.",
    ),
    (
        "messages.group.schema",
        "RFC 7643 §4.2",
        "displayName A human-readable name for the Group. REQUIRED.",
    ),
    (
        "messages.list-response.schema",
        "RFC 7644 §3.4.2",
        "Responses MUST be identified using the following URI: \"urn:ietf:params:scim:api:messages:2.0:ListResponse\". … totalResults … REQUIRED.",
    ),
    (
        "messages.error.schema",
        "RFC 7644 §3.12",
        "In addition to returning an HTTP response code, implementers MUST return the errors in the body of the response in a JSON format, using the attributes described below. … status The HTTP status code (see Section 6 of [RFC7231]) expressed as a JSON string. REQUIRED.",
    ),
    (
        "messages.service-provider-config.schema",
        "RFC 7643 §5",
        "patch A complex type that specifies PATCH configuration options. REQUIRED. … authenticationSchemes … REQUIRED.",
    ),
    (
        "groups.create.status-201",
        "RFC 7644 §3.3",
        "When the service provider successfully creates the new resource, an HTTP response SHALL be returned with HTTP status code 201 (Created). … The URI of the created resource SHALL include, in the HTTP \"Location\" header and the HTTP body, a JSON representation [RFC7159] with the attribute \"meta.location\".",
    ),
    (
        "groups.create.members-echoed",
        "RFC 7643 §2.3.7",
        "The value MUST be the absolute or relative URI of the target resource. … An HTTP client performing a GET operation on a reference URI MUST receive the target resource or an appropriate HTTP response code.",
    ),
    (
        "groups.create.members-stored",
        "RFC 7644 §3.3",
        "Since the server is free to alter and/or ignore POSTed content, returning the full representation can be useful to the client, enabling it to correlate the client and server views of the new resource.",
    ),
    (
        "groups.create.display-name-required",
        "RFC 7643 §4.2",
        "displayName A human-readable name for the Group. REQUIRED.",
    ),
    (
        "groups.create.unknown-member-rejected",
        "RFC 7643 §2.3.7",
        "A SCIM service provider MAY choose to enforce referential integrity for reference types referring to SCIM resources.",
    ),
    (
        "groups.patch.unknown-member-rejected",
        "RFC 7643 §2.3.7",
        "A SCIM service provider MAY choose to enforce referential integrity for reference types referring to SCIM resources.",
    ),
    (
        "groups.patch.add-member",
        "RFC 7644 §3.5.2",
        "If the target location specifies a multi-valued attribute, a new value is added to the attribute. (§3.5.2.1) … A PATCH request, regardless of the number of operations, SHALL be treated as atomic. If a single operation encounters an error condition, the original SCIM resource MUST be restored, and a failure status SHALL be returned.",
    ),
    (
        "groups.patch.add-existing-member-noop",
        "RFC 7644 §3.5.2.1",
        "If the target location already contains the value specified, no changes SHOULD be made to the resource, and a success response SHOULD be returned. Unless other operations change the resource, this operation SHALL NOT change the modify timestamp of the resource.",
    ),
    (
        "groups.patch.remove-by-filter",
        "RFC 7644 §3.5.2.2",
        "If the target location is a complex multi-valued attribute and a complex filter is specified based on the attribute's sub-attributes, the matching records are removed. Sub-attributes whose values have been removed SHALL be considered unassigned.",
    ),
    (
        "groups.patch.remove-all",
        "RFC 7644 §3.5.2.2",
        "If the target location is a multi-valued attribute and no filter is specified, the attribute and all values are removed, and the attribute SHALL be considered unassigned.",
    ),
    (
        "groups.patch.remove-value-array",
        "RFC 7644 §3.5.2.2",
        "The \"remove\" operation removes the value at the target location specified by the required attribute \"path\".",
    ),
    (
        "groups.patch.replace-members",
        "RFC 7644 §3.5.2.3",
        "If the target location is a multi-valued attribute and no filter is specified, the attribute and all values are replaced. … A PATCH request, regardless of the number of operations, SHALL be treated as atomic. If a single operation encounters an error condition, the original SCIM resource MUST be restored, and a failure status SHALL be returned.",
    ),
    (
        "groups.patch.pathless-replace-members",
        "RFC 7644 §3.5.2.3",
        "If the \"path\" parameter is omitted, the target is assumed to be the resource itself. In this case, the \"value\" attribute SHALL contain a list of one or more attributes that are to be replaced.",
    ),
    (
        "groups.patch.pathless-replace-display-name",
        "RFC 7644 §3.5.2",
        "An operation that is not compatible with an attribute's mutability or schema SHALL return the appropriate HTTP response status code and a JSON detail error response as defined in Section 3.12.",
    ),
    (
        "groups.put.empty-members",
        "RFC 7644 §3.5.1",
        "readWrite, writeOnly Any values provided SHALL replace the existing attribute values.",
    ),
    (
        "groups.get.excluded-members",
        "RFC 7644 §3.9",
        "excludedAttributes When specified, each resource returned MUST contain the minimum set of resource attributes. Additionally, the default set of attributes minus those attributes listed in \"excludedAttributes\" is returned. (§3.4.2.5: \"SCIM clients MAY use one of these two OPTIONAL parameters, which MUST be supported by SCIM service providers\")",
    ),
    (
        "groups.list.excluded-members",
        "RFC 7644 §3.4.2.5",
        "SCIM clients MAY use one of these two OPTIONAL parameters, which MUST be supported by SCIM service providers: … excludedAttributes A multi-valued list of strings indicating the names of resource attributes to be removed from the default set of attributes to return.",
    ),
    (
        "groups.filter.display-name",
        "RFC 7644 §3.4.2.2",
        "When specified, only those resources matching the filter expression SHALL be returned.",
    ),
    (
        "groups.filter.members-value-path",
        "RFC 7644 §3.4.2.2",
        "Service providers MAY support complex filters where expressions MUST be applied to the same value of a parent attribute specified immediately before the left square bracket (\"[\").",
    ),
    (
        "groups.filter.members-value",
        "RFC 7644 §3.4.2.2",
        "When specified, only those resources matching the filter expression SHALL be returned. … If the specified attribute in a filter expression is a multi-valued attribute, the filter matches if any of the values of the specified attribute match the specified criterion",
    ),
    (
        "groups.user-groups.read-only",
        "RFC 7643 §4.1.2",
        "Since this attribute has a mutability of \"readOnly\", group membership changes MUST be applied via the \"Group\" Resource (Section 4.2). This attribute has a mutability of \"readOnly\".",
    ),
    (
        "groups.user-groups.reflects-membership",
        "RFC 7643 §4.1.2",
        "groups A list of groups to which the user belongs, either through direct membership, through nested groups, or dynamically calculated. … If the SCIM service provider exposes a \"Group\" resource, the \"value\" sub-attribute MUST be the \"id\", and the \"$ref\" sub-attribute must be the URI of the corresponding \"Group\" resources to which the user belongs.",
    ),
    (
        "groups.delete-user.removes-membership",
        "RFC 7644 §3.6",
        "Service providers MAY choose not to permanently delete the resource but MUST return a 404 (Not Found) error code for all operations associated with the previously deleted resource.",
    ),
    (
        "me.unsupported-501",
        "RFC 7644 §3.11",
        "A service provider that does NOT support this feature SHOULD respond with HTTP status code 501 (Not Implemented).",
    ),
    (
        "me.get.subject",
        "RFC 7644 §3.11",
        "A service provider MAY process the SCIM request directly. In any response, the HTTP \"Location\" header MUST be the permanent location of the aliased resource associated with the authenticated subject.",
    ),
    (
        "me.write.same-as-users",
        "RFC 7644 §3.11",
        "A client MAY use a URL of the form \"<base-URI>/Me\" as a URI alias for the User or other resource associated with the currently authenticated subject for any SCIM operation. … In any response, the HTTP \"Location\" header MUST be the permanent location of the aliased resource associated with the authenticated subject.",
    ),
    (
        "filter.op.eq",
        "RFC 7644 §3.4.2.2",
        "When specified, only those resources matching the filter expression SHALL be returned. … eq equal The attribute and operator values must be identical for a match.",
    ),
    (
        "filter.op.ne",
        "RFC 7644 §3.4.2.2",
        "When specified, only those resources matching the filter expression SHALL be returned. … ne not equal The attribute and operator values are not identical.",
    ),
    (
        "filter.op.co",
        "RFC 7644 §3.4.2.2",
        "When specified, only those resources matching the filter expression SHALL be returned. … co contains The entire operator value must be a substring of the attribute value for a match.",
    ),
    (
        "filter.op.sw",
        "RFC 7644 §3.4.2.2",
        "When specified, only those resources matching the filter expression SHALL be returned. … sw starts with The entire operator value must be a substring of the attribute value, starting at the beginning of the attribute value. This criterion is satisfied if the two strings are identical.",
    ),
    (
        "filter.op.ew",
        "RFC 7644 §3.4.2.2",
        "When specified, only those resources matching the filter expression SHALL be returned. … ew ends with The entire operator value must be a substring of the attribute value, matching at the end of the attribute value. This criterion is satisfied if the two strings are identical.",
    ),
    (
        "filter.op.pr",
        "RFC 7644 §3.4.2.2",
        "When specified, only those resources matching the filter expression SHALL be returned. … pr present (has value) If the attribute has a non-empty value, or if it contains a non-empty node for complex attributes, there is a match.",
    ),
    (
        "filter.op.gt",
        "RFC 7644 §3.4.2.2",
        "When specified, only those resources matching the filter expression SHALL be returned. … gt greater than If the attribute value is greater than the operator value, there is a match. The actual comparison is dependent on the attribute type. For string attribute types, this is a lexicographical comparison, and for DateTime types, it is a chronological comparison.",
    ),
    (
        "filter.op.ge",
        "RFC 7644 §3.4.2.2",
        "When specified, only those resources matching the filter expression SHALL be returned. … ge greater than or equal to If the attribute value is greater than or equal to the operator value, there is a match.",
    ),
    (
        "filter.op.lt",
        "RFC 7644 §3.4.2.2",
        "When specified, only those resources matching the filter expression SHALL be returned. … lt less than If the attribute value is less than the operator value, there is a match.",
    ),
    (
        "filter.op.le",
        "RFC 7644 §3.4.2.2",
        "When specified, only those resources matching the filter expression SHALL be returned. … le less than or equal to If the attribute value is less than or equal to the operator value, there is a match.",
    ),
    (
        "filter.eq.case-insensitive",
        "RFC 7644 §3.4.2.2",
        "When comparing attributes of type String, the case sensitivity for String type attributes SHALL be determined by the attribute's \"caseExact\" characteristic (see Section 2.2 of [RFC7643]).",
    ),
    (
        "filter.eq.case-exact",
        "RFC 7644 §3.4.2.2",
        "When comparing attributes of type String, the case sensitivity for String type attributes SHALL be determined by the attribute's \"caseExact\" characteristic (see Section 2.2 of [RFC7643]).",
    ),
    (
        "filter.keywords.case-insensitive",
        "RFC 7644 §3.4.2.2",
        "Attribute names and attribute operators used in filters are case insensitive. … When specified, only those resources matching the filter expression SHALL be returned.",
    ),
    (
        "filter.logic.and",
        "RFC 7644 §3.4.2.2",
        "When specified, only those resources matching the filter expression SHALL be returned. … and Logical \"and\" The filter is only a match if both expressions evaluate to true.",
    ),
    (
        "filter.logic.or",
        "RFC 7644 §3.4.2.2",
        "When specified, only those resources matching the filter expression SHALL be returned. … or Logical \"or\" The filter is a match if either expression evaluates to true.",
    ),
    (
        "filter.logic.precedence",
        "RFC 7644 §3.4.2.2",
        "Filters MUST be evaluated using the following order of operations, in order of precedence: 1. Grouping operators 2. Logical operators - where \"not\" takes precedence over \"and\", which takes precedence over \"or\" 3. Attribute operators",
    ),
    (
        "filter.logic.grouping",
        "RFC 7644 §3.4.2.2",
        "Filters MUST be evaluated using the following order of operations, in order of precedence: 1. Grouping operators … ( ) Precedence grouping Boolean expressions MAY be grouped using parentheses to change the standard order of operations, i.e., to evaluate logical \"or\" operators before logical \"and\" operators.",
    ),
    (
        "filter.logic.not",
        "RFC 7644 §3.4.2.2",
        "When specified, only those resources matching the filter expression SHALL be returned. … not \"Not\" function The filter is a match if the expression evaluates to false.",
    ),
    (
        "filter.value-path",
        "RFC 7644 §3.4.2.2",
        "Service providers MAY support complex filters where expressions MUST be applied to the same value of a parent attribute specified immediately before the left square bracket (\"[\").",
    ),
    (
        "filter.sub-attribute",
        "RFC 7644 §3.4.2.2",
        "For complex attributes, a fully qualified sub-attribute MUST be specified using standard attribute notation (Section 3.10). … When specified, only those resources matching the filter expression SHALL be returned.",
    ),
    (
        "filter.multi-valued-sub-attribute",
        "RFC 7644 §3.4.2.2",
        "When specified, only those resources matching the filter expression SHALL be returned. … If the specified attribute in a filter expression is a multi-valued attribute, the filter matches if any of the values of the specified attribute match the specified criterion; e.g., if a User has multiple \"emails\" values, only one has to match for the entire User to match.",
    ),
    (
        "filter.urn-qualified",
        "RFC 7644 §3.4.2.2",
        "SCIM filters MUST conform to the following ABNF [RFC5234] rules as specified below: … attrPath = [URI \":\"] ATTRNAME *1subAttr … When specified, only those resources matching the filter expression SHALL be returned.",
    ),
    (
        "filter.date-time",
        "RFC 7644 §3.4.2.2",
        "When specified, only those resources matching the filter expression SHALL be returned. … gt greater than … For string attribute types, this is a lexicographical comparison, and for DateTime types, it is a chronological comparison.",
    ),
    (
        "filter.boolean",
        "RFC 7644 §3.4.2.2",
        "When specified, only those resources matching the filter expression SHALL be returned. … compValue = false / null / true / number / string",
    ),
    (
        "filter.escapes",
        "RFC 7644 §3.4.2.2",
        "SCIM filters MUST conform to the following ABNF [RFC5234] rules as specified below: … In the above ABNF rules, the \"compValue\" (comparison value) rule is built on JSON Data Interchange format ABNF rules as specified in [RFC7159] … When specified, only those resources matching the filter expression SHALL be returned.",
    ),
    (
        "filter.error.syntax",
        "RFC 7644 §3.4.2.2",
        "Providers MUST decline to filter results if the specified filter operation is not recognized and return an HTTP 400 error with a \"scimType\" error of \"invalidFilter\" and an appropriate human-readable response as per Section 3.12.",
    ),
    (
        "filter.error.ordering-on-boolean",
        "RFC 7644 §3.4.2.2",
        "gt … Boolean and Binary attributes SHALL cause a failed response (HTTP status code 400) with \"scimType\" of \"invalidFilter\".",
    ),
    (
        "filter.error.unknown-attribute",
        "RFC 7644 §3.4.2.1",
        "For filtered attributes that are not part of a particular resource type, the service provider SHALL treat the attribute as if there is no attribute value. For example, a presence or equality filter for an undefined attribute evaluates as false. … (§3.4.2.2) When specified, only those resources matching the filter expression SHALL be returned.",
    ),
    (
        "filter.miss.empty-list",
        "RFC 7644 §3.4.2",
        "A query that does not return any matches SHALL return success (HTTP status code 200) with \"totalResults\" set to a value of 0.",
    ),
    (
        "filter.miss.entra-lookup",
        "RFC 7644 §3.4.2",
        "A query that does not return any matches SHALL return success (HTTP status code 200) with \"totalResults\" set to a value of 0.",
    ),
    (
        "pagination.list.shape",
        "RFC 7644 §3.4.2",
        "Responses MUST be identified using the following URI: \"urn:ietf:params:scim:api:messages:2.0:ListResponse\". … totalResults … REQUIRED. Resources … REQUIRED if \"totalResults\" is non-zero.",
    ),
    (
        "pagination.total-results",
        "RFC 7644 §3.4.2",
        "totalResults The total number of results returned by the list or query operation. The value may be larger than the number of resources returned, such as when returning a single page (see Section 3.4.2.4) of results where multiple pages are available. REQUIRED.",
    ),
    (
        "pagination.start-index.echo",
        "RFC 7644 §3.4.2",
        "startIndex The 1-based index of the first result in the current set of list results. REQUIRED when partial results are returned due to pagination. itemsPerPage The number of resources returned in a list response page. REQUIRED when partial results are returned due to pagination.",
    ),
    (
        "pagination.items-per-page",
        "RFC 7644 §3.4.2",
        "itemsPerPage The number of resources returned in a list response page. REQUIRED when partial results are returned due to pagination.",
    ),
    (
        "pagination.count.caps",
        "RFC 7644 §3.4.2.4",
        "When specified, the service provider MUST NOT return more results than specified, although it MAY return fewer results.",
    ),
    (
        "pagination.count.zero",
        "RFC 7644 §3.4.2.4",
        "count … A value of \"0\" indicates that no resource results are to be returned except for \"totalResults\". … When specified, the service provider MUST NOT return more results than specified, although it MAY return fewer results.",
    ),
    (
        "pagination.count.negative",
        "RFC 7644 §3.4.2.4",
        "count Non-negative integer. Specifies the desired maximum number of query results per page, e.g., 10. A negative value SHALL be interpreted as \"0\".",
    ),
    (
        "pagination.count.above-max",
        "RFC 7644 §3.4.2.4",
        "If unspecified, the maximum number of results is set by the service provider.",
    ),
    (
        "pagination.start-index.below-one",
        "RFC 7644 §3.4.2.4",
        "startIndex The 1-based index of the first query result. A value less than 1 SHALL be interpreted as 1.",
    ),
    (
        "pagination.start-index.one-based",
        "RFC 7644 §3.4.2.4",
        "startIndex The 1-based index of the first query result. A value less than 1 SHALL be interpreted as 1.",
    ),
    (
        "pagination.start-index.past-end",
        "RFC 7644 §3.4.2.4",
        "startIndex The 1-based index of the first query result. A value less than 1 SHALL be interpreted as 1.",
    ),
    (
        "pagination.walk",
        "RFC 7644 §3.4.2.4",
        "Because pagination is not stateful, clients MUST be prepared to handle inconsistent results. For example, a request for a list of 10 resources beginning with a startIndex of 1 MAY return different results when repeated",
    ),
    (
        "sort.ascending-default",
        "RFC 7644 §3.4.2.3",
        "If a value for \"sortBy\" is provided and no \"sortOrder\" is specified, \"sortOrder\" SHALL default to ascending.",
    ),
    (
        "sort.descending",
        "RFC 7644 §3.4.2.3",
        "sortBy The \"sortBy\" parameter specifies the attribute whose value SHALL be used to order the returned responses. … sortOrder The order in which the \"sortBy\" parameter is applied. Allowed values are \"ascending\" and \"descending\".",
    ),
    (
        "sort.case-insensitive",
        "RFC 7644 §3.4.2.3",
        "\"sortOrder\" MUST sort according to the attribute type; i.e., for case-insensitive attributes, sort the result using case-insensitive Unicode alphabetic sort order with no specific locale implied, and for case-exact attribute types, sort the result using case-sensitive Unicode alphabetic sort order.",
    ),
    (
        "sort.case-exact",
        "RFC 7644 §3.4.2.3",
        "\"sortOrder\" MUST sort according to the attribute type; i.e., for case-insensitive attributes, sort the result using case-insensitive Unicode alphabetic sort order with no specific locale implied, and for case-exact attribute types, sort the result using case-sensitive Unicode alphabetic sort order.",
    ),
    (
        "sort.multi-valued-primary",
        "RFC 7644 §3.4.2.3",
        "The \"sortBy\" parameter specifies the attribute whose value SHALL be used to order the returned responses. If the \"sortBy\" attribute corresponds to a singular attribute, resources are sorted according to that attribute's value; if it's a multi-valued attribute, resources are sorted by the value of the primary attribute (see Section 2.4 of [RFC7643]), if any, or else the first value in the list, if any.",
    ),
    (
        "sort.sub-attribute",
        "RFC 7644 §3.4.2.3",
        "The \"sortBy\" parameter specifies the attribute whose value SHALL be used to order the returned responses. … If the attribute is complex, the attribute name must be a path to a sub-attribute in standard attribute notation (Section 3.10), e.g., \"sortBy=name.givenName\".",
    ),
    (
        "sort.missing-values",
        "RFC 7644 §3.4.2.3",
        "The \"sortBy\" parameter specifies the attribute whose value SHALL be used to order the returned responses. … For all attribute types, if there is no data for the specified \"sortBy\" value, they are sorted via the \"sortOrder\" parameter, i.e., they are ordered last if ascending and first if descending.",
    ),
    (
        "sort.across-pages",
        "RFC 7644 §3.4.2.3",
        "The \"sortBy\" parameter specifies the attribute whose value SHALL be used to order the returned responses. … (§3.4.2.4) startIndex The 1-based index of the first query result.",
    ),
    (
        "attributes.get.only-requested",
        "RFC 7644 §3.9",
        "attributes When specified, the default list of attributes SHALL be overridden, and each resource returned MUST contain the minimum set of resource attributes and any attributes or sub-attributes explicitly requested by the \"attributes\" parameter.",
    ),
    (
        "attributes.get.always-returned",
        "RFC 7644 §3.9",
        "attributes When specified, the default list of attributes SHALL be overridden, and each resource returned MUST contain the minimum set of resource attributes and any attributes or sub-attributes explicitly requested by the \"attributes\" parameter.",
    ),
    (
        "attributes.get.sub-attribute",
        "RFC 7644 §3.9",
        "attributes When specified, the default list of attributes SHALL be overridden, and each resource returned MUST contain the minimum set of resource attributes and any attributes or sub-attributes explicitly requested by the \"attributes\" parameter.",
    ),
    (
        "attributes.get.multi-valued-sub-attribute",
        "RFC 7644 §3.9",
        "attributes When specified, the default list of attributes SHALL be overridden, and each resource returned MUST contain the minimum set of resource attributes and any attributes or sub-attributes explicitly requested by the \"attributes\" parameter.",
    ),
    (
        "attributes.get.case-insensitive",
        "RFC 7644 §3.10",
        "All facets (URN, attribute, and sub-attribute name) of the fully encoded attribute name are case insensitive. … (§3.9) attributes When specified, the default list of attributes SHALL be overridden, and each resource returned MUST contain the minimum set of resource attributes and any attributes or sub-attributes explicitly requested by the \"attributes\" parameter.",
    ),
    (
        "attributes.get.extension-attribute",
        "RFC 7644 §3.9",
        "attributes When specified, the default list of attributes SHALL be overridden, and each resource returned MUST contain the minimum set of resource attributes and any attributes or sub-attributes explicitly requested by the \"attributes\" parameter. … (§3.10) In general, attributes are uniquely identified by prefixing the attribute name with its schema URN separated by a colon (\":\") character",
    ),
    (
        "attributes.get.excluded",
        "RFC 7644 §3.9",
        "excludedAttributes When specified, each resource returned MUST contain the minimum set of resource attributes. Additionally, the default set of attributes minus those attributes listed in \"excludedAttributes\" is returned. (§3.4.2.5: \"SCIM clients MAY use one of these two OPTIONAL parameters, which MUST be supported by SCIM service providers\")",
    ),
    (
        "attributes.get.excluded-sub-attribute",
        "RFC 7644 §3.4.2.5",
        "SCIM clients MAY use one of these two OPTIONAL parameters, which MUST be supported by SCIM service providers: … excludedAttributes … Attribute names MUST be in standard attribute notation (Section 3.10) form.",
    ),
    (
        "attributes.get.excluded-always",
        "RFC 7644 §3.4.2.5",
        "excludedAttributes … This parameter SHALL have no effect on attributes whose schema \"returned\" setting is \"always\" (see Sections 2.2 and 7 of [RFC7643]).",
    ),
    (
        "attributes.returned-never.password",
        "RFC 7643 §4.1.1",
        "The mutability of the password attribute is \"writeOnly\", indicating that the value MUST NOT be returned by a service provider in any form (the attribute characteristic \"returned\" is \"never\").",
    ),
    (
        "attributes.list.only-requested",
        "RFC 7644 §3.4.2.5",
        "SCIM clients MAY use one of these two OPTIONAL parameters, which MUST be supported by SCIM service providers … (§3.9) attributes When specified, the default list of attributes SHALL be overridden, and each resource returned MUST contain the minimum set of resource attributes and any attributes or sub-attributes explicitly requested by the \"attributes\" parameter.",
    ),
    (
        "attributes.list.always-returned",
        "RFC 7644 §3.9",
        "attributes When specified, the default list of attributes SHALL be overridden, and each resource returned MUST contain the minimum set of resource attributes and any attributes or sub-attributes explicitly requested by the \"attributes\" parameter.",
    ),
    (
        "attributes.list.excluded",
        "RFC 7644 §3.4.2.5",
        "SCIM clients MAY use one of these two OPTIONAL parameters, which MUST be supported by SCIM service providers … (§3.9) excludedAttributes When specified, each resource returned MUST contain the minimum set of resource attributes. Additionally, the default set of attributes minus those attributes listed in \"excludedAttributes\" is returned.",
    ),
    (
        "attributes.search.only-requested",
        "RFC 7644 §3.4.3",
        "attributes A multi-valued list of strings indicating the names of resource attributes to return in the response, overriding the set of attributes that would be returned by default. … After receiving an HTTP POST request, a response is returned as specified in Section 3.4.2. (§3.4.2.5) SCIM clients MAY use one of these two OPTIONAL parameters, which MUST be supported by SCIM service providers",
    ),
    (
        "attributes.post.projection",
        "RFC 7644 §3.3",
        "The response body SHOULD contain the service provider's representation of the newly created resource. … (§3.9) attributes When specified, the default list of attributes SHALL be overridden, and each resource returned MUST contain the minimum set of resource attributes and any attributes or sub-attributes explicitly requested by the \"attributes\" parameter.",
    ),
    (
        "attributes.put.projection",
        "RFC 7644 §3.9",
        "Clients MAY request a partial resource representation on any operation that returns a resource within the response … attributes When specified, the default list of attributes SHALL be overridden, and each resource returned MUST contain the minimum set of resource attributes and any attributes or sub-attributes explicitly requested by the \"attributes\" parameter.",
    ),
    (
        "attributes.patch.projection",
        "RFC 7644 §3.5.2",
        "On successful completion, the server either MUST return a 200 OK response code and the entire resource within the response body, subject to the \"attributes\" query parameter (see Section 3.9), or MAY return HTTP status code 204 (No Content) and the appropriate response headers for a successful PATCH request. The server MUST return a 200 OK if the \"attributes\" parameter is specified in the request.",
    ),
    (
        "attributes.post.excluded",
        "RFC 7644 §3.3",
        "The response body SHOULD contain the service provider's representation of the newly created resource. … (§3.9) excludedAttributes When specified, each resource returned MUST contain the minimum set of resource attributes. Additionally, the default set of attributes minus those attributes listed in \"excludedAttributes\" is returned.",
    ),
    (
        "patch.add.simple",
        "RFC 5789 §2; RFC 7644 §3.5.2.1",
        "[RFC 5789 §2] The server MUST apply the entire set of changes atomically and never provide (e.g., in response to a GET during this operation) a partially modified representation. [RFC 7644 §3.5.2.1] If the target location specifies an attribute that does not exist (has no value), the attribute is added with the new value.",
    ),
    (
        "patch.add.multi-valued",
        "RFC 5789 §2; RFC 7644 §3.5.2.1",
        "[RFC 5789 §2] The server MUST apply the entire set of changes atomically and never provide (e.g., in response to a GET during this operation) a partially modified representation. [RFC 7644 §3.5.2.1] If the target location specifies a multi-valued attribute, a new value is added to the attribute.",
    ),
    (
        "patch.add.no-path",
        "RFC 5789 §2; RFC 7644 §3.5.2.1",
        "[RFC 5789 §2] The server MUST apply the entire set of changes atomically and never provide (e.g., in response to a GET during this operation) a partially modified representation. [RFC 7644 §3.5.2.1] If omitted, the target location is assumed to be the resource itself. The \"value\" parameter contains a set of attributes to be added to the resource.",
    ),
    (
        "patch.add.extension-attribute",
        "RFC 5789 §2; RFC 7644 §3.5.2",
        "[RFC 5789 §2] The server MUST apply the entire set of changes atomically and never provide (e.g., in response to a GET during this operation) a partially modified representation. [RFC 7644 §3.5.2] … adding the attribute \"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber\" automatically adds the value \"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\" to the resource's \"schemas\" attribute.",
    ),
    (
        "patch.replace.simple",
        "RFC 5789 §2; RFC 7644 §3.5.2.3",
        "[RFC 5789 §2] The server MUST apply the entire set of changes atomically and never provide (e.g., in response to a GET during this operation) a partially modified representation. [RFC 7644 §3.5.2.3] If the target location is a single-value attribute, the attributes value is replaced.",
    ),
    (
        "patch.replace.complex-keeps-sub-attributes",
        "RFC 5789 §2; RFC 7644 §3.5.2.3",
        "[RFC 5789 §2] The server MUST apply the entire set of changes atomically and never provide (e.g., in response to a GET during this operation) a partially modified representation. [RFC 7644 §3.5.2.3] If the target location specifies a complex attribute, a set of sub-attributes SHALL be specified in the \"value\" parameter, which replaces any existing values or adds where an attribute did not previously exist. Sub-attributes that are not specified in the \"value\" parameter are left unchanged.",
    ),
    (
        "patch.replace.no-path",
        "RFC 5789 §2; RFC 7644 §3.5.2.3",
        "[RFC 5789 §2] The server MUST apply the entire set of changes atomically and never provide (e.g., in response to a GET during this operation) a partially modified representation. [RFC 7644 §3.5.2.3] If the \"path\" parameter is omitted, the target is assumed to be the resource itself. In this case, the \"value\" attribute SHALL contain a list of one or more attributes that are to be replaced.",
    ),
    (
        "patch.replace.value-path",
        "RFC 5789 §2; RFC 7644 §3.5.2.3",
        "[RFC 5789 §2] The server MUST apply the entire set of changes atomically and never provide (e.g., in response to a GET during this operation) a partially modified representation. [RFC 7644 §3.5.2.3] If the target location is a complex multi-valued attribute with a value selection filter (\"valuePath\") and a specific sub-attribute (e.g., \"addresses[type eq \"work\"].streetAddress\"), the matching sub-attribute of all matching records is replaced.",
    ),
    (
        "patch.replace.value-path-no-match",
        "RFC 7644 §3.5.2.3",
        "If the target location is a multi-valued attribute for which a value selection filter (\"valuePath\") has been supplied and no record match was made, the service provider SHALL indicate failure by returning HTTP status code 400 and a \"scimType\" error code of \"noTarget\".",
    ),
    (
        "patch.replace.absent-adds",
        "RFC 7644 §3.5.2.3",
        "If the target location path specifies an attribute that does not exist, the service provider SHALL treat the operation as an \"add\".",
    ),
    (
        "patch.replace.multi-valued-whole",
        "RFC 5789 §2; RFC 7644 §3.5.2.3",
        "[RFC 5789 §2] The server MUST apply the entire set of changes atomically and never provide (e.g., in response to a GET during this operation) a partially modified representation. [RFC 7644 §3.5.2.3] If the target location is a multi-valued attribute and no filter is specified, the attribute and all values are replaced.",
    ),
    (
        "patch.remove.single",
        "RFC 7644 §3.5.2.2",
        "If the target location is a single-value attribute, the attribute and its associated value is removed, and the attribute SHALL be considered unassigned.",
    ),
    (
        "patch.remove.value-filter",
        "RFC 5789 §2; RFC 7644 §3.5.2.2",
        "[RFC 5789 §2] The server MUST apply the entire set of changes atomically and never provide (e.g., in response to a GET during this operation) a partially modified representation. [RFC 7644 §3.5.2.2] If the target location is a complex multi-valued attribute and a complex filter is specified based on the attribute's sub-attributes, the matching records are removed.",
    ),
    (
        "patch.remove.sub-attribute-filter",
        "RFC 5789 §2; RFC 7644 §3.5.2.2",
        "[RFC 5789 §2] The server MUST apply the entire set of changes atomically and never provide (e.g., in response to a GET during this operation) a partially modified representation. [RFC 7644 §3.5.2.2] The \"remove\" operation removes the value at the target location specified by the required attribute \"path\". … Sub-attributes whose values have been removed SHALL be considered unassigned.",
    ),
    (
        "patch.remove.all-values",
        "RFC 7644 §3.5.2.2",
        "If the target location is a multi-valued attribute and no filter is specified, the attribute and all values are removed, and the attribute SHALL be considered unassigned.",
    ),
    (
        "patch.remove.no-path",
        "RFC 7644 §3.5.2.2, §3.5.2",
        "If \"path\" is unspecified, the operation fails with HTTP status code 400 and a \"scimType\" error code of \"noTarget\". … [§3.5.2] If a request fails, the server SHALL return an HTTP response status code and a JSON detail error response as defined in Section 3.12.",
    ),
    (
        "patch.sequential",
        "RFC 5789 §2; RFC 7644 §3.5.2",
        "[RFC 5789 §2] The server MUST apply the entire set of changes atomically and never provide (e.g., in response to a GET during this operation) a partially modified representation. [RFC 7644 §3.5.2] Operations are applied sequentially in the order they appear in the array. Each operation in the sequence is applied to the target resource; the resulting resource becomes the target of the next operation.",
    ),
    (
        "patch.atomic",
        "RFC 7644 §3.5.2",
        "A PATCH request, regardless of the number of operations, SHALL be treated as atomic. If a single operation encounters an error condition, the original SCIM resource MUST be restored, and a failure status SHALL be returned.",
    ),
    (
        "patch.noop.version-unchanged",
        "RFC 7644 §3.5.2.1",
        "If the target location already contains the value specified, no changes SHOULD be made to the resource, and a success response SHOULD be returned. Unless other operations change the resource, this operation SHALL NOT change the modify timestamp of the resource.",
    ),
    (
        "patch.primary.demote-others",
        "RFC 7644 §3.5.2",
        "For multi-valued attributes, a PATCH operation that sets a value's \"primary\" sub-attribute to \"true\" SHALL cause the server to automatically set \"primary\" to \"false\" for any other values in the array.",
    ),
    (
        "patch.mutability.read-only",
        "RFC 7644 §3.5.2",
        "Each operation against an attribute MUST be compatible with the attribute's mutability and schema as defined in Sections 2.2 and 2.3 of [RFC7643]. … An operation that is not compatible with an attribute's mutability or schema SHALL return the appropriate HTTP response status code and a JSON detail error response as defined in Section 3.12.",
    ),
    (
        "patch.path.malformed",
        "RFC 7644 §3.5.2",
        "A PATCH request, regardless of the number of operations, SHALL be treated as atomic. If a single operation encounters an error condition, the original SCIM resource MUST be restored, and a failure status SHALL be returned. If a request fails, the server SHALL return an HTTP response status code and a JSON detail error response as defined in Section 3.12.",
    ),
    (
        "patch.path.unknown-attribute",
        "RFC 7644 §3.5.2",
        "Each operation against an attribute MUST be compatible with the attribute's mutability and schema as defined in Sections 2.2 and 2.3 of [RFC7643]. … An operation that is not compatible with an attribute's mutability or schema SHALL return the appropriate HTTP response status code and a JSON detail error response as defined in Section 3.12.",
    ),
    (
        "patch.request.schema-required",
        "RFC 7644 §3.5.2",
        "The body of each request MUST contain the \"schemas\" attribute with the URI value of \"urn:ietf:params:scim:api:messages:2.0:PatchOp\".",
    ),
    (
        "patch.request.operations-required",
        "RFC 5789 §2.2; RFC 7644 §3.5.2",
        "[RFC 5789 §2.2] Malformed patch document: When the server determines that the patch document provided by the client is not properly formatted, it SHOULD return a 400 (Bad Request) response. The definition of badly formatted depends on the patch document chosen. [RFC 7644 §3.5.2] The body of an HTTP PATCH request MUST contain the attribute \"Operations\", whose value is an array of one or more PATCH operations.",
    ),
    (
        "patch.request.unknown-op",
        "RFC 5789 §2.2; RFC 7644 §3.5.2",
        "[RFC 5789 §2.2] Malformed patch document: When the server determines that the patch document provided by the client is not properly formatted, it SHOULD return a 400 (Bad Request) response. The definition of badly formatted depends on the patch document chosen. [RFC 7644 §3.5.2] … SCIM servers do not support array indexing and do not support [RFC6902] operation types relating to array element manipulation, such as \"move\".",
    ),
    (
        "patch.response.resource-or-204",
        "RFC 7644 §3.5.2",
        "On successful completion, the server either MUST return a 200 OK response code and the entire resource within the response body, subject to the \"attributes\" query parameter (see Section 3.9), or MAY return HTTP status code 204 (No Content) and the appropriate response headers for a successful PATCH request.",
    ),
    (
        "patch.unknown-resource-404",
        "RFC 7644 §3.12",
        "Implementers SHOULD handle the identified HTTP status codes as described below. … 404 (Not Found) | GET, POST, PUT, PATCH, DELETE | Specified resource (e.g., User) or endpoint does not exist.",
    ),
    (
        "patch.dialect.op-case-insensitive",
        "RFC 7644 §3.5.2",
        "Each PATCH operation object MUST have exactly one \"op\" member, whose value indicates the operation to perform and MAY be one of \"add\", \"remove\", or \"replace\".",
    ),
    (
        "patch.dialect.string-boolean",
        "RFC 7643 §2.3.2",
        "The literal \"true\" or \"false\". The JSON format is defined in Section 3 of [RFC7159]. A boolean has no case sensitivity or uniqueness.",
    ),
    (
        "patch.dialect.pathless-deactivate",
        "RFC 7644 §3.5.2.3",
        "If the \"path\" parameter is omitted, the target is assumed to be the resource itself. In this case, the \"value\" attribute SHALL contain a list of one or more attributes that are to be replaced.",
    ),
    (
        "patch.dialect.manager-string",
        "RFC 7643 §4.3",
        "manager The user's manager. A complex type that optionally allows service providers to represent organizational hierarchy by referencing the … attribute of another User.",
    ),
    (
        "transport.default-media-type",
        "RFC 7644 §8.1, §3.8",
        "[RFC 7644 §8.1] Applications intending to use the SCIM protocol SHOULD use the \"application/scim+json\" media type. [RFC 7644 §3.8] The format defaults to \"application/scim+json\" if no format is specified.",
    ),
    (
        "transport.accept-json",
        "RFC 7644 §3.8",
        "Service providers MUST support the \"Accept\" header \"Accept: application/scim+json\" and SHOULD support the header \"Accept: application/json\", both of which specify JSON documents conforming to [RFC7159].",
    ),
    (
        "transport.request-charset",
        "RFC 7644 §8.1",
        "Type name: application … Subtype name: scim+json … Required parameters: none … Optional parameters: none",
    ),
    (
        "transport.utf8-roundtrip",
        "RFC 7644 §3.8",
        "Servers MUST accept requests and be able to return JSON-structured responses using UTF-8 encoding [RFC3629]. UTF-8 SHALL be the default encoding format.",
    ),
    (
        "transport.unknown-query-param",
        "RFC 7644 §3.4.2",
        "SCIM service providers MAY support additional query parameters not specified here and SHOULD ignore any query parameters they do not recognize instead of rejecting the query for versioning compatibility reasons.",
    ),
    (
        "transport.attribute-name-case",
        "RFC 7643 §2.1; RFC 7644 §3.10",
        "Attribute names are case insensitive and are often \"camel-cased\" (e.g., \"camelCase\"). … [RFC 7644 §3.10] All facets (URN, attribute, and sub-attribute name) of the fully encoded attribute name are case insensitive.",
    ),
    (
        "auth.invalid-token-401",
        "RFC 7644 §2, §3.12",
        "Regardless of methodology, the SCIM service provider MUST be able to map the authenticated client to an access control policy in order to determine the client's authorization to retrieve and update SCIM resources. … [§3.12] Implementers SHOULD handle the identified HTTP status codes as described below. … 401 (Unauthorized) | GET, POST, PUT, PATCH, DELETE | Authorization failure. The authorization header is invalid or missing.",
    ),
    (
        "auth.no-existence-oracle",
        "RFC 7644 §3.12",
        "Implementers SHOULD handle the identified HTTP status codes as described below. … 401 (Unauthorized) | GET, POST, PUT, PATCH, DELETE | Authorization failure. The authorization header is invalid or missing.",
    ),
    (
        "errors.shape",
        "RFC 7644 §3.12",
        "In addition to returning an HTTP response code, implementers MUST return the errors in the body of the response in a JSON format, using the attributes described below. … status The HTTP status code (see Section 6 of [RFC7231]) expressed as a JSON string. REQUIRED.",
    ),
    (
        "errors.content-type",
        "RFC 7644 §8.1",
        "Applications intending to use the SCIM protocol SHOULD use the \"application/scim+json\" media type.",
    ),
    (
        "errors.scim-type",
        "RFC 7644 §3.12",
        "scimType: A SCIM detail error keyword.  See Table 9.  OPTIONAL.",
    ),
    (
        "errors.no-5xx-for-client-errors",
        "RFC 7644 §3.12",
        "Implementers SHOULD handle the identified HTTP status codes as described below. … 400 (Bad Request) | GET, POST, PUT, PATCH, DELETE | Request is unparsable, syntactically incorrect, or violates schema.",
    ),
    (
        "errors.unsupported-501",
        "RFC 7644 §3.12",
        "Implementers SHOULD handle the identified HTTP status codes as described below. … 501 (Not Implemented) | GET, POST, PUT, PATCH, DELETE | Service provider does not support the request operation, e.g., PATCH.",
    ),
    (
        "etag.header",
        "RFC 7644 §3.14",
        "When supported, SCIM ETags MUST be specified as an HTTP header and SHOULD be specified within the 'version' attribute contained in the resource's 'meta' attribute.",
    ),
    (
        "etag.meta-version",
        "RFC 7644 §3.14",
        "When supported, SCIM ETags MUST be specified as an HTTP header and SHOULD be specified within the 'version' attribute contained in the resource's 'meta' attribute.",
    ),
    (
        "etag.changes-on-write",
        "RFC 7232 §2.1",
        "An origin server SHOULD change a weak entity-tag whenever it considers prior representations to be unacceptable as a substitute for the current representation.",
    ),
    (
        "etag.if-none-match",
        "RFC 7232 §3.2",
        "An origin server MUST NOT perform the requested method if the condition evaluates to false; instead, the origin server MUST respond with either a) the 304 (Not Modified) status code if the request method is GET or HEAD or b) the 412 (Precondition Failed) status code for all other request methods.",
    ),
    (
        "etag.if-match-current",
        "RFC 7644 §3.14",
        "If the service provider supports versioning of resources, the client MAY supply an If-Match header (Section 3.1 of [RFC7232]) for PUT and PATCH operations to ensure that the requested operation succeeds only if the supplied ETag matches the latest service provider resource, e.g., If-Match: W/\"e180ee84f0671b1\".",
    ),
    (
        "etag.if-match-stale-put",
        "RFC 7232 §3.1",
        "An origin server MUST NOT perform the requested method if a received If-Match condition evaluates to false; instead, the origin server MUST respond with either a) the 412 (Precondition Failed) status code or b) one of the 2xx (Successful) status codes if the origin server has verified that a state change is being requested and the final state is already reflected in the current state of the target resource …",
    ),
    (
        "etag.if-match-stale-patch",
        "RFC 7232 §3.1",
        "An origin server MUST NOT perform the requested method if a received If-Match condition evaluates to false; instead, the origin server MUST respond with either a) the 412 (Precondition Failed) status code or b) one of the 2xx (Successful) status codes if the origin server has verified that a state change is being requested and the final state is already reflected in the current state of the target resource …",
    ),
    (
        "etag.delete-stale",
        "RFC 7232 §3.1",
        "An origin server MUST NOT perform the requested method if a received If-Match condition evaluates to false; instead, the origin server MUST respond with either a) the 412 (Precondition Failed) status code or b) one of the 2xx (Successful) status codes if the origin server has verified that a state change is being requested and the final state is already reflected in the current state of the target resource …",
    ),
    (
        "etag.noop-patch-stable",
        "RFC 7644 §3.5.2.1",
        "If the target location already contains the value specified, no changes SHOULD be made to the resource, and a success response SHOULD be returned.",
    ),
    (
        "bulk.basic",
        "RFC 7644 §3.7, §3.7.3",
        "If a bulk job is processed successfully, HTTP response code 200 OK MUST be returned … [§3.7.3] The status attribute MUST include the code attribute that holds the HTTP response code that would have been returned if a single HTTP request would have been used.",
    ),
    (
        "bulk.bulk-id-required",
        "RFC 7644 §3.7",
        "bulkId The transient identifier of a newly created resource, unique within a bulk request and created by the client. … REQUIRED when \"method\" is \"POST\". … To be able to reference a newly created resource, the bulkId attribute MAY be specified when creating new resources.",
    ),
    (
        "bulk.bulk-id-reference",
        "RFC 7644 §3.7.2",
        "The \"bulkId\" attribute value must be prepended with the literal \"bulkId:\"; e.g., if the bulkId is 'qwerty', the value is \"bulkId:qwerty\". The service provider MUST replace the string \"bulkId:qwerty\" with the permanent resource id once created.",
    ),
    (
        "bulk.circular-reference",
        "RFC 7644 §3.7.1",
        "The service provider MUST try to resolve circular cross-references between resources in a single bulk job but MAY stop after a failed attempt and instead return HTTP status code 409 (Conflict).",
    ),
    (
        "bulk.fail-on-errors",
        "RFC 7644 §3.7",
        "failOnErrors An integer specifying the number of errors that the service provider will accept before the operation is terminated and an error response is returned. OPTIONAL in a request. … The client MAY override this behavior by specifying a value for the \"failOnErrors\" attribute. The \"failOnErrors\" attribute defines the number of errors that the service provider should accept before failing the remaining operations returning the response.",
    ),
    (
        "bulk.continue-on-error",
        "RFC 7644 §3.7",
        "The service provider MUST continue performing as many changes as possible and disregard partial failures.",
    ),
    (
        "bulk.max-operations",
        "RFC 7644 §3.7.4",
        "If either limit is exceeded, the service provider MUST return HTTP response code 413 (Payload Too Large). The returned response MUST specify the limit exceeded in the body of the error response.",
    ),
    (
        "bulk.max-payload-size",
        "RFC 7644 §3.7.4",
        "If either limit is exceeded, the service provider MUST return HTTP response code 413 (Payload Too Large). The returned response MUST specify the limit exceeded in the body of the error response.",
    ),
    (
        "bulk.operation-error-body",
        "RFC 7644 §3.7",
        "response The HTTP response body for the specified request operation. When indicating a response with an HTTP status other than a 200-series response, the response body MUST be included. … status The HTTP response status code for the requested operation. When indicating an error, the \"response\" attribute MUST contain the detail error response as per Section 3.12.",
    ),
    (
        "bulk.version-stale",
        "RFC 7644 §3.7",
        "version The current resource version. Version MAY be used if the service provider supports entity-tags (ETags) (Section 2.3 of [RFC7232]) and \"method\" is \"PUT\", \"PATCH\", or \"DELETE\".",
    ),
    (
        "search.resource",
        "RFC 7644 §3.4.3",
        "The inclusion of \"/.search\" on the end of a valid SCIM endpoint SHALL be used to indicate that the HTTP POST verb is intended to be a query operation. … After receiving an HTTP POST request, a response is returned as specified in Section 3.4.2.",
    ),
    (
        "search.attributes",
        "RFC 7644 §3.4.2.5",
        "SCIM clients MAY use one of these two OPTIONAL parameters, which MUST be supported by SCIM service providers",
    ),
    (
        "search.paging",
        "RFC 7644 §3.4.2.4",
        "count … When specified, the service provider MUST NOT return more results than specified, although it MAY return fewer results.",
    ),
    (
        "search.root",
        "RFC 7644 §3.4.2.1",
        "Queries MAY be performed against a SCIM resource object, a resource type endpoint, or a SCIM server root. … A query against a server root indicates that all resources within the server SHALL be included, subject to filtering.",
    ),
    (
        "search.schemas-required",
        "RFC 7644 §3.4.3",
        "Query requests MUST be identified using the following URI: \"urn:ietf:params:scim:api:messages:2.0:SearchRequest\".",
    ),
    (
        "search.no-create",
        "RFC 7644 §3.4.3",
        "The inclusion of \"/.search\" on the end of a valid SCIM endpoint SHALL be used to indicate that the HTTP POST verb is intended to be a query operation.",
    ),
    (
        "schema.uniqueness",
        "RFC 7643 §7",
        "server The value SHOULD be unique within the context of the current SCIM endpoint (or tenancy) and MAY be globally unique (e.g., a \"username\", email address, or other server-generated key or counter). No two resources on the same server SHOULD possess the same value. global The value SHOULD be globally unique (e.g., an email address, a GUID, or other value). No two resources on any server SHOULD possess the same value.",
    ),
    (
        "schema.read-only-ignored",
        "RFC 7644 §3.3, §3.5.1",
        "In the request body, attributes whose mutability is \"readOnly\" (see Sections 2.2 and 7 of [RFC7643]) SHALL be ignored. … [§3.5.1] readOnly Any values provided SHALL be ignored.",
    ),
    (
        "schema.required",
        "RFC 7644 §3.3, §3.5.1; RFC 7643 §7",
        "Attributes whose mutability is \"readWrite\" (see Section 2.2 of [RFC7643]) and that are omitted from the request body MAY be assumed to be not asserted by the client. The service provider MAY assign a default value to non-asserted attributes in the final resource representation. … [§3.5.1] If an attribute is \"required\", clients MUST specify the attribute in the PUT request. … [RFC 7643 §7] required A Boolean value that specifies whether or not the attribute is required.",
    ),
    (
        "schema.case-exact-filters",
        "RFC 7643 §7",
        "caseExact  A Boolean value that specifies whether or not a string attribute is case sensitive.  The server SHALL use case sensitivity when evaluating filters.",
    ),
    (
        "schema.case-insensitive-sort",
        "RFC 7644 §3.4.2.3",
        "String type attributes are case insensitive by default, unless the attribute type is defined as a case-exact string.  \"sortOrder\" MUST sort according to the attribute type; i.e., for case-insensitive attributes, sort the result using case-insensitive Unicode alphabetic sort order with no specific locale implied, and for case-exact attribute types, sort the result using case-sensitive Unicode alphabetic sort order.",
    ),
    (
        "schema.returned-consistent",
        "RFC 7643 §7",
        "default  The attribute is returned by default in all SCIM operation responses where attribute values are returned.",
    ),
    (
        "schema.returned-never",
        "RFC 7643 §7, §4.1.1",
        "writeOnly The attribute MAY be updated at any time. Attribute values SHALL NOT be returned (e.g., because the value is a stored hash). … [§4.1.1] The cleartext value or the hashed value of a password SHALL NOT be returnable by a service provider.",
    ),
    (
        "isolation.read-by-id",
        "RFC 7644 §2, §6",
        "When processing requests, the service provider SHOULD consider the subject performing the request and whether or not the action is appropriate given the subject and the resource affected by the request. … [RFC 7644 §6] Multi-tenancy is OPTIONAL. The SCIM protocol does not define a scheme for multi-tenancy.",
    ),
    (
        "isolation.list-filter",
        "RFC 7644 §2, §6",
        "When processing requests, the service provider SHOULD consider the subject performing the request and whether or not the action is appropriate given the subject and the resource affected by the request. … [RFC 7644 §6] Multi-tenancy is OPTIONAL. The SCIM protocol does not define a scheme for multi-tenancy.",
    ),
    (
        "isolation.write",
        "RFC 7644 §2, §6",
        "When processing requests, the service provider SHOULD consider the subject performing the request and whether or not the action is appropriate given the subject and the resource affected by the request. … [RFC 7644 §6] Multi-tenancy is OPTIONAL. The SCIM protocol does not define a scheme for multi-tenancy.",
    ),
    (
        "isolation.group-member",
        "RFC 7644 §2, §6",
        "When processing requests, the service provider SHOULD consider the subject performing the request and whether or not the action is appropriate given the subject and the resource affected by the request. … [RFC 7644 §6] Multi-tenancy is OPTIONAL. The SCIM protocol does not define a scheme for multi-tenancy.",
    ),
    (
        "isolation.bulk",
        "RFC 7644 §2, §6",
        "When processing requests, the service provider SHOULD consider the subject performing the request and whether or not the action is appropriate given the subject and the resource affected by the request. … [RFC 7644 §6] Multi-tenancy is OPTIONAL. The SCIM protocol does not define a scheme for multi-tenancy.",
    ),
    (
        "isolation.username-per-tenant",
        "RFC 7643 §7",
        "server The value SHOULD be unique within the context of the current SCIM endpoint (or tenancy) and MAY be globally unique (e.g., a \"username\", email address, or other server-generated key or counter).",
    ),
];

/// The RFC section and sentence behind check `id`.
pub fn quote(id: &str) -> Option<(&'static str, &'static str)> {
    QUOTES
        .iter()
        .find(|(i, _, _)| *i == id)
        .map(|(_, rfc, text)| (*rfc, *text))
}

/// Whether `text` carries a keyword of `level` (RFC 2119, upper case).
pub fn carries_keyword(level: crate::report::model::Level, text: &str) -> bool {
    use crate::report::model::Level;
    let words: &[&str] = match level {
        Level::Must => &["MUST", "SHALL", "REQUIRED"],
        Level::Should => &["SHOULD", "RECOMMENDED"],
        Level::May => &["MAY", "OPTIONAL"],
        Level::Advice | Level::Dialect => return true,
    };
    words.iter().any(|w| text.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::catalogue;
    use std::collections::HashSet;

    #[test]
    fn every_check_quotes_the_sentence_that_carries_its_level() {
        let mut seen = HashSet::new();
        for (id, rfc, text) in QUOTES {
            assert!(seen.insert(*id), "{id} quoted twice");
            assert!(rfc.starts_with("RFC ") && rfc.contains('§'), "{id}: {rfc}");
            assert!(!text.is_empty(), "{id}: empty quote");
        }
        for c in catalogue::all() {
            let Some((_, text)) = quote(c.id) else {
                panic!("{} has no RFC quote in conformance/quotes.rs", c.id);
            };
            assert!(
                carries_keyword(c.level, text),
                "{} is {} but its quote has no such keyword: {text}",
                c.id,
                c.level.as_str()
            );
        }
        let ids: HashSet<&str> = catalogue::all().iter().map(|c| c.id).collect();
        for (id, _, _) in QUOTES {
            assert!(ids.contains(id), "quote for {id}, which is no check");
        }
    }
}
