//! The discovery documents (RFC 7644 §4): the ServiceProviderConfig, `/Schemas` and
//! `/ResourceTypes`, each through the discovery hook.

use super::*;

impl Provider {
    /// The ServiceProviderConfig document.
    pub fn service_provider_config(&self) -> Bytes {
        self.spc.clone()
    }

    /// The `/Schemas` list or one schema.
    pub fn schemas(&self, id: Option<&str>) -> ScimResult<Reply> {
        let mut doc = match id {
            Some(id) => {
                let s = self
                    .registry
                    .schema(id)
                    .filter(|s| self.schema_served(&s.id))
                    .ok_or_else(|| ScimError::not_found(format!("no schema {id:?}")))?;
                registry::schema_document(s, &self.base_url)
            }
            None => {
                let docs: Vec<Value> = self
                    .registry
                    .schemas()
                    .iter()
                    .filter(|s| self.schema_served(&s.id))
                    .map(|s| registry::schema_document(s, &self.base_url))
                    .collect();
                let n = docs.len();
                query::list_response(n, 1, docs)
            }
        };
        self.hooks.discovery(Discovery::Schemas(id), &mut doc)?;
        Ok(Reply::json(200, &doc))
    }

    /// The `/ResourceTypes` list or one resource type.
    pub fn resource_types(&self, id: Option<&str>) -> ScimResult<Reply> {
        let mut doc = match id {
            Some(id) => {
                let rt = self
                    .registry
                    .resource_type(id)
                    .filter(|rt| self.resource_type_served(rt))
                    .ok_or_else(|| ScimError::not_found(format!("no resource type {id:?}")))?;
                registry::resource_type_document(rt, &self.base_url)
            }
            None => {
                let docs: Vec<Value> = self
                    .registry
                    .resource_types()
                    .iter()
                    .filter(|rt| self.resource_type_served(rt))
                    .map(|rt| registry::resource_type_document(rt, &self.base_url))
                    .collect();
                let n = docs.len();
                query::list_response(n, 1, docs)
            }
        };
        self.hooks
            .discovery(Discovery::ResourceTypes(id), &mut doc)?;
        Ok(Reply::json(200, &doc))
    }

    /// Whether a resource type is served (a kind switched off by `Semantics` is not).
    fn resource_type_served(&self, rt: &crate::scim::schema::ResourceType) -> bool {
        [Kind::User, Kind::Group]
            .into_iter()
            .find(|k| k.id().eq_ignore_ascii_case(&rt.id))
            .is_none_or(|k| self.serves(k))
    }

    /// Whether a schema is served: one no resource type uses (the service provider schemas), or
    /// one a served resource type uses as its core schema or an extension.
    fn schema_served(&self, urn: &str) -> bool {
        let users: Vec<_> = self
            .registry
            .resource_types()
            .iter()
            .filter(|rt| {
                rt.schema.eq_ignore_ascii_case(urn)
                    || rt
                        .schema_extensions
                        .iter()
                        .any(|e| e.schema.eq_ignore_ascii_case(urn))
            })
            .collect();
        users.is_empty() || users.iter().any(|rt| self.resource_type_served(rt))
    }
}
