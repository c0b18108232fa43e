#!/usr/bin/env python3
"""Regenerate fuzz/seeds/<target>/ from the RFC 7644 examples below and the IdP fixtures.

Usage: python3 fuzz/seeds/make_seeds.py   (from anywhere; rewrites the four seed directories)

Sources:
* RFC 7644 §3.4.2.2 (filter examples), §3.5.2 (PATCH examples, incl. §3.5.2.1-3), §3.7 (the
  BulkRequest example of §3.7.2), transcribed here;
* fixtures/idp/**/*.json: every request body, every `filter` query value, and every PATCH path.
Placeholders of the fixtures ({{run}}, {{uuid.*}}, {{user1.id}}, ...) become fixed strings.
Each seed is named by the SHA-1 of its content, as libFuzzer names corpus files.
"""

import glob
import hashlib
import json
import os
import re
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

# RFC 7644 §3.4.2.2, the example filters (and the two from its Figure 2 / §3.4.3).
RFC_FILTERS = [
    'userName Eq "john"',
    'Username eq "john"',
    'userName eq "bjensen"',
    'name.familyName co "O\'Malley"',
    'userName sw "J"',
    'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"',
    'title pr',
    'meta.lastModified gt "2011-05-13T04:42:34Z"',
    'meta.lastModified ge "2011-05-13T04:42:34Z"',
    'meta.lastModified lt "2011-05-13T04:42:34Z"',
    'meta.lastModified le "2011-05-13T04:42:34Z"',
    'title pr and userType eq "Employee"',
    'title pr or userType eq "Intern"',
    'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
    'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
    'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
    'userType eq "Employee" and (emails.type eq "work")',
    'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
    'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
    'displayName eq "Babs Jensen"',
    'members[value eq "2819c223-7f76-453a-919d-413861904646"]',
    'externalId eq "bjensen" and active eq true',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"',
    'meta.resourceType eq "User" or meta.resourceType eq "Group"',
    'emails[type eq "work"].value pr',
]

# RFC 7644 §3.5.2 (PATCH) operation examples, as full PatchOp bodies.
RFC_PATCH_OPS = [
    [{"op": "add", "path": "members", "value": [{"display": "Babs Jensen",
      "$ref": "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646",
      "value": "2819c223-7f76-453a-919d-413861904646"}]}],
    [{"op": "add", "value": {"emails": [{"value": "babs@jensen.org", "type": "home"}],
      "nickname": "Babs"}}],
    [{"op": "remove", "path": "members[value eq \"2819c223-7f76-453a-919d-413861904646\"]"}],
    [{"op": "remove", "path": "members"}],
    [{"op": "remove", "path": "members[value eq \"2819c223-7f76...413861904646\"]"},
     {"op": "add", "path": "members", "value": [{"display": "James Smith",
      "$ref": "https://example.com/v2/Users/08e1d05d-121c-4561-8b96-473d93df9210",
      "value": "08e1d05d-121c-4561-8b96-473d93df9210"}]}],
    [{"op": "replace", "path": "members", "value": [{"display": "Babs Jensen",
      "$ref": "https://example.com/v2/Users/2819c223...413861904646",
      "value": "2819c223...413861904646"}, {"display": "James Smith",
      "$ref": "https://example.com/v2/Users/08e1d05d...473d93df9210",
      "value": "08e1d05d...473d93df9210"}]}],
    [{"op": "replace", "path": "addresses[type eq \"work\"]", "value": {"type": "work",
      "streetAddress": "911 Universal City Plaza", "locality": "Hollywood", "region": "CA",
      "postalCode": "91608", "country": "US",
      "formatted": "911 Universal City Plaza\nHollywood, CA 91608 US", "primary": True}}],
    [{"op": "replace", "path": "addresses[type eq \"work\"].streetAddress",
      "value": "1010 Broadway Ave"}],
    [{"op": "replace", "value": {"emails": [{"value": "bjensen@example.com", "type": "work",
      "primary": True}, {"value": "babs@jensen.org", "type": "home"}], "nickname": "Babs"}}],
    [{"op": "add", "path": "emails[type eq \"work\"].value", "value": "new@example.com"}],
    [{"op": "remove", "path": "emails[type eq \"work\" and value ew \"example.com\"]"}],
    [{"op": "remove", "path": "x509Certificates[value eq \"MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx\"]"}],
    [{"op": "replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
      "value": {"value": "26118915-6090-4610-87e4-49d8ca9f808d"}}],
    [{"op": "remove", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"}],
    [{"op": "replace", "path": "name.givenName", "value": "Barbara"},
     {"op": "remove", "path": "title"}, {"op": "add", "path": "active", "value": False}],
]

# RFC 7644 §3.7.2, the BulkRequest example (bulkId cross-reference and a PATCH inside).
RFC_BULK = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
    "failOnErrors": 1,
    "Operations": [
        {"method": "POST", "path": "/Users", "bulkId": "qwerty",
         "data": {"schemas": [USER], "userName": "Alice"}},
        {"method": "POST", "path": "/Groups", "bulkId": "ytrewq",
         "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                  "displayName": "Tour Guides",
                  "members": [{"type": "User", "value": "bulkId:qwerty"}]}},
        {"method": "PUT", "path": "/Users/b7c14771-226c-4d05-8860-134711653041",
         "version": "W/\"3694e05e9dff591\"",
         "data": {"schemas": [USER], "id": "b7c14771-226c-4d05-8860-134711653041",
                  "userName": "Bob"}},
        {"method": "PATCH", "path": "/Users/5d8d29d3-342c-4b5f-8683-a3cb6763ffcc",
         "version": "W/\"edac3253e2c0ef2\"",
         "data": {"schemas": [PATCH_OP], "Operations": [
             {"op": "remove", "path": "nickName"},
             {"op": "replace", "path": "userName", "value": "Dave"}]}},
        {"method": "DELETE", "path": "/Users/e9e30dba-f08f-4109-8486-d5c6a331660a",
         "version": "W/\"0ee8add0a938e1a\""},
    ],
}
# §3.7.3: circular bulkId references.
RFC_BULK_CIRCULAR = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
    "Operations": [
        {"method": "POST", "path": "/Groups", "bulkId": "qwerty",
         "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                  "displayName": "Group A",
                  "members": [{"type": "Group", "value": "bulkId:ytrewq"}]}},
        {"method": "POST", "path": "/Groups", "bulkId": "ytrewq",
         "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                  "displayName": "Group B",
                  "members": [{"type": "Group", "value": "bulkId:qwerty"}]}},
    ],
}

