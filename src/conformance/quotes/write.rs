//! The RFC sentences behind the attribute-projection and PATCH checks.

/// `(check id, RFC section of the quoted sentence, the sentence)`, in catalogue order.
pub(super) const QUOTES: &[(&str, &str, &str)] = &[
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
];
