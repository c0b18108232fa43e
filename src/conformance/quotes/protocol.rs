//! The RFC sentences behind the transport, authentication, error, ETag, Bulk, search, schema-sweep and tenant-isolation checks.

/// `(check id, RFC section of the quoted sentence, the sentence)`, in catalogue order.
pub(super) const QUOTES: &[(&str, &str, &str)] = &[
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
