//! The RFC sentences behind the discovery, Users, message-shape, Groups and /Me checks.

/// `(check id, RFC section of the quoted sentence, the sentence)`, in catalogue order.
pub(super) const QUOTES: &[(&str, &str, &str)] = &[
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
        "groups.patch.large-member-add",
        "RFC 7644 §3.5.2",
        "If the target location specifies a multi-valued attribute, a new value is added to the attribute. (§3.5.2.1) … A PATCH request, regardless of the number of operations, SHALL be treated as atomic. If a single operation encounters an error condition, the original SCIM resource MUST be restored, and a failure status SHALL be returned.",
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
];
