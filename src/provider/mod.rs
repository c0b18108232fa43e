//! The bundled reference SCIM provider (axum + an in-memory store).
