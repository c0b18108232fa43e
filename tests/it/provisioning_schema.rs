//! docs/provisioning.schema.json and `scim::provisioning::parse` agree: every shipped example
//! is valid under both, and the broken files below are refused by both.

use scimtest::scim::provisioning;
use std::path::Path;

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string("docs/provisioning.schema.json")
        .unwrap_or_else(|e| panic!("docs/provisioning.schema.json: {e}"));
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{e}"))
}

/// A TOML text as the JSON the schema describes.
fn as_json(text: &str) -> serde_json::Value {
    let v: toml::Value = toml::from_str(text).unwrap_or_else(|e| panic!("{e}"));
    serde_json::to_value(v).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_example_is_valid_under_the_schema_and_the_parser() {
    let v = validator();
    let mut seen = 0;
    for entry in std::fs::read_dir("examples").unwrap_or_else(|e| panic!("{e}")) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
        let errors: Vec<String> = v
            .iter_errors(&as_json(&text))
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        provisioning::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        seen += 1;
    }
    assert!(seen >= 3, "the three shipped examples");
}

#[test]
fn certifys_short_form_and_an_empty_file_are_valid_under_both() {
    let v = validator();
    for text in [
        "",
        "[[user]]\nsource = \"userPrincipalName\"\ntarget = \"userName\"\n\n[[group]]\ntarget = \"displayName\"\ntype = \"string\"\n",
        "[groups]\nprovision = false\n",
    ] {
        assert!(v.is_valid(&as_json(text)), "{text}");
        provisioning::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    }
}

#[test]
fn broken_files_are_refused_by_both() {
    let v = validator();
    let broken = [
        ("an unknown key", "[users]\nmatchng = \"userName\"\n"),
        (
            "an unknown top-level key",
            "idp = \"entra\"\nusers_only = true\n",
        ),
        (
            "a bad action",
            "[users]\nactions = [\"create\", \"purge\"]\n",
        ),
        ("a bad deprovision", "[users]\ndeprovision = \"archive\"\n"),
        (
            "a bad type",
            "[users]\n[[users.mapping]]\ntarget = \"userName\"\ntype = \"text\"\n",
        ),
        ("a mapping without target", "[[user]]\nsource = \"mail\"\n"),
        ("another format version", "format_version = 2\n"),
        (
            "both forms in one file",
            "[[user]]\ntarget = \"userName\"\n\n[users]\nprovision = true\n",
        ),
        ("a blank matching attribute", "[users]\nmatching = \" \"\n"),
        (
            "a scope without group",
            "[users]\nscope = { name = \"App Users\" }\n",
        ),
    ];
    for (what, text) in broken {
        assert!(!v.is_valid(&as_json(text)), "the schema accepts {what}");
        assert!(
            provisioning::parse(text).is_err(),
            "the parser accepts {what}"
        );
    }
    assert!(Path::new("docs/provisioning.md").exists());
}
