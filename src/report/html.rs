//! The HTML site and the compatibility certificate, rendered with minijinja from the views in
//! [`super::view`] and [`super::cert`]. Templates are compiled into the binary
//! (`src/report/templates/`); the site is one self-contained `index.html` (inline CSS, inline
//! SVG plots, a few lines of inline script for the filters, no network), so it works from
//! `file://`, a CI artefact viewer or an e-mail attachment. HTML templates auto-escape every
//! value; only the SVG plots (drawn and escaped by `load::plot`) are inserted as-is.

use super::cert::Certificate;
use super::model::RunReport;
use super::view::{Page, page};
use anyhow::Context;
use minijinja::value::Serde;
use minijinja::{Environment, Value};
use std::path::{Path, PathBuf};

const SITE: &str = include_str!("templates/site.html");
const CSS: &str = include_str!("templates/style.css");
const CERT_HTML: &str = include_str!("templates/certificate.html");
const CERT_MD: &str = include_str!("templates/certificate.md");

/// Escape Markdown punctuation so report text stays text (and one line in a table cell).
fn md(s: String) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Text for inside a Markdown code span in a table: no backtick, no newline, pipes escaped.
fn code(s: String) -> String {
    s.replace('`', "'")
        .replace(['\n', '\r'], " ")
        .replace('|', "\\|")
}

fn env() -> anyhow::Result<Environment<'static>> {
    let mut env = Environment::new();
    env.add_filter("md", md);
    env.add_filter("code", code);
    env.add_template("site.html", SITE)
        .context("template site.html")?;
    env.add_template("certificate.html", CERT_HTML)
        .context("template certificate.html")?;
    env.add_template("certificate.md", CERT_MD)
        .context("template certificate.md")?;
    Ok(env)
}

fn render(name: &str, ctx: Value) -> anyhow::Result<String> {
    let env = env()?;
    let t = env.get_template(name).context("no such template")?;
    t.render(ctx)
        .map_err(|e| anyhow::anyhow!("failed to render {name}: {e:#}"))
}

/// The site's page as HTML.
pub fn site_html(p: &Page) -> anyhow::Result<String> {
    render(
        "site.html",
        minijinja::context! { page => Value::from(Serde(p)), css => CSS },
    )
}

/// The certificate as HTML.
pub fn certificate_html(c: &Certificate) -> anyhow::Result<String> {
    render(
        "certificate.html",
        minijinja::context! { c => Value::from(Serde(c)) },
    )
}

/// The certificate as Markdown.
pub fn certificate_md(c: &Certificate) -> anyhow::Result<String> {
    render(
        "certificate.md",
        minijinja::context! { c => Value::from(Serde(c)) },
    )
}

