//! insta snapshots of every embedded fixture replayed against a fresh reference provider: the
//! normalised transcript (live ids back to `{{user1.id}}`, run prefix to `{{run}}`, UUIDs,
//! timestamps, ETags and host:port redacted by shape), one snapshot per fixture under
//! `snapshots/`. A change in what the provider answers, or in a fixture, shows up as a
//! reviewable diff (`cargo insta review`); CI runs with `INSTA_UPDATE=no`.

use scimtest::client::{Client, Namespace, Redactor, TargetConfig};
use scimtest::replay::{self, fixture::Fixture};

#[test]
fn transcript() {
    let rt = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    insta::with_settings!({
        snapshot_path => "../../snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::glob!("../../fixtures/idp", "**/*.json", |path| {
            if path.file_name().is_some_and(|n| n == "profile.json") {
                return;
            }
            let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{e}"));
            let mut fx = Fixture::parse(&text, &path.display().to_string())
                .unwrap_or_else(|e| panic!("{e}"));
            let manifests = scimtest::replay::fixture::embedded_profiles()
                .unwrap_or_else(|e| panic!("{e}"));
            scimtest::replay::fixture::attach(std::slice::from_mut(&mut fx), &manifests);
            let transcript = rt.block_on(async {
                let h = scimtest::provider::spawn(Default::default())
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                let c = Client::new(
                    TargetConfig::bearer(h.base_url.clone(), &h.token),
                    Redactor::new([h.token.clone()], []),
                )
                .unwrap_or_else(|e| panic!("{e}"));
                let out = replay::run(c, Namespace::new(), vec![fx], 1, &|_| {}).await;
                let t = replay::transcript::render(&out.flows[0], &h.base_url);
                assert!(!t.contains(&h.token), "the token leaked into a transcript");
                h.shutdown().await;
                t
            });
            insta::assert_snapshot!(transcript);
        });
    });
}