PLACEHOLDER = re.compile(r"\{\{([^}]*)\}\}")


def fill(text):
    """Replace fixture placeholders with fixed values."""
    def sub(m):
        name = m.group(1)
        if name == "run":
            return ""
        digest = hashlib.sha1(name.encode()).hexdigest()
        return f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-8{digest[17:20]}-{digest[20:32]}"
    return PLACEHOLDER.sub(sub, text)


def fixture_requests():
    for path in sorted(glob.glob(os.path.join(ROOT, "fixtures", "idp", "**", "*.json"),
                             recursive=True)):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        for step in doc.get("steps", []) + doc.get("cleanup", []):
            yield step["request"]


def main():
    seeds = {t: set() for t in ("filter_parse", "patch_path", "patch_apply", "request_body")}
    dump = lambda v: json.dumps(v, ensure_ascii=False).encode()  # noqa: E731

    filters = list(RFC_FILTERS)
    paths = []
    patch_bodies = [{"schemas": [PATCH_OP], "Operations": ops} for ops in RFC_PATCH_OPS]
    selector = {("POST", "Users"): 0, ("PUT", "Users"): 1, ("PATCH", "Users"): 2,
                ("POST", "Groups"): 3}
    for req in fixture_requests():
        endpoint = req["path"].strip("/").split("/")[0]
        flt = req.get("query", {}).get("filter")
        if flt:
            filters.append(fill(flt))
        body = req.get("body")
        if body is None:
            continue
        body = json.loads(fill(json.dumps(body)))
        if req["method"] == "PATCH":
            patch_bodies.append(body)
        key = (req["method"], endpoint)
        if key in selector:
            seeds["request_body"].add(bytes([selector[key]]) + dump(body))
    for body in patch_bodies:
        seeds["patch_apply"].add(dump(body))
        seeds["request_body"].add(b"\x02" + dump(body))
        for op in body.get("Operations", []):
            p = op.get("path")
            if isinstance(p, str):
                paths.append(p)
    for bulk in (RFC_BULK, RFC_BULK_CIRCULAR):
        seeds["request_body"].add(b"\x04" + dump(bulk))
    for flt in filters:
        seeds["filter_parse"].add(flt.encode())
    for p in paths + [f"emails[{f}]" for f in RFC_FILTERS[:6]]:
        seeds["patch_path"].add(p.encode())

    for target, items in seeds.items():
        out = os.path.join(HERE, target)
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        for data in sorted(items):
            with open(os.path.join(out, hashlib.sha1(data).hexdigest()), "wb") as f:
                f.write(data)
        print(f"{target}: {len(items)} seeds")


if __name__ == "__main__":
    main()
