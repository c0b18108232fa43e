//! `scimtest load`'s run shapes end to end against the reference provider: `/Bulk` operations
//! split to the target's declared limits with the provisioning headline and nothing left behind,
//! a target that declares no Bulk support refused before anything is created, the rate-limit
//! section of a throttled and of a clean run, and `--pace` presets.

use crate::support::cli::{self, code, error_of};
use scimtest::provider::store::Kind;
use scimtest::provider::{Fault, Faults, Limits, ProviderConfig, ProviderHandle};

fn tmpdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "scimtest-it-shapes-{name}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&d).unwrap_or_else(|e| panic!("{e}"));
    d
}

fn report(dir: &std::path::Path) -> serde_json::Value {
    let t = std::fs::read_to_string(dir.join("report.json")).unwrap_or_else(|e| panic!("{e}"));
    serde_json::from_str(&t).unwrap_or_else(|e| panic!("{e}"))
}

async fn provider(cfg: ProviderConfig) -> ProviderHandle {
    scimtest::provider::spawn(cfg)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

fn users_on(h: &ProviderHandle) -> usize {
    let slot = h
        .provider
        .authenticate(Some(&h.token))
        .unwrap_or_else(|| panic!("token"));
    h.provider.count(slot, Kind::User) + h.provider.count(slot, Kind::Group)
}

fn scenario(dir: &std::path::Path, body: &str) -> String {
    let p = dir.join("s.toml");
    std::fs::write(
        &p,
        format!("name = \"s\"\ndescription = \"t\"\nmodelled_on = \"t\"\n{body}"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    p.display().to_string()
}

async fn load(
    h: &ProviderHandle,
    dir: &std::path::Path,
    extra: &[&str],
) -> scimtest::cli::CmdResult {
    let out = dir.join("r").display().to_string();
    let mut args = vec![
        "load",
        "--no-correctness",
        "--target",
        &h.base_url,
        "--token",
        &h.token,
        "--report-dir",
        &out,
    ];
    args.extend(extra);
    cli::run(&args).await
}

/// 2 users × 2 iterations × 30 users in `/Bulk`, against a target allowing 8 operations per
/// request: 4 requests per batch, 120 users provisioned, the last step deleting 5 per user by
/// `/Bulk` too, and nothing left behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_creates_split_to_max_operations_count_in_the_headline_and_are_cleaned_up() {
    let h = provider(ProviderConfig {
        limits: Limits {
            bulk_max_operations: 8,
            ..Limits::default()
        },
        ..ProviderConfig::default()
    })
    .await;
    let dir = tmpdir("bulk");
    let sc = scenario(
        &dir,
        "[run]\nusers = 2\niterations = 2\n[[operation]]\nname = \"bulk-create-users\"\nsequence = 1\nbatch = 30\n[[operation]]\nname = \"bulk-delete-users\"\nsequence = 2\nbatch = 5\n[[threshold]]\nmetric = \"error-rate\"\nbelow = \"1%\"\n",
    );
    let outcome = load(&h, &dir, &["--scenario", &sc]).await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Passed), "{outcome:?}");
    let r = report(&dir.join("r"));
    let l = &r["load"];
    let p = &l["provisioning"];
    assert_eq!(p["users"], 120, "{p}");
    assert_eq!(
        (p["bulk"].as_u64(), p["single"].as_u64()),
        (Some(120), Some(0))
    );
    let headline = p["headline"].as_str().unwrap_or_default();
    assert!(
        headline.starts_with("120 users provisioned in "),
        "{headline}"
    );
    let b = &p["bulk_detail"];
    assert_eq!(b["max_operations"], 8, "{b}");
    assert_eq!(b["batch"], 8, "{b}");
    // Creates: 4 batches of 30 in requests of 8, 8, 8, 6; deletes: 4 of 5.
    assert_eq!(b["requests"], 4 * 4 + 4, "{b}");
    assert_eq!(b["operations"], 120 + 20, "{b}");
    assert_eq!(
        (b["created"].as_u64(), b["deleted"].as_u64()),
        (Some(120), Some(20))
    );
    assert_eq!(b["failed"], serde_json::json!({}), "{b}");
    assert_eq!(l["errors"], 0, "{l}");
    assert!(
        l["operations"]
            .as_array()
            .is_some_and(|o| o.iter().any(|o| o["op"] == "POST /Bulk create-users")),
        "{l}"
    );
    assert_eq!(r["cleanup"]["leftovers"], serde_json::json!([]));
    assert_eq!(users_on(&h), 0, "the run left users behind");
    let md = std::fs::read_to_string(dir.join("r").join("report.md")).unwrap_or_default();
    assert!(md.contains("120 users provisioned in"), "{md}");
    assert!(md.contains("Rate limits: no throttling"), "{md}");
}

