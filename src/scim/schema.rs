//! The schema model of RFC 7643 §2 and §7: attribute characteristics as enums, schemas, resource
//! types, and the `AttrLookup` trait through which the filter, PATCH, projection and sort code
//! ask "what is this attribute?". Pure: no I/O beyond the documents embedded at compile time.

use crate::scim::path::AttrPath;
use serde::{Deserialize, Serialize};

/// URN of the core User schema.
pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// URN of the core Group schema.
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// URN of the Enterprise User extension.
pub const ENTERPRISE_USER_SCHEMA: &str =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// URN of the ServiceProviderConfig schema.
pub const SPC_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
/// URN of the ResourceType schema.
pub const RESOURCE_TYPE_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
/// URN of the Schema schema.
pub const SCHEMA_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";
/// URN of the ListResponse message.
pub const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// URN of the PatchOp message.
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// URN of the SearchRequest message.
pub const SEARCH_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
/// URN of the BulkRequest message.
pub const BULK_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
/// URN of the BulkResponse message.
pub const BULK_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";

/// An attribute's data type (RFC 7643 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AttrType {
    /// A sequence of characters.
    String,
    /// `true` or `false`.
    Boolean,
    /// A real number with at least one digit to the left and right of the period.
    Decimal,
    /// A whole number.
    Integer,
    /// An `xsd:dateTime` (RFC 3339) string.
    DateTime,
    /// Base64-encoded bytes.
    Binary,
    /// A URI for a resource.
    Reference,
    /// A set of sub-attributes.
    Complex,
}

/// Whether and how an attribute may be modified (RFC 7643 §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum Mutability {
    /// Set by the service provider only.
    ReadOnly,
    /// May be updated and read at any time.
    #[default]
    ReadWrite,
    /// May be set once (at creation, or when it has no value) and never changed.
    Immutable,
    /// May be written but is never returned.
    WriteOnly,
}

/// When an attribute is returned (RFC 7643 §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum Returned {
    /// Always returned, whatever `attributes`/`excludedAttributes` say.
    Always,
    /// Never returned.
    Never,
    /// Returned unless excluded.
    #[default]
    Default,
    /// Returned only when named in `attributes`.
    Request,
}

/// How unique an attribute's value must be (RFC 7643 §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum Uniqueness {
    /// No uniqueness requirement.
    #[default]
    None,
    /// Unique within the service provider (here: within one tenant and resource type).
    Server,
    /// Globally unique.
    Global,
}

/// One attribute definition of a schema (RFC 7643 §7, `attributes`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attribute {
    /// The attribute's name, in its canonical spelling.
    pub name: String,
    /// The data type.
    #[serde(rename = "type")]
    pub attr_type: AttrType,
    /// Whether the attribute holds a list of values.
    #[serde(default)]
    pub multi_valued: bool,
    /// Human-readable description.
    #[serde(default)]
    pub description: String,
    /// Whether a value is required.
    #[serde(default)]
    pub required: bool,
    /// Whether string comparison is case-sensitive.
    #[serde(default)]
    pub case_exact: bool,
    /// Mutability.
    #[serde(default)]
    pub mutability: Mutability,
    /// When the attribute is returned.
    #[serde(default)]
    pub returned: Returned,
    /// Uniqueness.
    #[serde(default)]
    pub uniqueness: Uniqueness,
    /// Suggested values, where the schema lists them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub canonical_values: Vec<String>,
    /// For `reference` attributes: the resource types it may point to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reference_types: Vec<String>,
    /// For `complex` attributes: the sub-attributes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sub_attributes: Vec<Attribute>,
    /// Set on attributes this provider adds itself (id, externalId, meta); never serialised.
    #[serde(skip, default)]
    pub common: bool,
}

impl Attribute {
    /// The sub-attribute named `name`, compared case-insensitively.
    pub fn sub_attribute(&self, name: &str) -> Option<&Attribute> {
        self.sub_attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }
}

/// A schema document (RFC 7643 §7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Schema {
    /// The schema URN.
    pub id: String,
    /// Human-readable name.
    #[serde(default)]
    pub name: String,
    /// Human-readable description.
    #[serde(default)]
    pub description: String,
    /// Top-level attributes.
    pub attributes: Vec<Attribute>,
}

impl Schema {
    /// The top-level attribute named `name`, compared case-insensitively.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }
}

/// One schema extension of a resource type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemaExtension {
    /// The extension's schema URN.
    pub schema: String,
    /// Whether every resource must carry the extension.
    pub required: bool,
}

/// A resource type (RFC 7643 §6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceType {
    /// The resource type's id, e.g. `User`.
    pub id: String,
    /// Its name, e.g. `User`.
    pub name: String,
    /// Endpoint relative to the base URL, e.g. `/Users`.
    pub endpoint: String,
    /// Human-readable description.
    #[serde(default)]
    pub description: String,
    /// The core schema URN.
    pub schema: String,
    /// Extension schemas.
    #[serde(default)]
    pub schema_extensions: Vec<SchemaExtension>,
}

/// What a path resolved to, with the schema it lives in.
#[derive(Debug, Clone, Copy)]
pub struct Resolved<'s> {
    /// `Some(urn)` when the attribute lives in an extension (the JSON key is the URN);
    /// `None` when it is a top-level attribute of the resource's core schema or a common one.
    pub extension: Option<&'s str>,
    /// The top-level attribute.
    pub top: &'s Attribute,
    /// The sub-attribute, when the path named one.
    pub sub: Option<&'s Attribute>,
}

impl<'s> Resolved<'s> {
    /// The attribute the path designates: the sub-attribute if there is one, else the top one.
    pub fn attr(&self) -> &'s Attribute {
        self.sub.unwrap_or(self.top)
    }
}

/// How the pure core asks about attribute definitions. Unqualified names are looked up in the
/// resource's core schema (and common attributes), then in its extensions; names compare
/// case-insensitively. Implemented by the schema registry for a resource type, and by small
/// fakes in unit tests.
pub trait AttrLookup {
    /// Resolve `path` (top-level, or `attr.sub`, optionally URN-qualified).
    fn resolve(&self, path: &AttrPath) -> Option<Resolved<'_>>;
    /// The URNs of the resource's core schema and extensions, core first.
    fn schema_urns(&self) -> Vec<&str>;
}
