//! The schema registry: the RFC 7643 §8.7 schema documents embedded at compile time, the two
//! resource types the reference provider serves (User with the Enterprise User extension and any
//! custom extensions it is given, Group), the per-resource-type attribute lookup
//! (`ResourceSchema`, an `AttrLookup`), and the discovery documents built from them (`/Schemas`,
//! `/ResourceTypes`, `/ServiceProviderConfig`).
//! Pure: no I/O beyond `include_str!`; must not import tokio, axum or reqwest.
//!
//! # Where the documents deviate from the RFC text
//!
//! `src/scim/schemas/*.json` are transcribed from RFC 7643 §8.7.1 and §8.7.2 (descriptions with
//! the RFC's line wrapping collapsed; omitted characteristics written out with their §2.2
//! defaults: `required` false, `caseExact` false, `mutability` readWrite, `returned` default,
//! `uniqueness` none). The RFC's own `meta`/`schemas` members are left out of the files:
//! [`schema_document`] adds them with the server's real base URL (this also covers erratum 8417,
//! which notes the §8.7.2 documents lack them). The provider enforces what these documents say,
//! so the following inconsistencies between the §8.7 JSON and the normative prose were fixed:
//!
//! 1. Group `displayName`: `required` false → **true** (§4.2 says REQUIRED, and so does the
//!    attribute's own description).
//! 2. User `addresses`: added the `primary` boolean sub-attribute (§2.4 gives every multi-valued
//!    attribute `primary`; Figures 4 and 5 send `"primary": true` on an address, which a strict
//!    server would otherwise reject as an unknown sub-attribute).
//! 3. User `ims.type`: added canonical value `other` (listed in §4.1.2).
//! 4. Enterprise `manager.value` and `manager.$ref`: the descriptions end "REQUIRED." while the
//!    characteristic says `required: false` and §4.3 says RECOMMENDED; kept `required: false`
//!    and reworded the descriptions to RECOMMENDED.
//! 5. ServiceProviderConfig: added the `etag` complex attribute (`supported`, required), which
//!    §5 makes REQUIRED but §8.7.2 omits.
//! 6. ServiceProviderConfig `authenticationSchemes`: added `type` (required, canonical values
//!    oauth, oauth2, oauthbearertoken, httpbasic, httpdigest) and `primary` (§5, Figure 7;
//!    erratum 8011).
//! 7. ResourceType `schemaExtensions`: `multiValued` false → true and `required` true → false
//!    (§6: "A list of URIs ... OPTIONAL"; Group has none).
//! 8. Schema `attributes.type` and `attributes.subAttributes.type`: added canonical value
//!    `binary` (§2.3.6; User `x509Certificates.value` has that type), and
//!    `attributes.subAttributes.referenceTypes` made multi-valued like `attributes.referenceTypes`.
//! 9. Group `members`: added the `display` sub-attribute (readWrite, stored as the client sent
//!    it) that §4.2's prose and the §8.4 example carry but §8.7.1 omits, so IdPs that send
//!    `display` with a member (Okta Group Push) are not rejected.
//!
//! Not changed: Group `members` is already `readWrite` with `value`/`$ref`/`type` sub-attributes
//! (all `immutable`) in the RFC text, and Group `displayName` keeps `uniqueness: none`.
//! The Schema schema's own `attributes.subAttributes` is complex inside complex (contrary to
//! §2.3.8); it is served as written and never used to validate resources.
//!
//! The common attributes `id`, `externalId` and `meta` (§3.1) live in `schemas/common.json`;
//! they are resolvable on every resource type but are not part of any served schema.

use crate::scim::path::AttrPath;
use crate::scim::schema::{
    AttrLookup, AttrType, Attribute, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, RESOURCE_TYPE_SCHEMA,
    Resolved, ResourceType, SCHEMA_SCHEMA, SPC_SCHEMA, Schema, SchemaExtension, USER_SCHEMA,
};
use serde_json::{Map, Value, json};

/// The embedded schema documents, in the order `/Schemas` lists them.
const DOCUMENTS: [(&str, &str); 6] = [
    ("user.json", include_str!("schemas/user.json")),
    ("group.json", include_str!("schemas/group.json")),
    (
        "enterprise_user.json",
        include_str!("schemas/enterprise_user.json"),
    ),
    (
        "service_provider_config.json",
        include_str!("schemas/service_provider_config.json"),
    ),
    (
        "resource_type.json",
        include_str!("schemas/resource_type.json"),
    ),
    ("schema.json", include_str!("schemas/schema.json")),
];

/// The common attributes of RFC 7643 §3.1.
const COMMON: (&str, &str) = ("common.json", include_str!("schemas/common.json"));

/// Why the embedded documents do not form a usable registry (a build defect, never input).
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// A document is not valid JSON or does not match the schema model.
    #[error("failed to parse embedded schema document {file}")]
    Parse {
        /// The file under `src/scim/schemas/`.
        file: &'static str,
        /// The serde error.
        #[source]
        source: serde_json::Error,
    },
    /// Two documents declare the same schema URN.
    #[error("schema {urn} is declared twice")]
    DuplicateSchema {
        /// The URN.
        urn: String,
    },
    /// A resource type names a schema no document declares.
    #[error("resource type {resource_type} names unknown schema {urn}")]
    UnknownSchema {
        /// The resource type's id.
        resource_type: String,
        /// The missing URN.
        urn: String,
    },
    /// A resource schema has a complex sub-attribute (RFC 7643 §2.3.8 forbids it).
    #[error("schema {urn} declares complex sub-attribute {path}")]
    NestedComplex {
        /// The schema URN.
        urn: String,
        /// `attr.sub`.
        path: String,
    },
    /// A User extension document given to [`Registry::rfc7643_with`] cannot be served (input,
    /// unlike the other variants).
    #[error("extension schema {which}: {reason}")]
    Extension {
        /// Its URN, or `#N` (its place in the list, from 1) when it has none.
        which: String,
        /// Why, in one line.
        reason: String,
    },
}

