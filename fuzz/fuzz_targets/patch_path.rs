//! Arbitrary UTF-8 as a PATCH path (RFC 7644 Figure 7) and as an attribute path (RFC 7644
//! §3.10). Asserts: neither parser panics; a `PatchPath` error is a 400 `invalidPath` or
//! `invalidFilter`; what either accepts prints (`Display`) to a string that re-parses to the same
//! value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scimtest::scim::patch::PatchPath;
use scimtest::scim::{AttrPath, ScimType};

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    match PatchPath::parse(input) {
        Ok(p) => {
            let text = p.to_string();
            let again = PatchPath::parse(&text)
                .unwrap_or_else(|e| panic!("{text:?} (from {input:?}) does not re-parse: {e:?}"));
            assert_eq!(again, p, "{input:?} → {text:?} re-parses to another path");
        }
        Err(e) => {
            assert_eq!(e.status, 400, "{input:?}: {e:?}");
            assert!(
                matches!(
                    e.scim_type,
                    Some(ScimType::InvalidPath | ScimType::InvalidFilter)
                ),
                "{input:?}: {e:?}"
            );
        }
    }
    match AttrPath::parse(input) {
        Ok(p) => {
            let text = p.to_string();
            let again = AttrPath::parse(&text)
                .unwrap_or_else(|e| panic!("{text:?} (from {input:?}) does not re-parse: {e}"));
            assert_eq!(again, p, "{input:?} → {text:?} re-parses to another path");
        }
        Err(e) => assert!(e.pos <= input.len(), "{input:?}: offset past the end: {e}"),
    }
});
