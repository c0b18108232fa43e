//! The RFC sentences behind the filter, pagination (RFC 7644 index and RFC 9865 cursor) and sort
//! checks.

/// `(check id, RFC section of the quoted sentence, the sentence)`, in catalogue order.
pub(super) const QUOTES: &[(&str, &str, &str)] = &[
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
        "pagination.cursor.next-cursor",
        "RFC 9865 §2",
        "Service providers supporting cursor-based pagination MUST include nextCursor in all paged query responses except when returning the last page. nextCursor MUST be omitted from a response only to indicate that there are no more result pages.",
    ),
    (
        "pagination.cursor.count",
        "RFC 9865 §2",
        "count: Specifies the desired maximum number of query results per page, e.g., 10. … When specified, the service provider MUST NOT return more although it MAY return fewer results.",
    ),
    (
        "pagination.cursor.first-no-previous",
        "RFC 9865 §2",
        "previousCursor: A cursor value string that MAY be used in a subsequent request to obtain the previous page of results. Returning previousCursor is OPTIONAL. previousCursor MUST NOT be returned with the first page.",
    ),
    (
        "pagination.cursor.invalid",
        "RFC 9865 §2.1",
        "If a service provider encounters invalid pagination query parameters (invalid cursor value, count value, etc), or other error conditions, the service provider SHOULD return the appropriate HTTP response status code and detailed JSON error response as defined in Section 3.12 of [RFC7644]. … invalidCursor: Cursor value is invalid. Cursor value SHOULD be empty to request the first page and set to the nextCursor or previousCursor value for subsequent queries.",
    ),
    (
        "pagination.cursor.walk",
        "RFC 9865 §2",
        "nextCursor: A cursor value string that MAY be used in a subsequent request to obtain the next page of results.",
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
];
