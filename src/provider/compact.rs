//! Stored documents in a compact form: the phrases every SCIM resource repeats (schema URNs,
//! attribute names, the `meta` skeleton), the resource's own id, and a `lastModified` equal to
//! `created` replaced by one byte each.
//!
//! The stored documents are compact JSON as serde_json writes it, which never holds a byte below
//! 0x20 (control characters inside strings are escaped, and there is no whitespace). Those bytes
//! are the tokens: [`pack`] replaces phrases with them, left to right, and [`unpack`] puts the
//! phrases back, so `unpack(pack(x)) == x` for any such `x`, whatever the phrases happen to match
//! (a phrase inside a string value is replaced and restored like any other bytes). A document
//! that does hold a byte below 0x20 is kept as it is, behind a marker byte.

/// The dictionary: token `i + 1` stands for `PHRASES[i]`. Packed documents never leave the
/// process, so changing it changes nothing outside.
const PHRASES: [&str; 27] = [
    "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"",
    ",\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\"",
    "\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\":{",
    "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"],\"id\":\"",
    "],\"id\":\"",
    "\",\"externalId\":\"",
    "\",\"userName\":\"",
    ",\"name\":{",
    "\"givenName\":\"",
    "\"familyName\":\"",
    ",\"displayName\":\"",
    ",\"emails\":[{\"value\":\"",
    "\",\"type\":\"work\",\"primary\":true}]",
    ",\"active\":true",
    ",\"meta\":{\"resourceType\":\"User\",\"created\":\"",
    ",\"meta\":{\"resourceType\":\"Group\",\"created\":\"",
    "\",\"lastModified\":\"",
    "\",\"version\":\"W/\\\"",
    "\"employeeNumber\":\"",
    "\"department\":\"",
    "\"value\":\"",
    "\"type\":\"",
    "\"primary\":",
    ",\"title\":\"",
    ",\"phoneNumbers\":[{",
    ",\"addresses\":[{",
    "\"formatted\":\"",
];

/// The phrases after which a `created` timestamp starts (the two `meta` openings).
const CREATED: [usize; 2] = [14, 15];
/// The `lastModified` phrase.
const LAST_MODIFIED: usize = 16;
/// Stands for `PHRASES[LAST_MODIFIED]` followed by the `created` value (a resource not
/// modified since it was created).
const SAME_STAMP: u8 = 0x1d;
/// Stands for the resource's id.
const ID: u8 = 0x1e;
/// Marks a document stored as it is (it held a byte below 0x20).
const RAW: u8 = 0x1f;

/// For each first byte, the indexes of the phrases starting with it, longest first.
fn candidates(first: u8) -> &'static [usize] {
    static TABLE: std::sync::OnceLock<Vec<Vec<usize>>> = std::sync::OnceLock::new();
    let t = TABLE.get_or_init(|| {
        let mut t = vec![Vec::new(); 256];
        let mut order: Vec<usize> = (0..PHRASES.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(PHRASES[i].len()));
        for i in order {
            if let Some(&b) = PHRASES[i].as_bytes().first() {
                t[usize::from(b)].push(i);
            }
        }
        t
    });
    t.get(usize::from(first)).map_or(&[], Vec::as_slice)
}

fn token(phrase: usize) -> u8 {
    u8::try_from(phrase + 1).unwrap_or(RAW)
}

/// The bytes of `s` up to (not including) its first `"`, if it has one.
fn up_to_quote(s: &[u8]) -> Option<&[u8]> {
    s.iter().position(|&b| b == b'"').map(|at| &s[..at])
}

/// The compact form of `doc` (a resource whose id is `id`).
pub fn pack(doc: &[u8], id: &str) -> Box<[u8]> {
    if doc.iter().any(|&b| b < 0x20) {
        let mut out = Vec::with_capacity(doc.len() + 1);
        out.push(RAW);
        out.extend_from_slice(doc);
        return out.into_boxed_slice();
    }
    // The id is replaced only where it appears as written (nothing JSON would escape).
    let id = id.as_bytes();
    let id_ok = !id.is_empty() && !id.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\');
    let mut created: Option<&[u8]> = None;
    let mut out = Vec::with_capacity(doc.len());
    let mut i = 0;
    'outer: while i < doc.len() {
        let rest = &doc[i..];
        for &p in candidates(rest[0]) {
            let phrase = PHRASES[p].as_bytes();
            if let Some(after) = rest.strip_prefix(phrase) {
                if p == LAST_MODIFIED
                    && let Some(c) = created
                    && after.starts_with(c)
                    && after.get(c.len()) == Some(&b'"')
                {
                    out.push(SAME_STAMP);
                    i += phrase.len() + c.len();
                    continue 'outer;
                }
                if CREATED.contains(&p) {
                    created = up_to_quote(after);
                }
                out.push(token(p));
                i += phrase.len();
                continue 'outer;
            }
        }
        if id_ok && rest.starts_with(id) {
            out.push(ID);
            i += id.len();
            continue;
        }
        out.push(rest[0]);
        i += 1;
    }
    out.into_boxed_slice()
}