/// The schemas and resource types a server supports.
#[derive(Debug, Clone)]
pub struct Registry {
    schemas: Vec<Schema>,
    resource_types: Vec<ResourceType>,
    common: Vec<Attribute>,
}

impl Registry {
    /// The RFC 7643 registry: User (`/Users`, core User schema, Enterprise User extension not
    /// required) and Group (`/Groups`), with the six §8.7 schemas.
    pub fn rfc7643() -> Result<Registry, RegistryError> {
        let mut schemas: Vec<Schema> = Vec::with_capacity(DOCUMENTS.len());
        for (file, text) in DOCUMENTS {
            let schema: Schema = serde_json::from_str(text)
                .map_err(|source| RegistryError::Parse { file, source })?;
            if schemas
                .iter()
                .any(|s| s.id.eq_ignore_ascii_case(&schema.id))
            {
                return Err(RegistryError::DuplicateSchema { urn: schema.id });
            }
            schemas.push(schema);
        }
        let mut common: Vec<Attribute> =
            serde_json::from_str(COMMON.1).map_err(|source| RegistryError::Parse {
                file: COMMON.0,
                source,
            })?;
        for attr in &mut common {
            attr.common = true;
            for sub in &mut attr.sub_attributes {
                sub.common = true;
            }
        }
        let resource_types = vec![
            ResourceType {
                id: "User".into(),
                name: "User".into(),
                endpoint: "/Users".into(),
                description: "User Account".into(),
                schema: USER_SCHEMA.into(),
                schema_extensions: vec![SchemaExtension {
                    schema: ENTERPRISE_USER_SCHEMA.into(),
                    required: false,
                }],
            },
            ResourceType {
                id: "Group".into(),
                name: "Group".into(),
                endpoint: "/Groups".into(),
                description: "Group".into(),
                schema: GROUP_SCHEMA.into(),
                schema_extensions: Vec::new(),
            },
        ];
        let registry = Registry {
            schemas,
            resource_types,
            common,
        };
        registry.check()?;
        Ok(registry)
    }

    /// [`Registry::rfc7643`] with more User schema extensions (RFC 7643 §3.3, §7): each
    /// document (see [`crate::scim::extension`] for what makes one usable) is served in
    /// `/Schemas` after the Enterprise User extension and listed in the User resource type's
    /// `schemaExtensions` with `required: false`, so its attributes are written, read, filtered,
    /// sorted and patched like the Enterprise User extension's (under their URN). A URN already
    /// declared (case-insensitively) is refused.
    pub fn rfc7643_with(extensions: &[Value]) -> Result<Registry, RegistryError> {
        let mut registry = Registry::rfc7643()?;
        let after = registry
            .schemas
            .iter()
            .position(|s| s.id == ENTERPRISE_USER_SCHEMA)
            .map_or(registry.schemas.len(), |i| i + 1);
        for (i, doc) in extensions.iter().enumerate() {
            let schema = crate::scim::extension::parse_document(doc).map_err(|reason| {
                let which = doc
                    .get("id")
                    .and_then(Value::as_str)
                    .map_or_else(|| format!("#{}", i + 1), str::to_string);
                // The reason names the URN itself when it has one.
                let reason = reason
                    .strip_prefix(&format!("{which}: "))
                    .map_or(reason.clone(), str::to_string);
                RegistryError::Extension { which, reason }
            })?;
            if registry.schema(&schema.id).is_some() {
                return Err(RegistryError::Extension {
                    which: schema.id,
                    reason: "this URN is already declared".into(),
                });
            }
            let user = registry
                .resource_types
                .iter_mut()
                .find(|rt| rt.schema == USER_SCHEMA)
                .ok_or_else(|| RegistryError::UnknownSchema {
                    resource_type: "User".into(),
                    urn: USER_SCHEMA.into(),
                })?;
            user.schema_extensions.push(SchemaExtension {
                schema: schema.id.clone(),
                required: false,
            });
            registry.schemas.insert(after + i, schema);
        }
        registry.check()?;
        Ok(registry)
    }

