//! Arbitrary bytes as a `PatchOp` body (RFC 7644 §3.5.2), applied to the fixed User and the fixed
//! Group with the real schema registry, through the same steps as the provider's PATCH
//! (`PatchRequest::from_json`, `patch::apply`, then `resource::normalize` in Replace mode, which
//! is what `store_patched` runs before writing). Asserts: no panic; every error is a 4xx; `apply`
//! leaves its input untouched; `changed` is exactly "the result differs from the input"; and applying the same request twice to the
//! same input gives the same answer (no hidden state).
#![no_main]

use libfuzzer_sys::fuzz_target;
use scimtest::scim::patch::{self, PatchRequest};
use scimtest::scim::resource::{self, WriteMode};
use scimtest_fuzz::{Fixture, assert_client_error};
use serde_json::Value;
use std::sync::LazyLock;

struct Ctx {
    fixture: Fixture,
    user: Value,
    group: Value,
}

static CTX: LazyLock<Ctx> = LazyLock::new(|| {
    let fixture = Fixture::new();
    let user = Fixture::stored(&fixture.user);
    let group = Fixture::stored(&fixture.group);
    Ctx {
        fixture,
        user,
        group,
    }
});

fuzz_target!(|data: &[u8]| {
    let Ok(body) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let ctx = &*CTX;
    let req = match PatchRequest::from_json(&body) {
        Ok(r) => r,
        Err(e) => {
            assert_client_error(&e, "PatchRequest::from_json");
            return;
        }
    };
    let registry = &ctx.fixture.provider.registry;
    for (rt, stored) in [("User", &ctx.user), ("Group", &ctx.group)] {
        let schema = registry
            .lookup(rt)
            .unwrap_or_else(|| panic!("no {rt} schema"));
        let before = stored.clone();
        let first = patch::apply(stored, &req, &schema);
        assert_eq!(&before, stored, "{rt}: apply mutated its input");
        let second = patch::apply(stored, &req, &schema);
        assert_eq!(first, second, "{rt}: the same PATCH gave two answers");
        match first {
            Err(e) => assert_client_error(&e, &format!("{rt}: patch::apply")),
            Ok(out) => {
                assert_eq!(
                    out.changed,
                    out.resource != *stored,
                    "{rt}: `changed` disagrees with the result"
                );
                if let Err(e) = resource::normalize(&out.resource, &schema, WriteMode::Replace) {
                    assert_client_error(&e, &format!("{rt}: normalize after apply"));
                }
            }
        }
    }
});