/// A payload limit splits a batch too: every request stays within maxPayloadSize, none is
/// refused with 413.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_batches_stay_under_max_payload_size() {
    let h = provider(ProviderConfig {
        limits: Limits {
            bulk_max_payload_bytes: 2_000,
            ..Limits::default()
        },
        ..ProviderConfig::default()
    })
    .await;
    let dir = tmpdir("payload");
    let sc = scenario(
        &dir,
        "[run]\nusers = 1\niterations = 1\n[[operation]]\nname = \"bulk-create-users\"\nbatch = 20\n[[threshold]]\nmetric = \"error-rate\"\nbelow = \"1%\"\n",
    );
    let outcome = load(&h, &dir, &["--scenario", &sc]).await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Passed), "{outcome:?}");
    let b = report(&dir.join("r"))["load"]["provisioning"]["bulk_detail"].clone();
    assert_eq!(b["created"], 20, "{b}");
    assert!(b["requests"].as_u64().is_some_and(|n| n > 1), "{b}");
    assert_eq!(b["failed"], serde_json::json!({}), "{b}");
    assert_eq!(users_on(&h), 0);
}

/// A target that declares `bulk.supported: false` gets no `/Bulk` at all: exit 3 before the
/// set-up, the message naming the single-POST scenario, nothing created.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_without_bulk_is_refused_before_anything_is_created() {
    let h = provider(ProviderConfig {
        hooks: Faults::new([Fault::SpcUnderstates]).hooks(),
        ..ProviderConfig::default()
    })
    .await;
    let dir = tmpdir("nobulk");
    let outcome = load(&h, &dir, &["--scenario", "bulk-onboarding-bulk"]).await;
    assert_eq!(code(&outcome), 3, "{outcome:?}");
    let e = error_of(outcome).render().unwrap_or_default();
    assert!(e.contains("bulk.supported = false"), "{e}");
    assert!(e.contains("--scenario bulk-onboarding "), "{e}");
    assert_eq!(users_on(&h), 0);
    // The same target serves the single-POST onboarding.
    let sc = scenario(
        &dir,
        "[run]\nusers = 2\niterations = 2\n[[operation]]\nname = \"create-user\"\n[[threshold]]\nmetric = \"error-rate\"\nbelow = \"1%\"\n",
    );
    let outcome = load(&h, &dir, &["--scenario", &sc]).await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Passed), "{outcome:?}");
    let p = &report(&dir.join("r"))["load"]["provisioning"];
    assert_eq!(
        (p["users"].as_u64(), p["single"].as_u64()),
        (Some(4), Some(4)),
        "{p}"
    );
    assert!(p.get("bulk_detail").is_none(), "{p}");
}

