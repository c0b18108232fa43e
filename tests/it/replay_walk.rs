//! A replayed list GET that pages to the end (`walk` on a step): by RFC 9865 cursor or by index,
//! against wiremock doubles and the reference provider. The checks judge every page's Resources
//! as one list; a walk that never ends, or a page that fails, breaks the step with evidence.

use scimtest::client::{Client, Namespace, Redactor, TargetConfig};
use scimtest::replay::{self, fixture::Fixture};
use scimtest::report::model::Outcome;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn fixture(query: Value, walk: &str, count: u64) -> Fixture {
    let fx = json!({
        "format_version": 1, "idp": "okta", "profile": "walk-test", "flow": "full-sync",
        "title": "an import", "source": {"kind": "research-notes", "ref": "test"},
        "documented_in": ["test"], "captured_at": "2026-12-05",
        "steps": [{
            "name": "import-users",
            "request": {"method": "GET", "path": "/Users", "query": query},
            "walk": walk,
            "expect": {"status": [200], "why": "the import reads every user",
                       "body": [{"pointer": "/Resources", "count": count}]},
            "synthetic": false
        }]
    });
    Fixture::parse(&fx.to_string(), "walk-test").unwrap_or_else(|e| panic!("{e}"))
}

fn page(ids: &[&str], total: usize, next: Option<&str>) -> ResponseTemplate {
    let mut body = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": total,
        "itemsPerPage": ids.len(),
        "Resources": ids.iter().map(|i| json!({"id": i, "userName": i})).collect::<Vec<_>>(),
    });
    if let Some(n) = next {
        body["nextCursor"] = n.into();
    }
    ResponseTemplate::new(200).set_body_json(body)
}