fn write_file(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("failed to create {}", dir.display()))?;
    }
    // Temp file + rename: a reader (or a crash) never sees half a page.
    let tmp = path.with_extension("tmp-scimtest");
    std::fs::write(&tmp, text).with_context(|| format!("failed to write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("failed to write {}", path.display()))
}

/// Write the site for `reports` into `dir` (`dir/index.html`); returns the page's path.
pub fn write_site(
    dir: &Path,
    reports: &[RunReport],
    baseline: Option<&RunReport>,
) -> anyhow::Result<PathBuf> {
    let html = site_html(&page(reports, baseline))?;
    let path = dir.join("index.html");
    write_file(&path, &html)?;
    Ok(path)
}

/// Write the certificate for `reports` to `path`: Markdown when it ends in `.md`, HTML
/// otherwise.
pub fn write_certificate(path: &Path, reports: &[RunReport]) -> anyhow::Result<()> {
    let c = super::cert::certificate(reports);
    let text = if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
    {
        certificate_md(&c)?
    } else {
        certificate_html(&c)?
    };
    write_file(path, &text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::json::sample::{TOKEN, report};
    use std::collections::BTreeSet;

    #[test]
    fn the_site_escapes_report_text_and_carries_no_secret() {
        let mut r = report();
        r.checks[0].title = "<script>alert(1)</script> & \"q\"".into();
        let html = site_html(&page(&[r], None)).unwrap_or_else(|e| panic!("{e:#}"));
        assert!(!html.contains("<script>alert(1)"), "unescaped title");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;")
                || html.contains("&lt;script&gt;alert(1)")
        );
        assert!(!html.contains(TOKEN), "the token leaked into the page");
        // Self-contained: nothing fetched from elsewhere.
        for needle in ["src=\"http", "href=\"http", "@import", "url(http", "<link "] {
            assert!(!html.contains(needle), "external reference {needle:?}");
        }
        assert!(html.contains("users.create.status-201"));
        assert!(html.contains("Expected vs actual"));
    }

    /// The values of every `attr="…"` in `html`.
    fn attrs<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
        let needle = format!(" {attr}=\"");
        html.match_indices(&needle)
            .filter_map(|(i, _)| {
                let rest = &html[i + needle.len()..];
                rest.find('"').map(|end| &rest[..end])
            })
            .collect()
    }

    #[test]
    fn the_site_shows_readiness_and_links_every_cited_check_to_its_entry() {
        let r = crate::report::json::sample::certify_report();
        let html =
            site_html(&page(std::slice::from_ref(&r), None)).unwrap_or_else(|e| panic!("{e:#}"));
        for needle in [
            "Microsoft Entra app gallery readiness: <span class=\"badge fail\">not ready</span>",
            "Okta Integration Network readiness: <span class=\"badge pass\">ready for submission</span>",
            "<b>Create_User_Test</b>",
            "<b>Update_User_Test</b>",
            ">FAILED</span>",
            ">WARNING</span>",
            ">SKIPPED</span>",
            ">UNKNOWN</span>",
            "Blockers (2)",
            "Warnings (1)",
            "Needs the vendor:",
            "Microsoft Entra app gallery: not ready · Okta Integration Network: ready for submission",
        ] {
            assert!(html.contains(needle), "missing {needle:?}");
        }
        // The scope sentence, as auto-escaped text.
        let scope = crate::report::json::sample::ENTRA_SCOPE.replace('\'', "&#x27;");
        assert!(html.contains(&scope), "no scope sentence");
        // Every in-page link lands on an element of the page, and every judged-by and related
        // id the report has a check for is such a link.
        let ids: BTreeSet<&str> = attrs(&html, "id").into_iter().collect();
        let hrefs: Vec<&str> = attrs(&html, "href")
            .into_iter()
            .filter_map(|h| h.strip_prefix('#'))
            .collect();
        for h in &hrefs {
            assert!(ids.contains(h), "link #{h} goes nowhere");
        }
        for b in r
            .readiness
            .iter()
            .flat_map(|x| &x.tests)
            .flat_map(|t| t.judged_by.iter().chain(&t.related))
        {
            let target = format!("certify-{}", b.id);
            assert!(hrefs.contains(&target.as_str()), "no link to {}", b.id);
            // The target is the check's entry, with its evidence when it has any.
            let entry = html.find(&format!("id=\"{target}\"")).unwrap_or(usize::MAX);
            assert!(html[entry..].starts_with(&format!("id=\"{target}\" data-outcome=")));
        }
        let update = html
            .find("id=\"certify-certify.entra.update-user\"")
            .unwrap_or(0);
        let evidence = html[update..]
            .find("Evidence (1 exchange")
            .unwrap_or(usize::MAX);
        let next = html[update..].find("</details>").unwrap_or(0);
        assert!(
            evidence < next,
            "the failing probe's entry carries its evidence"
        );
        assert!(!html.contains(TOKEN));
        let start = html.find("<div class=\"programmes\">").unwrap_or(0);
        let end = html.find("<!-- /programmes -->").unwrap_or(html.len());
        insta::with_settings!({
            snapshot_path => "../../snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!("certify.site.readiness.html", &html[start..end]);
        });
    }

    #[test]
    fn markdown_filter_escapes_and_flattens() {
        assert_eq!(md("a|b *c* <d>\nx".into()), "a\\|b \\*c\\* \\<d\\> x");
        assert_eq!(code("a`b|c".into()), "a'b\\|c");
    }

    #[test]
    fn the_certificate_renders_in_both_formats_without_the_token() {
        let r = report();
        let c = crate::report::cert::certificate(std::slice::from_ref(&r));
        let html = certificate_html(&c).unwrap_or_else(|e| panic!("{e:#}"));
        let md = certificate_md(&c).unwrap_or_else(|e| panic!("{e:#}"));
        for text in [&html, &md] {
            assert!(!text.contains(TOKEN));
            assert!(text.contains("idp.example"), "{text}");
            assert!(text.contains(&r.run_id));
            assert!(text.contains("MUST"));
        }
    }
}
