//! The loopback ceiling for `bench/provider.sh`: an axum endpoint that answers every request
//! under `/scim/v2` with the same ~600-byte User, after the same bearer check the provider does.
//! Whatever the provider costs above this is the price of doing SCIM for real.
//!
//! `cargo run --release --example canned -- 127.0.0.1:18090 TOKEN`

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

const USER: &str = r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"id":"2819c223-7f76-453a-919d-413861904646","externalId":"bjensen","userName":"bjensen@example.com","name":{"formatted":"Ms. Barbara J Jensen III","familyName":"Jensen","givenName":"Barbara"},"displayName":"Babs Jensen","emails":[{"value":"bjensen@example.com","type":"work","primary":true}],"active":true,"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"701984","department":"Tour Operations"},"meta":{"resourceType":"User","created":"2010-01-23T04:56:22.000Z","lastModified":"2011-05-13T04:42:34.000Z","location":"http://127.0.0.1/scim/v2/Users/2819c223-7f76-453a-919d-413861904646","version":"W/\"3694e05e9dff590\""}}"#;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:18090".into());
    let token = args.next().unwrap_or_else(|| "secret-token".into());
    let expected = format!("Bearer {token}");
    let app = Router::new().route(
        "/scim/v2/{*rest}",
        axum::routing::any(move |headers: HeaderMap| {
            let ok = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                == Some(expected.as_str());
            async move {
                let mut r: Response = if ok {
                    USER.into_response()
                } else {
                    StatusCode::UNAUTHORIZED.into_response()
                };
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/scim+json"),
                );
                r
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("canned SCIM endpoint on http://{addr}/scim/v2");
    axum::serve(listener, app).await
}