async fn replay(base: &str, fx: Fixture) -> replay::engine::FlowResult {
    let c = Client::new(TargetConfig::bearer(base, "t0ken"), Redactor::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut out = replay::run(c, Namespace::new(), vec![fx], 1, &|_| {}).await;
    out.flows.remove(0)
}

async fn mount(server: &MockServer, param: (&str, &str), reply: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path("/Users"))
        .and(query_param(param.0, param.1))
        .respond_with(reply)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_cursor_walk_follows_next_cursor_to_the_end_and_judges_one_list() {
    let server = MockServer::start().await;
    mount(&server, ("cursor", ""), page(&["a", "b"], 5, Some("c2"))).await;
    mount(&server, ("cursor", "c2"), page(&["c", "d"], 5, Some("c3"))).await;
    mount(&server, ("cursor", "c3"), page(&["e"], 5, None)).await;
    let f = replay(
        &server.uri(),
        fixture(json!({"count": "2", "cursor": ""}), "cursor", 5),
    )
    .await;
    assert_eq!(f.outcome, Outcome::Pass, "{:?}", f.break_at);
    assert_eq!(f.steps[0].pages.len(), 2);
    assert_eq!(replay::flow_report(&f).evidence.len(), 3);
    // The same walk judged against a count it does not reach fails: the check is real.
    let f = replay(
        &server.uri(),
        fixture(json!({"count": "2", "cursor": ""}), "cursor", 6),
    )
    .await;
    assert_eq!(f.outcome, Outcome::Fail);
}

#[tokio::test]
async fn a_cursor_that_comes_back_breaks_the_walk_instead_of_looping() {
    let server = MockServer::start().await;
    mount(&server, ("cursor", ""), page(&["a"], 3, Some("same"))).await;
    mount(&server, ("cursor", "same"), page(&["b"], 3, Some("same"))).await;
    let f = replay(&server.uri(), fixture(json!({"cursor": ""}), "cursor", 3)).await;
    assert_eq!(f.outcome, Outcome::Fail);
    let b = f.break_at.unwrap_or_else(|| panic!("a break"));
    assert!(b.got.contains("second time"), "{}", b.got);
}

#[tokio::test]
async fn an_index_walk_asks_for_the_next_start_index_and_a_failing_page_breaks_it() {
    let server = MockServer::start().await;
    mount(&server, ("startIndex", "1"), page(&["a", "b"], 5, None)).await;
    mount(&server, ("startIndex", "3"), page(&["c", "d"], 5, None)).await;
    mount(&server, ("startIndex", "5"), page(&["e"], 5, None)).await;
    let q = json!({"startIndex": "1", "count": "2"});
    let f = replay(&server.uri(), fixture(q.clone(), "index", 5)).await;
    assert_eq!(f.outcome, Outcome::Pass, "{:?}", f.break_at);
    assert_eq!(f.steps[0].pages.len(), 2);
    let broken = MockServer::start().await;
    mount(&broken, ("startIndex", "1"), page(&["a", "b"], 5, None)).await;
    mount(&broken, ("startIndex", "3"), ResponseTemplate::new(500)).await;
    let f = replay(&broken.uri(), fixture(q, "index", 5)).await;
    assert_eq!(f.outcome, Outcome::Fail);
    let b = f.break_at.unwrap_or_else(|| panic!("a break"));
    assert!(b.got.contains("500"), "{}", b.got);
    assert_eq!(f.steps[0].pages.len(), 1, "the first page is evidence too");
}

/// Against the reference provider: three users created, then an import that pages through the
/// run's users one at a time sees all three.
#[tokio::test]
async fn an_index_walk_against_the_provider_sees_every_user() {
    let env = crate::support::Env::start().await;
    let mut steps: Vec<Value> = (1..=3)
        .map(|i| {
            json!({
                "name": format!("create-{i}"),
                "request": {"method": "POST", "path": "/Users",
                            "body": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                                     "userName": format!("{{{{run}}}}walk{i}")}},
                "capture": {format!("u{i}.id"): "/id"},
                "expect": {"status": [201], "why": "created"},
                "synthetic": true, "synthetic_reason": "test setup"
            })
        })
        .collect();
    steps.push(json!({
        "name": "import",
        "request": {"method": "GET", "path": "/Users",
                    "query": {"filter": "userName sw \"{{run}}\"", "startIndex": "1", "count": "1"}},
        "walk": "index",
        "expect": {"status": [200], "why": "the import reads every user",
                   "body": [{"pointer": "/Resources", "count": 3},
                            {"pointer": "/Resources", "includes": [{"id": "{{u1.id}}"}, {"id": "{{u2.id}}"}, {"id": "{{u3.id}}"}]}]},
        "synthetic": false
    }));
    let cleanup: Vec<Value> = (1..=3)
        .map(|i| {
            json!({
                "name": format!("delete-{i}"),
                "request": {"method": "DELETE", "path": format!("/Users/{{{{u{i}.id}}}}")},
                "expect": {"status": [204], "why": "cleanup"},
                "synthetic": true, "synthetic_reason": "cleanup"
            })
        })
        .collect();
    let fx = json!({
        "format_version": 1, "idp": "okta", "profile": "walk-test", "flow": "full-sync",
        "title": "an import", "source": {"kind": "research-notes", "ref": "test"},
        "documented_in": ["test"], "captured_at": "2026-12-05",
        "steps": steps, "cleanup": cleanup
    });
    let fx = Fixture::parse(&fx.to_string(), "walk-test").unwrap_or_else(|e| panic!("{e}"));
    let c = Client::new(
        TargetConfig::bearer(env.handle.base_url.clone(), &env.handle.token),
        Redactor::new([env.handle.token.clone()], []),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = replay::run(c, Namespace::new(), vec![fx], 1, &|_| {}).await;
    let f = &out.flows[0];
    assert_eq!(f.outcome, Outcome::Pass, "{:?}", f.break_at);
    assert_eq!(f.steps[3].pages.len(), 2, "three pages of one");
    assert!(out.cleanup.leftovers.is_empty());
}
