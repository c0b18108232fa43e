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
                    .ok_or_else(|| ScimError::not_found(format!("no schema {id:?}")))?;
                registry::schema_document(s, &self.base_url)
            }
            None => {
                let docs: Vec<Value> = self
                    .registry
                    .schemas()
                    .iter()
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
                    .ok_or_else(|| ScimError::not_found(format!("no resource type {id:?}")))?;
                registry::resource_type_document(rt, &self.base_url)
            }
            None => {
                let docs: Vec<Value> = self
                    .registry
                    .resource_types()
                    .iter()
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
}