/// Append the document `packed` (a resource whose id is `id`) stands for to `out`.
pub fn unpack_into(packed: &[u8], id: &str, out: &mut Vec<u8>) {
    if let Some(raw) = packed.strip_prefix(&[RAW]) {
        out.extend_from_slice(raw);
        return;
    }
    out.reserve(packed.len() * 3);
    // Where the last `created` value starts in `out`.
    let mut created_at: Option<usize> = None;
    let mut rest = packed;
    while let Some(at) = rest.iter().position(|&b| b < 0x20) {
        out.extend_from_slice(&rest[..at]);
        match rest[at] {
            ID => out.extend_from_slice(id.as_bytes()),
            SAME_STAMP => {
                // The value ends at its closing quote, or (as usual) where this token starts.
                let stamp = created_at
                    .and_then(|c| out.get(c..))
                    .map(|s| up_to_quote(s).unwrap_or(s).to_vec())
                    .unwrap_or_default();
                out.extend_from_slice(PHRASES[LAST_MODIFIED].as_bytes());
                out.extend_from_slice(&stamp);
            }
            t => {
                let p = usize::from(t).wrapping_sub(1);
                if let Some(phrase) = PHRASES.get(p) {
                    out.extend_from_slice(phrase.as_bytes());
                    if CREATED.contains(&p) {
                        created_at = Some(out.len());
                    }
                }
            }
        }
        rest = &rest[at + 1..];
    }
    out.extend_from_slice(rest);
}

/// The document `packed` (a resource whose id is `id`) stands for.
pub fn unpack(packed: &[u8], id: &str) -> Vec<u8> {
    let mut out = Vec::new();
    unpack_into(packed, id, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const USER: &[u8] = br#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"id":"2819c223-7f76-453a-919d-413861904646","externalId":"ext-1","userName":"bjensen@example.com","name":{"givenName":"Barbara","familyName":"Jensen"},"displayName":"Babs","emails":[{"value":"bjensen@example.com","type":"work","primary":true}],"active":true,"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"1","department":"D1"},"meta":{"resourceType":"User","created":"2026-12-05T14:07:40.123Z","lastModified":"2026-12-05T14:07:40.123Z","version":"W/\"1\""}}"#;
    const ID_1: &str = "2819c223-7f76-453a-919d-413861904646";

    #[test]
    fn a_typical_user_round_trips_in_under_a_third_of_its_size() {
        let p = pack(USER, ID_1);
        assert!(p.len() * 3 < USER.len(), "{} of {}", p.len(), USER.len());
        assert_eq!(unpack(&p, ID_1), USER.to_vec());
    }

    #[test]
    fn a_modified_stamp_and_another_id_round_trip() {
        let doc = String::from_utf8_lossy(USER).replace(
            "\"lastModified\":\"2026-12-05T14:07:40.123Z\"",
            "\"lastModified\":\"2026-12-05T14:07:40.124Z\"",
        );
        let p = pack(doc.as_bytes(), ID_1);
        assert_eq!(unpack(&p, ID_1), doc.as_bytes().to_vec());
        let p = pack(USER, "other");
        assert_eq!(unpack(&p, "other"), USER.to_vec());
    }

    #[test]
    fn phrases_inside_strings_odd_ids_and_control_bytes_round_trip() {
        for (doc, id) in [
            (
                &br#"{"a":"\",\"userName\":\" @example.com","b":"\u0001","id":"x"}"#[..],
                "x",
            ),
            (b"{\"raw\":\"\x01\x1f\"}", "raw"),
            (b"", ""),
            (b"\"", "\""),
            ("{\"x\":\"é😀\"}".as_bytes(), "é"),
            (br#"{"id":"a\"b"}"#, "a\"b"),
            (
                br#","lastModified":"x","meta":{"resourceType":"User","created":""lastModified":""#,
                "x",
            ),
        ] {
            let p = pack(doc, id);
            assert_eq!(
                unpack(&p, id),
                doc.to_vec(),
                "{:?}",
                String::from_utf8_lossy(doc)
            );
        }
    }

    #[test]
    fn the_dictionary_fits_the_tokens() {
        assert!(PHRASES.len() < usize::from(SAME_STAMP));
        for p in PHRASES {
            assert!(p.len() > 1 && p.bytes().all(|b| b >= 0x20), "{p}");
        }
        assert!(PHRASES[LAST_MODIFIED].starts_with("\",\"lastModified"));
        for c in CREATED {
            assert!(PHRASES[c].ends_with("\"created\":\""));
        }
    }
}
