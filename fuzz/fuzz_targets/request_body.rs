//! Arbitrary bytes as a request body sent through the provider's real request path: the axum
//! `Router` of `provider::http`, called in-process with `tower::ServiceExt::oneshot` on one
//! current-thread tokio runtime. The first byte picks the request (mod 5): POST /Users, PUT
//! /Users/{id}, PATCH /Users/{id}, POST /Groups, POST /Bulk (`{id}` is the fixed User); the rest
//! is the body, sent as `application/scim+json` with a valid token. Asserts: no panic; every
//! answer is a 2xx, or a 4xx with an RFC 7644 §3.12 error body (`schemas`, `status` equal to the
//! HTTP status); a 2xx with a body is JSON; a Bulk 200 lists per-operation statuses that are
//! themselves 2xx or 4xx. The tenant is reset to the fixed User and Group after every input.
#![no_main]

use axum::body::Body;
use axum::http::{Method, Request, header};
use libfuzzer_sys::fuzz_target;
use scimtest::provider::http;
use scimtest_fuzz::{Fixture, TOKEN, assert_error_body};
use serde_json::Value;
use std::sync::LazyLock;
use tower::ServiceExt;

struct Ctx {
    fixture: Fixture,
    router: axum::Router,
    rt: tokio::runtime::Runtime,
    user_path: String,
}

static CTX: LazyLock<Ctx> = LazyLock::new(|| {
    let fixture = Fixture::new();
    let router = http::router(fixture.provider.clone());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"));
    let user_path = format!("/scim/v2/Users/{}", fixture.user.id);
    Ctx {
        fixture,
        router,
        rt,
        user_path,
    }
});

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let ctx = &*CTX;
    let (method, uri) = match selector % 5 {
        0 => (Method::POST, "/scim/v2/Users"),
        1 => (Method::PUT, ctx.user_path.as_str()),
        2 => (Method::PATCH, ctx.user_path.as_str()),
        3 => (Method::POST, "/scim/v2/Groups"),
        _ => (Method::POST, "/scim/v2/Bulk"),
    };
    let context = format!("{method} {uri}");
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .header(header::CONTENT_TYPE, "application/scim+json")
        .body(Body::from(body.to_vec()))
        .unwrap_or_else(|e| panic!("request: {e}"));
    let (status, bytes) = ctx.rt.block_on(async {
        let resp = ctx
            .router
            .clone()
            .oneshot(req)
            .await
            .unwrap_or_else(|e| match e {});
        let status = resp.status().as_u16();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap_or_else(|e| panic!("{context}: response body: {e}"));
        (status, bytes)
    });
    ctx.fixture.reset();
    match status {
        200..=299 => {
            if bytes.is_empty() {
                return;
            }
            let v: Value = serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("{context}: {status} with a non-JSON body: {e}"));
            if selector % 5 == 4 {
                let ops = v["Operations"]
                    .as_array()
                    .unwrap_or_else(|| panic!("{context}: BulkResponse without Operations: {v}"));
                for op in ops {
                    let s: u16 = op["status"]
                        .as_str()
                        .and_then(|s| s.parse().ok())
                        .unwrap_or_else(|| panic!("{context}: bulk op without status: {op}"));
                    assert!(
                        (200..300).contains(&s) || (400..500).contains(&s),
                        "{context}: bulk operation answered {s}: {op}"
                    );
                    if s >= 400 {
                        let resp = serde_json::to_vec(&op["response"]).unwrap_or_default();
                        assert_error_body(s, &resp, &format!("{context} (bulk op)"));
                    }
                }
            }
        }
        400..=499 => assert_error_body(status, &bytes, &context),
        _ => panic!(
            "{context}: answered {status}: {}",
            String::from_utf8_lossy(&bytes)
        ),
    }
});