    /// Every resource type names known schemas, and none of those has a complex sub-attribute.
    fn check(&self) -> Result<(), RegistryError> {
        for rt in &self.resource_types {
            let urns =
                std::iter::once(&rt.schema).chain(rt.schema_extensions.iter().map(|e| &e.schema));
            for urn in urns {
                let schema = self
                    .schema(urn)
                    .ok_or_else(|| RegistryError::UnknownSchema {
                        resource_type: rt.id.clone(),
                        urn: urn.clone(),
                    })?;
                for attr in &schema.attributes {
                    if let Some(sub) = attr
                        .sub_attributes
                        .iter()
                        .find(|s| s.attr_type == AttrType::Complex)
                    {
                        return Err(RegistryError::NestedComplex {
                            urn: schema.id.clone(),
                            path: format!("{}.{}", attr.name, sub.name),
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// All schemas: User, Group, Enterprise User, then the three service provider schemas.
    pub fn schemas(&self) -> &[Schema] {
        &self.schemas
    }

    /// The schema with this URN, compared case-insensitively.
    pub fn schema(&self, urn: &str) -> Option<&Schema> {
        self.schemas.iter().find(|s| s.id.eq_ignore_ascii_case(urn))
    }

    /// All resource types: User, then Group.
    pub fn resource_types(&self) -> &[ResourceType] {
        &self.resource_types
    }

    /// The resource type with this id (`User`, `Group`), compared case-insensitively.
    pub fn resource_type(&self, id: &str) -> Option<&ResourceType> {
        self.resource_types
            .iter()
            .find(|rt| rt.id.eq_ignore_ascii_case(id))
    }

    /// The common attributes `id`, `externalId` and `meta` (RFC 7643 §3.1).
    pub fn common_attributes(&self) -> &[Attribute] {
        &self.common
    }

    /// The attribute lookup for one resource type (id compared case-insensitively).
    pub fn lookup(&self, resource_type_id: &str) -> Option<ResourceSchema<'_>> {
        let rt = self.resource_type(resource_type_id)?;
        let core = self.schema(&rt.schema)?;
        let extensions = rt
            .schema_extensions
            .iter()
            .filter_map(|e| self.schema(&e.schema).map(|s| (s, e.required)))
            .collect();
        Some(ResourceSchema {
            rt,
            core,
            extensions,
            common: &self.common,
        })
    }
}

/// The attribute definitions of one resource type: common attributes, core schema, extensions.
#[derive(Debug, Clone)]
pub struct ResourceSchema<'r> {
    rt: &'r ResourceType,
    core: &'r Schema,
    extensions: Vec<(&'r Schema, bool)>,
    common: &'r [Attribute],
}

impl<'r> ResourceSchema<'r> {
    /// A lookup over arbitrary schemas, for unit tests that need characteristics the RFC
    /// documents do not have (e.g. an immutable attribute).
    #[cfg(test)]
    pub(crate) fn for_tests(
        rt: &'r ResourceType,
        core: &'r Schema,
        extensions: Vec<(&'r Schema, bool)>,
        common: &'r [Attribute],
    ) -> Self {
        ResourceSchema {
            rt,
            core,
            extensions,
            common,
        }
    }

    /// The resource type this lookup describes.
    pub fn resource_type(&self) -> &'r ResourceType {
        self.rt
    }

    /// The core schema (e.g. `urn:ietf:params:scim:schemas:core:2.0:User`).
    pub fn core(&self) -> &'r Schema {
        self.core
    }

    /// The extension schemas, each with its `required` flag, in declaration order.
    pub fn extensions(&self) -> impl Iterator<Item = (&'r Schema, bool)> + '_ {
        self.extensions.iter().copied()
    }

    /// The extension schema with this URN (case-insensitive), if the type declares it.
    pub fn extension(&self, urn: &str) -> Option<&'r Schema> {
        self.extensions
            .iter()
            .map(|(s, _)| *s)
            .find(|s| s.id.eq_ignore_ascii_case(urn))
    }

    /// The common attributes `id`, `externalId`, `meta`.
    pub fn common_attributes(&self) -> &'r [Attribute] {
        self.common
    }

    /// Resolve an unqualified top-level name: common attributes, core, then extensions.
    fn top(&self, name: &str) -> Option<(Option<&'r str>, &'r Attribute)> {
        if let Some(a) = self
            .common
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
        {
            return Some((None, a));
        }
        if let Some(a) = self.core.attribute(name) {
            return Some((None, a));
        }
        self.extensions
            .iter()
            .find_map(|(s, _)| s.attribute(name).map(|a| (Some(s.id.as_str()), a)))
    }

    /// Resolve a top-level name under an explicit schema URN.
    fn top_in(&self, urn: &str, name: &str) -> Option<(Option<&'r str>, &'r Attribute)> {
        if self.core.id.eq_ignore_ascii_case(urn) {
            let common = self
                .common
                .iter()
                .find(|a| a.name.eq_ignore_ascii_case(name));
            return common
                .or_else(|| self.core.attribute(name))
                .map(|a| (None, a));
        }
        let ext = self.extension(urn)?;
        ext.attribute(name).map(|a| (Some(ext.id.as_str()), a))
    }
}

impl AttrLookup for ResourceSchema<'_> {
    fn resolve(&self, path: &AttrPath) -> Option<Resolved<'_>> {
        let (extension, top) = match &path.urn {
            Some(urn) => self.top_in(urn, &path.attr)?,
            None => self.top(&path.attr)?,
        };
        let sub = match &path.sub {
            Some(name) => Some(top.sub_attribute(name)?),
            None => None,
        };
        Some(Resolved {
            extension,
            top,
            sub,
        })
    }

    fn schema_urns(&self) -> Vec<&str> {
        std::iter::once(self.core.id.as_str())
            .chain(self.extensions.iter().map(|(s, _)| s.id.as_str()))
            .collect()
    }
}

/// `base_url` without trailing slashes.
fn base(base_url: &str) -> &str {
    base_url.trim_end_matches('/')
}

/// The representation `GET /Schemas/{urn}` returns (RFC 7643 §7).
pub fn schema_document(schema: &Schema, base_url: &str) -> Value {
    json!({
        "schemas": [SCHEMA_SCHEMA],
        "id": schema.id,
        "name": schema.name,
        "description": schema.description,
        "attributes": serde_json::to_value(&schema.attributes).unwrap_or_default(),
        "meta": {
            "resourceType": "Schema",
            "location": format!("{}/Schemas/{}", base(base_url), schema.id),
        },
    })
}

/// The representation `GET /ResourceTypes/{id}` returns (RFC 7643 §6); `schemaExtensions` is
/// left out when the type has none (as in RFC 7643 Figure 8).
pub fn resource_type_document(rt: &ResourceType, base_url: &str) -> Value {
    let mut doc = Map::new();
    doc.insert("schemas".into(), json!([RESOURCE_TYPE_SCHEMA]));
    doc.insert("id".into(), json!(rt.id));
    doc.insert("name".into(), json!(rt.name));
    doc.insert("endpoint".into(), json!(rt.endpoint));
    doc.insert("description".into(), json!(rt.description));
    doc.insert("schema".into(), json!(rt.schema));
    if !rt.schema_extensions.is_empty() {
        let exts: Vec<Value> = rt
            .schema_extensions
            .iter()
            .map(|e| json!({"schema": e.schema, "required": e.required}))
            .collect();
        doc.insert("schemaExtensions".into(), Value::Array(exts));
    }
    doc.insert(
        "meta".into(),
        json!({
            "resourceType": "ResourceType",
            "location": format!("{}/ResourceTypes/{}", base(base_url), rt.id),
        }),
    );
    Value::Object(doc)
}

/// What the provider advertises in its ServiceProviderConfig (RFC 7643 §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpcSettings {
    /// `patch.supported`.
    pub patch: bool,
    /// `bulk.supported`.
    pub bulk: bool,
    /// `bulk.maxOperations`.
    pub bulk_max_operations: usize,
    /// `bulk.maxPayloadSize`, in bytes.
    pub bulk_max_payload_size: usize,
    /// `filter.supported`.
    pub filter: bool,
    /// `filter.maxResults`.
    pub filter_max_results: usize,
    /// `changePassword.supported`.
    pub change_password: bool,
    /// `sort.supported`.
    pub sort: bool,
    /// `etag.supported`.
    pub etag: bool,
    /// `documentationUri`, left out when `None`.
    pub documentation_uri: Option<String>,
    /// RFC 9865 §4 `pagination`, left out when `None`.
    pub pagination: Option<PaginationSettings>,
}

/// RFC 9865 §4: the `pagination` complex attribute of the ServiceProviderConfig.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaginationSettings {
    /// `cursor`: cursor-based pagination is supported.
    pub cursor: bool,
    /// `index`: index-based pagination is supported.
    pub index: bool,
    /// `defaultPaginationMethod`: `"cursor"` or `"index"`.
    pub default_method: &'static str,
    /// `defaultPageSize`.
    pub default_page_size: usize,
    /// `maxPageSize`.
    pub max_page_size: usize,
    /// `cursorTimeout` in seconds, left out when cursors do not expire.
    pub cursor_timeout: Option<u64>,
}