/// Against a provider allowing 5 requests a second, the rate-limit section counts the 429s,
/// their `Retry-After: 1`, the waits sat out, and says what each IdP would do; a clean run
/// says "no throttling".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttled_run_reports_429s_retry_after_and_each_idps_reaction() {
    let dir = tmpdir("throttled");
    let sc = scenario(
        &dir,
        "[run]\nusers = 4\nduration = \"2s\"\n[[operation]]\nname = \"create-user\"\n[[threshold]]\nmetric = \"error-rate\"\nbelow = \"100%\"\n",
    );
    let limited = provider(ProviderConfig {
        limits: Limits {
            rate_limit_per_second: Some(5),
            ..Limits::default()
        },
        ..ProviderConfig::default()
    })
    .await;
    let outcome = load(&limited, &dir, &["--scenario", &sc]).await;
    assert!(outcome.is_ok(), "{outcome:?}");
    let l = report(&dir.join("r"))["load"].clone();
    let r = &l["rate_limits"];
    let n = r["throttled"].as_u64().unwrap_or(0);
    assert!(n > 0, "{r}");
    assert_eq!(r["throttled"], l["throttled"], "{r}");
    assert_eq!(r["by_operation"]["POST /Users"], n, "{r}");
    assert_eq!(
        r["retry_after_values"]["1"], n,
        "the provider sends Retry-After: 1: {r}"
    );
    assert_eq!(r["retry_after_missing"], 0, "{r}");
    assert!(
        r["peak_per_second"]
            .as_u64()
            .is_some_and(|p| p >= 1 && p <= n),
        "{r}"
    );
    assert!(r["honoured"].as_u64().is_some_and(|h| h >= 1), "{r}");
    let idps: Vec<&str> = r["idps"]
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["idp"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(idps, ["entra", "okta", "authentik", "keycloak"], "{r}");
    let okta = r["idps"][1]["reaction"].as_str().unwrap_or_default();
    assert!(okta.contains("after exactly 1 s"), "{okta}");
    let authentik = r["idps"][2]["reaction"].as_str().unwrap_or_default();
    assert!(authentik.contains("15 s") && authentik.contains("never reads Retry-After"));
    let md = std::fs::read_to_string(dir.join("r").join("report.md")).unwrap_or_default();
    assert!(
        md.contains("Rate limits: throttled:") && md.contains("| Okta |"),
        "{md}"
    );

    let clean = provider(ProviderConfig::default()).await;
    let outcome = load(&clean, &dir, &["--scenario", &sc]).await;
    assert_eq!(outcome, Ok(scimtest::cli::Verdict::Passed), "{outcome:?}");
    let r = &report(&dir.join("r"))["load"]["rate_limits"];
    assert_eq!(r["throttled"], 0, "{r}");
    assert!(
        r["summary"]
            .as_str()
            .is_some_and(|s| s.starts_with("no throttling")),
        "{r}"
    );
    assert_eq!(r["idps"], serde_json::json!([]));
}

/// `--pace entra` holds the run to 25 req/s from 8 users and says the clean provider kept up;
/// against a provider allowing 10 requests a second it did not, and says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pace_entra_says_whether_the_target_kept_up() {
    let dir = tmpdir("pace");
    let sc = scenario(
        &dir,
        "[run]\nusers = 2\nduration = \"3s\"\n[data]\nusers = 5\n[[operation]]\nname = \"filter-user\"\n[[operation]]\nname = \"patch-user\"\n[[threshold]]\nmetric = \"error-rate\"\nbelow = \"100%\"\n",
    );
    for (limit, kept_up) in [(None, true), (Some(10), false)] {
        let h = provider(ProviderConfig {
            limits: Limits {
                rate_limit_per_second: limit,
                ..Limits::default()
            },
            ..ProviderConfig::default()
        })
        .await;
        let outcome = load(&h, &dir, &["--scenario", &sc, "--pace", "entra"]).await;
        assert!(outcome.is_ok(), "{outcome:?}");
        let r = report(&dir.join("r"));
        let l = &r["load"];
        let p = &l["pace"];
        assert_eq!(p["preset"], "entra");
        assert_eq!(
            (p["requests_per_second"].as_u64(), p["users"].as_u64()),
            (Some(25), Some(8))
        );
        assert_eq!(l["users"], 8, "the preset's users replace the scenario's");
        assert_eq!(p["kept_up"], kept_up, "limit {limit:?}: {p}");
        // Held to the pace: never much above 25 req/s.
        assert!(p["achieved_rps"].as_f64().is_some_and(|r| r <= 27.0), "{p}");
        if !kept_up {
            assert!(
                p["verdict"].as_str().is_some_and(|v| v.contains("429")),
                "{p}"
            );
        }
        assert!(
            r["options"]
                .as_array()
                .is_some_and(|o| o.iter().any(|o| o == "--pace entra")),
            "{r}"
        );
    }
}

#[tokio::test]
async fn list_paces_and_an_unknown_pace() {
    assert_eq!(
        cli::run(&["load", "--list-paces"]).await,
        Ok(scimtest::cli::Verdict::Passed)
    );
    let outcome = cli::run(&["load", "--pace", "entr"]).await;
    assert_eq!(code(&outcome), 2, "{outcome:?}");
    let e = error_of(outcome).render().unwrap_or_default();
    assert!(e.contains("did you mean \"entra\""), "{e}");
}
