//! Arbitrary UTF-8 as a SCIM filter (RFC 7644 §3.4.2.2). Asserts: `Filter::parse` never panics;
//! a parse error's byte offset is on a character boundary within the input and `render` works;
//! an accepted filter's canonical `Display` re-parses to the same AST; `validate` against the
//! User and Group schemas returns Ok or a 4xx SCIM error; evaluating it against the fixed sample
//! User and Group (and `equality_on`) never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scimtest::scim::AttrPath;
use scimtest::scim::filter::Filter;
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
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let ctx = &*CTX;
    let f = match Filter::parse(input) {
        Ok(f) => f,
        Err(e) => {
            assert!(e.pos <= input.len(), "error offset past the input: {e:?}");
            assert!(
                input.is_char_boundary(e.pos),
                "error offset inside a char: {e:?}"
            );
            let _ = e.render();
            return;
        }
    };
    let canonical = f.to_string();
    let again = Filter::parse(&canonical).unwrap_or_else(|e| {
        panic!("canonical form {canonical:?} of {input:?} does not parse: {e}")
    });
    assert_eq!(
        again, f,
        "{input:?} → {canonical:?} re-parses to another AST"
    );
    let registry = &ctx.fixture.provider.registry;
    for (rt, resource) in [("User", &ctx.user), ("Group", &ctx.group)] {
        let schema = registry
            .lookup(rt)
            .unwrap_or_else(|| panic!("no {rt} schema"));
        if let Err(e) = f.validate(&schema) {
            assert_client_error(&e, "Filter::validate");
        }
        let _ = f.matches(resource, &schema);
    }
    let _ = f.equality_on(&AttrPath::attr("userName"));
    let _ = f.equality_on(&AttrPath::sub("members", "value"));
});