/// The representation `GET /ServiceProviderConfig` returns (RFC 7643 §5): every REQUIRED
/// attribute, one `oauthbearertoken` authentication scheme marked primary, and `meta`.
pub fn service_provider_config(settings: &SpcSettings, base_url: &str) -> Value {
    let mut doc = Map::new();
    doc.insert("schemas".into(), json!([SPC_SCHEMA]));
    if let Some(uri) = &settings.documentation_uri {
        doc.insert("documentationUri".into(), json!(uri));
    }
    doc.insert("patch".into(), json!({"supported": settings.patch}));
    doc.insert(
        "bulk".into(),
        json!({
            "supported": settings.bulk,
            "maxOperations": settings.bulk_max_operations,
            "maxPayloadSize": settings.bulk_max_payload_size,
        }),
    );
    doc.insert(
        "filter".into(),
        json!({"supported": settings.filter, "maxResults": settings.filter_max_results}),
    );
    doc.insert(
        "changePassword".into(),
        json!({"supported": settings.change_password}),
    );
    doc.insert("sort".into(), json!({"supported": settings.sort}));
    doc.insert("etag".into(), json!({"supported": settings.etag}));
    if let Some(p) = &settings.pagination {
        let mut m = Map::new();
        m.insert("cursor".into(), json!(p.cursor));
        m.insert("index".into(), json!(p.index));
        m.insert("defaultPaginationMethod".into(), json!(p.default_method));
        m.insert("defaultPageSize".into(), json!(p.default_page_size));
        m.insert("maxPageSize".into(), json!(p.max_page_size));
        if let Some(t) = p.cursor_timeout {
            m.insert("cursorTimeout".into(), json!(t));
        }
        doc.insert("pagination".into(), Value::Object(m));
    }
    doc.insert(
        "authenticationSchemes".into(),
        json!([{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "Authentication scheme using the OAuth Bearer Token Standard",
            "specUri": "https://www.rfc-editor.org/info/rfc6750",
            "primary": true,
        }]),
    );
    doc.insert(
        "meta".into(),
        json!({
            "resourceType": "ServiceProviderConfig",
            "location": format!("{}/ServiceProviderConfig", base(base_url)),
        }),
    );
    Value::Object(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scim::schema::{Mutability, Returned, Uniqueness};

    fn reg() -> Registry {
        Registry::rfc7643().unwrap_or_else(|e| panic!("{e}"))
    }

    fn path(s: &str) -> AttrPath {
        AttrPath::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn attr<'a>(schema: &'a Schema, name: &str) -> &'a Attribute {
        schema
            .attribute(name)
            .unwrap_or_else(|| panic!("no attribute {name} in {}", schema.id))
    }

    fn sub<'a>(a: &'a Attribute, name: &str) -> &'a Attribute {
        a.sub_attribute(name)
            .unwrap_or_else(|| panic!("no sub-attribute {}.{name}", a.name))
    }

    #[test]
    fn embedded_documents_parse_into_six_schemas_and_two_resource_types() {
        let r = reg();
        let ids: Vec<&str> = r.schemas().iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                USER_SCHEMA,
                GROUP_SCHEMA,
                ENTERPRISE_USER_SCHEMA,
                SPC_SCHEMA,
                RESOURCE_TYPE_SCHEMA,
                SCHEMA_SCHEMA
            ]
        );
        let rts: Vec<&str> = r.resource_types().iter().map(|t| t.id.as_str()).collect();
        assert_eq!(rts, ["User", "Group"]);
        let user = r.resource_type("user").unwrap_or_else(|| panic!("no User"));
        assert_eq!(user.endpoint, "/Users");
        assert_eq!(user.schema_extensions.len(), 1);
        assert!(!user.schema_extensions[0].required);
        assert_eq!(
            r.resource_type("GROUP").map(|t| t.endpoint.as_str()),
            Some("/Groups")
        );
        assert!(r.resource_type("Device").is_none());
        assert!(r.schema(&USER_SCHEMA.to_uppercase()).is_some());
        assert!(r.schema("urn:example:nope").is_none());
    }

    #[test]
    fn user_schema_has_the_rfc_characteristics() {
        let r = reg();
        let user = r
            .schema(USER_SCHEMA)
            .unwrap_or_else(|| panic!("no User schema"));
        assert_eq!(user.attributes.len(), 21);
        let un = attr(user, "userName");
        assert!(un.required);
        assert!(!un.case_exact);
        assert_eq!(un.uniqueness, Uniqueness::Server);
        assert_eq!(un.mutability, Mutability::ReadWrite);
        let pw = attr(user, "password");
        assert_eq!(pw.mutability, Mutability::WriteOnly);
        assert_eq!(pw.returned, Returned::Never);
        let groups = attr(user, "groups");
        assert_eq!(groups.mutability, Mutability::ReadOnly);
        assert!(groups.multi_valued);
        assert_eq!(sub(groups, "$ref").reference_types, ["User", "Group"]);
        assert_eq!(attr(user, "active").attr_type, AttrType::Boolean);
        let emails = attr(user, "emails");
        assert!(emails.multi_valued);
        assert_eq!(
            sub(emails, "type").canonical_values,
            ["work", "home", "other"]
        );
        assert_eq!(sub(emails, "primary").attr_type, AttrType::Boolean);
        assert_eq!(
            sub(attr(user, "x509Certificates"), "value").attr_type,
            AttrType::Binary
        );
        assert_eq!(attr(user, "profileUrl").reference_types, ["external"]);
        // erratum fix 2
        assert_eq!(
            sub(attr(user, "addresses"), "primary").attr_type,
            AttrType::Boolean
        );
    }

    #[test]
    fn group_and_enterprise_schemas_have_the_rfc_characteristics() {
        let r = reg();
        let group = r
            .schema(GROUP_SCHEMA)
            .unwrap_or_else(|| panic!("no Group schema"));
        let dn = attr(group, "displayName");
        assert!(
            dn.required,
            "erratum fix 1: Group displayName is REQUIRED (§4.2)"
        );
        assert_eq!(dn.uniqueness, Uniqueness::None);
        let members = attr(group, "members");
        assert_eq!(members.mutability, Mutability::ReadWrite);
        assert!(members.multi_valued);
        assert_eq!(sub(members, "value").mutability, Mutability::Immutable);
        assert_eq!(sub(members, "type").canonical_values, ["User", "Group"]);
        let ent = r
            .schema(ENTERPRISE_USER_SCHEMA)
            .unwrap_or_else(|| panic!("no enterprise"));
        let mgr = attr(ent, "manager");
        assert_eq!(mgr.attr_type, AttrType::Complex);
        assert!(!sub(mgr, "value").required);
        assert_eq!(sub(mgr, "$ref").reference_types, ["User"]);
        assert_eq!(sub(mgr, "displayName").mutability, Mutability::ReadOnly);
        assert_eq!(attr(ent, "employeeNumber").attr_type, AttrType::String);
    }

    #[test]
    fn service_provider_schemas_carry_the_errata_fixes() {
        let r = reg();
        let spc = r
            .schema(SPC_SCHEMA)
            .unwrap_or_else(|| panic!("no SPC schema"));
        let etag = attr(spc, "etag");
        assert!(etag.required);
        assert!(sub(etag, "supported").required);
        let auth = attr(spc, "authenticationSchemes");
        assert!(sub(auth, "type").required);
        assert!(
            sub(auth, "type")
                .canonical_values
                .iter()
                .any(|v| v == "oauthbearertoken")
        );
        assert_eq!(sub(auth, "primary").attr_type, AttrType::Boolean);
        let rt = r
            .schema(RESOURCE_TYPE_SCHEMA)
            .unwrap_or_else(|| panic!("no RT schema"));
        let se = attr(rt, "schemaExtensions");
        assert!(se.multi_valued);
        assert!(!se.required);
        let sch = r
            .schema(SCHEMA_SCHEMA)
            .unwrap_or_else(|| panic!("no Schema schema"));
        let attrs = attr(sch, "attributes");
        assert!(
            sub(attrs, "type")
                .canonical_values
                .iter()
                .any(|v| v == "binary")
        );
        assert!(sub(sub(attrs, "subAttributes"), "referenceTypes").multi_valued);
    }

    #[test]
    fn resolve_finds_core_common_and_extension_attributes_case_insensitively() {
        let r = reg();
        let users = r.lookup("user").unwrap_or_else(|| panic!("no User lookup"));
        assert_eq!(users.resource_type().id, "User");

        let un = users
            .resolve(&path("USERNAME"))
            .unwrap_or_else(|| panic!("userName"));
        assert_eq!(un.top.name, "userName");
        assert!(un.extension.is_none());

        let given = users
            .resolve(&path("name.GIVENNAME"))
            .unwrap_or_else(|| panic!("given"));
        assert_eq!(given.attr().name, "givenName");
        assert_eq!(given.top.name, "name");

        let id = users.resolve(&path("id")).unwrap_or_else(|| panic!("id"));
        assert!(id.top.common);
        assert!(id.extension.is_none());
        assert_eq!(id.top.mutability, Mutability::ReadOnly);
        assert_eq!(id.top.returned, Returned::Always);
        assert!(id.top.case_exact);
        assert_eq!(id.top.uniqueness, Uniqueness::Server);
        let ext_id = users
            .resolve(&path("externalid"))
            .unwrap_or_else(|| panic!("externalId"));
        assert!(ext_id.top.case_exact);
        assert_eq!(ext_id.top.mutability, Mutability::ReadWrite);
        let modified = users
            .resolve(&path("meta.lastModified"))
            .unwrap_or_else(|| panic!("meta"));
        assert_eq!(modified.attr().attr_type, AttrType::DateTime);
        assert!(modified.top.common);

        let emp = users
            .resolve(&path("employeeNumber"))
            .unwrap_or_else(|| panic!("emp"));
        assert_eq!(emp.extension, Some(ENTERPRISE_USER_SCHEMA));

        let q = format!("{}:manager.value", ENTERPRISE_USER_SCHEMA.to_lowercase());
        let mv = users
            .resolve(&path(&q))
            .unwrap_or_else(|| panic!("manager.value"));
        assert_eq!(
            mv.extension,
            Some(ENTERPRISE_USER_SCHEMA),
            "canonical URN spelling"
        );
        assert_eq!(mv.attr().name, "value");

        let core_q = users.resolve(&path(&format!("{USER_SCHEMA}:userName")));
        assert_eq!(core_q.map(|r| r.top.name.as_str()), Some("userName"));
        let core_id = users.resolve(&path(&format!("{USER_SCHEMA}:id")));
        assert!(core_id.is_some_and(|r| r.top.common));
    }

    #[test]
    fn resolve_rejects_unknown_names_and_foreign_urns() {
        let r = reg();
        let users = r.lookup("User").unwrap_or_else(|| panic!("no User lookup"));
        assert!(users.resolve(&path("nope")).is_none());
        assert!(users.resolve(&path("name.nope")).is_none());
        assert!(users.resolve(&path("userName.sub")).is_none());
        // an attribute under the wrong schema's URN
        assert!(
            users
                .resolve(&path(&format!("{USER_SCHEMA}:employeeNumber")))
                .is_none()
        );
        assert!(
            users
                .resolve(&path(&format!("{ENTERPRISE_USER_SCHEMA}:userName")))
                .is_none()
        );
        assert!(
            users
                .resolve(&path(&format!("{GROUP_SCHEMA}:displayName")))
                .is_none()
        );
        let groups = r
            .lookup("Group")
            .unwrap_or_else(|| panic!("no Group lookup"));
        assert!(groups.resolve(&path("employeeNumber")).is_none());
        assert!(groups.resolve(&path("members.type")).is_some());
        assert!(groups.resolve(&path("meta.version")).is_some());
        assert!(r.lookup("Device").is_none());
    }

    #[test]
    fn schema_urns_lists_core_then_extensions() {
        let r = reg();
        let users = r.lookup("User").unwrap_or_else(|| panic!("no User lookup"));
        assert_eq!(users.schema_urns(), [USER_SCHEMA, ENTERPRISE_USER_SCHEMA]);
        let groups = r
            .lookup("Group")
            .unwrap_or_else(|| panic!("no Group lookup"));
        assert_eq!(groups.schema_urns(), [GROUP_SCHEMA]);
    }

    #[test]
    fn schema_document_has_schemas_meta_and_full_characteristics() {
        let r = reg();
        let user = r
            .schema(USER_SCHEMA)
            .unwrap_or_else(|| panic!("no User schema"));
        let doc = schema_document(user, "https://example.com/scim/v2/");
        assert_eq!(doc["schemas"], json!([SCHEMA_SCHEMA]));
        assert_eq!(doc["id"], USER_SCHEMA);
        assert_eq!(doc["name"], "User");
        assert_eq!(doc["meta"]["resourceType"], "Schema");
        assert_eq!(
            doc["meta"]["location"],
            format!("https://example.com/scim/v2/Schemas/{USER_SCHEMA}")
        );
        let un = &doc["attributes"][0];
        assert_eq!(un["name"], "userName");
        assert_eq!(un["type"], "string");
        assert_eq!(un["multiValued"], false);
        assert_eq!(un["required"], true);
        assert_eq!(un["caseExact"], false);
        assert_eq!(un["mutability"], "readWrite");
        assert_eq!(un["returned"], "default");
        assert_eq!(un["uniqueness"], "server");
        assert!(un.get("common").is_none());
        let emails = doc["attributes"]
            .as_array()
            .and_then(|a| a.iter().find(|a| a["name"] == "emails"))
            .unwrap_or_else(|| panic!("no emails"));
        assert_eq!(
            emails["subAttributes"][2]["canonicalValues"],
            json!(["work", "home", "other"])
        );
    }

    #[test]
    fn resource_type_document_matches_rfc_figure_8_shape() {
        let r = reg();
        let user = r.resource_type("User").unwrap_or_else(|| panic!("no User"));
        let doc = resource_type_document(user, "https://example.com/v2");
        assert_eq!(doc["schemas"], json!([RESOURCE_TYPE_SCHEMA]));
        assert_eq!(doc["id"], "User");
        assert_eq!(doc["endpoint"], "/Users");
        assert_eq!(doc["schema"], USER_SCHEMA);
        assert_eq!(
            doc["schemaExtensions"],
            json!([{"schema": ENTERPRISE_USER_SCHEMA, "required": false}])
        );
        assert_eq!(doc["meta"]["resourceType"], "ResourceType");
        assert_eq!(
            doc["meta"]["location"],
            "https://example.com/v2/ResourceTypes/User"
        );
        let group = r
            .resource_type("Group")
            .unwrap_or_else(|| panic!("no Group"));
        let gdoc = resource_type_document(group, "https://example.com/v2");
        assert!(gdoc.get("schemaExtensions").is_none());
        assert_eq!(gdoc["description"], "Group");
    }

    #[test]
    fn service_provider_config_has_every_required_attribute() {
        let settings = SpcSettings {
            patch: true,
            bulk: false,
            bulk_max_operations: 0,
            bulk_max_payload_size: 0,
            filter: true,
            filter_max_results: 200,
            change_password: false,
            sort: true,
            etag: true,
            documentation_uri: None,
            pagination: None,
        };
        let doc = service_provider_config(&settings, "https://example.com/v2/");
        assert_eq!(doc["schemas"], json!([SPC_SCHEMA]));
        assert!(doc.get("documentationUri").is_none());
        assert!(doc.get("pagination").is_none());
        assert_eq!(doc["patch"]["supported"], true);
        assert_eq!(
            doc["bulk"],
            json!({"supported": false, "maxOperations": 0, "maxPayloadSize": 0})
        );
        assert_eq!(doc["filter"], json!({"supported": true, "maxResults": 200}));
        assert_eq!(doc["changePassword"]["supported"], false);
        assert_eq!(doc["sort"]["supported"], true);
        assert_eq!(doc["etag"]["supported"], true);
        let auth = &doc["authenticationSchemes"][0];
        assert_eq!(auth["type"], "oauthbearertoken");
        assert_eq!(auth["primary"], true);
        assert!(auth["name"].is_string() && auth["description"].is_string());
        assert_eq!(doc["meta"]["resourceType"], "ServiceProviderConfig");
        assert_eq!(
            doc["meta"]["location"],
            "https://example.com/v2/ServiceProviderConfig"
        );
        let with_doc = SpcSettings {
            documentation_uri: Some("https://d.example".into()),
            pagination: Some(PaginationSettings {
                cursor: true,
                index: true,
                default_method: "index",
                default_page_size: 100,
                max_page_size: 200,
                cursor_timeout: None,
            }),
            ..settings.clone()
        };
        let paged = service_provider_config(&with_doc, "https://example.com/v2");
        assert_eq!(paged["documentationUri"], "https://d.example");
        assert_eq!(
            paged["pagination"],
            json!({"cursor": true, "index": true, "defaultPaginationMethod": "index",
                   "defaultPageSize": 100, "maxPageSize": 200})
        );

        // every REQUIRED attribute of the (corrected) SPC schema is present
        let r = reg();
        let spc = r
            .schema(SPC_SCHEMA)
            .unwrap_or_else(|| panic!("no SPC schema"));
        for a in spc.attributes.iter().filter(|a| a.required) {
            let v = &doc[a.name.as_str()];
            assert!(!v.is_null(), "missing {}", a.name);
            let items = v.as_array().cloned().unwrap_or_else(|| vec![v.clone()]);
            for item in items {
                for s in a.sub_attributes.iter().filter(|s| s.required) {
                    assert!(
                        !item[s.name.as_str()].is_null(),
                        "missing {}.{}",
                        a.name,
                        s.name
                    );
                }
            }
        }
    }

    const CONTOSO: &str = "urn:ietf:params:scim:schemas:extension:Contoso:2.0:User";

    fn contoso() -> Value {
        crate::scim::extension::extension_schema(
            CONTOSO,
            &[
                ("costCenter".to_string(), "string"),
                ("badgeNumber".to_string(), "integer"),
                ("remoteWorker".to_string(), "boolean"),
            ],
        )
    }

    fn with_contoso() -> Registry {
        Registry::rfc7643_with(&[contoso()]).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn rfc7643_with_nothing_is_rfc7643() {
        let plain = reg();
        let same = Registry::rfc7643_with(&[]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plain.schemas(), same.schemas());
        assert_eq!(plain.resource_types(), same.resource_types());
    }

    #[test]
    fn an_extension_is_served_after_the_enterprise_one_and_listed_on_user() {
        let r = with_contoso();
        let ids: Vec<&str> = r.schemas().iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                USER_SCHEMA,
                GROUP_SCHEMA,
                ENTERPRISE_USER_SCHEMA,
                CONTOSO,
                SPC_SCHEMA,
                RESOURCE_TYPE_SCHEMA,
                SCHEMA_SCHEMA
            ]
        );
        let user = r.resource_type("User").unwrap_or_else(|| panic!("no User"));
        let doc = resource_type_document(user, "https://example.com/v2");
        assert_eq!(
            doc["schemaExtensions"],
            json!([{"schema": ENTERPRISE_USER_SCHEMA, "required": false},
                   {"schema": CONTOSO, "required": false}])
        );
        let group = r
            .resource_type("Group")
            .unwrap_or_else(|| panic!("no Group"));
        assert!(group.schema_extensions.is_empty());
        let s = r.schema(CONTOSO).unwrap_or_else(|| panic!("no Contoso"));
        let sdoc = schema_document(s, "https://example.com/v2");
        assert_eq!(sdoc["name"], "ContosoUser");
        assert_eq!(sdoc["attributes"][1]["type"], "integer");
        assert_eq!(sdoc["attributes"][2]["mutability"], "readWrite");
        assert_eq!(
            sdoc["meta"]["location"],
            format!("https://example.com/v2/Schemas/{CONTOSO}")
        );
    }

    #[test]
    fn extension_attributes_resolve_under_their_urn_only() {
        let r = with_contoso();
        let users = r.lookup("User").unwrap_or_else(|| panic!("no User lookup"));
        assert_eq!(
            users.schema_urns(),
            [USER_SCHEMA, ENTERPRISE_USER_SCHEMA, CONTOSO]
        );
        let cc = users
            .resolve(&path(&format!("{CONTOSO}:costCenter")))
            .unwrap_or_else(|| panic!("Contoso costCenter"));
        assert_eq!(cc.extension, Some(CONTOSO));
        let badge = users
            .resolve(&path(&format!("{}:BADGENUMBER", CONTOSO.to_lowercase())))
            .unwrap_or_else(|| panic!("badgeNumber"));
        assert_eq!(badge.attr().attr_type, AttrType::Integer);
        assert_eq!(badge.extension, Some(CONTOSO), "canonical URN spelling");
        // The enterprise costCenter keeps its unqualified name.
        let ent = users
            .resolve(&path("costCenter"))
            .unwrap_or_else(|| panic!("costCenter"));
        assert_eq!(ent.extension, Some(ENTERPRISE_USER_SCHEMA));
        assert!(
            users
                .resolve(&path(&format!("{CONTOSO}:employeeNumber")))
                .is_none()
        );
        let groups = r.lookup("Group").unwrap_or_else(|| panic!("no Group"));
        assert!(
            groups
                .resolve(&path(&format!("{CONTOSO}:costCenter")))
                .is_none()
        );
    }

    #[test]
    fn extension_values_are_validated_and_stored_under_the_urn() {
        use crate::scim::resource::{WriteMode, normalize};
        let r = with_contoso();
        let users = r.lookup("User").unwrap_or_else(|| panic!("no User lookup"));
        let body = json!({
            "schemas": [USER_SCHEMA, CONTOSO],
            "userName": "alice",
            CONTOSO: {"costCenter": "CC-4711", "badgeNumber": 80231},
            format!("{CONTOSO}:remoteWorker"): "True",
        });
        let m = normalize(&body, &users, WriteMode::Create).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m["schemas"], json!([USER_SCHEMA, CONTOSO]));
        assert_eq!(
            m[CONTOSO],
            json!({"costCenter": "CC-4711", "badgeNumber": 80231, "remoteWorker": true})
        );
        let wrong =
            json!({"schemas": [USER_SCHEMA], "userName": "a", CONTOSO: {"badgeNumber": "x"}});
        let e = normalize(&wrong, &users, WriteMode::Create)
            .err()
            .unwrap_or_else(|| panic!("a string badgeNumber was accepted"));
        assert_eq!(e.status, 400);
        assert_eq!(e.scim_type, Some(crate::scim::ScimType::InvalidValue));
        assert!(e.detail.contains("badgeNumber"), "{}", e.detail);
    }

    #[test]
    fn unusable_extensions_are_refused_naming_them() {
        let err = |docs: &[Value]| match Registry::rfc7643_with(docs) {
            Ok(_) => panic!("accepted {docs:?}"),
            Err(e) => e.to_string(),
        };
        let e = err(&[json!({"id": "Contoso", "attributes": [{"name": "a"}]})]);
        assert!(
            e.starts_with("extension schema Contoso: ") && e.contains("urn:"),
            "{e}"
        );
        let e = err(&[json!({"id": CONTOSO, "attributes": [{"name": "a", "type": "money"}]})]);
        assert!(e.contains(CONTOSO) && e.contains("money"), "{e}");
        assert_eq!(e.matches(CONTOSO).count(), 1, "the URN once: {e}");
        let e = err(&[json!({"attributes": []})]);
        assert!(e.starts_with("extension schema #1: "), "{e}");
        for taken in [
            ENTERPRISE_USER_SCHEMA,
            USER_SCHEMA,
            &GROUP_SCHEMA.to_lowercase(),
        ] {
            let e = err(&[json!({"id": taken, "attributes": [{"name": "a"}]})]);
            assert!(e.contains("already declared"), "{e}");
        }
        let e = err(&[contoso(), contoso()]);
        assert!(e.contains("already declared"), "{e}");
    }
}
