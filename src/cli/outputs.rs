//! The report files of a run, opened before it starts so a bad path fails in milliseconds:
//! `report.json`, `junit.xml`, `report.md` and the HTML site in the report directory, plus the
//! extra files of `--report-*` (`--report-har`: the exchanges as HAR 1.2). A `--report-*` path
//! of `-` is stdout (at most one; the summary then goes to stderr, see `cli::console`).

use crate::cli::common::{ReportArgs, is_stdout};
use crate::report::model::RunReport;
use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;

/// A report writer (`report::json::write`, ...).
type Writer = fn(&RunReport, &mut dyn Write) -> std::io::Result<()>;

/// The report files of a run, opened before it starts (a bad path fails early).
pub struct Outputs {
    /// The report files; `None` is stdout (a path of `-`).
    files: Vec<(PathBuf, Option<std::fs::File>, Writer)>,
    /// Directories that get the HTML site (`index.html`).
    html_dirs: Vec<PathBuf>,
    /// Certificate files.
    certs: Vec<PathBuf>,
    /// A previous report the HTML shows the changes against.
    baseline: Option<RunReport>,
    /// Files created empty when the outputs were opened (to fail early on a bad path).
    created: Vec<PathBuf>,
    /// Whether a report was written.
    written: bool,
}

impl Drop for Outputs {
    /// A run that ends before its report (the target unreachable at discovery, a bad scenario)
    /// leaves no empty report files behind for a CI step to choke on.
    fn drop(&mut self) {
        if self.written {
            return;
        }
        for p in &self.created {
            if std::fs::metadata(p).is_ok_and(|m| m.len() == 0) {
                let _ = std::fs::remove_file(p);
            }
        }
    }
}

impl Outputs {
    /// Write `report` to every file.
    pub fn write(&mut self, report: &RunReport) -> anyhow::Result<()> {
        for (path, file, write) in &mut self.files {
            let out: Box<dyn Write + '_> = match file {
                Some(f) => Box::new(f),
                None => Box::new(std::io::stdout().lock()),
            };
            let mut w = std::io::BufWriter::new(out);
            write(report, &mut w).with_context(|| format!("failed to write {}", path.display()))?;
            w.flush()
                .with_context(|| format!("failed to write {}", path.display()))?;
        }
        let reports = std::slice::from_ref(report);
        for dir in &self.html_dirs {
            crate::report::html::write_site(dir, reports, self.baseline.as_ref())?;
        }
        for path in &self.certs {
            crate::report::html::write_certificate(path, reports)?;
        }
        self.written = true;
        Ok(())
    }

    /// Show the HTML's changes against this earlier report.
    pub fn set_baseline(&mut self, baseline: RunReport) {
        self.baseline = Some(baseline);
    }
}

fn open(path: &PathBuf) -> anyhow::Result<std::fs::File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("failed to create {}", dir.display()))?;
    }
    std::fs::File::create(path).with_context(|| format!("failed to create {}", path.display()))
}

/// Fail now, not after the run, when `path` cannot be written (the file is created empty and
/// rewritten at the end).
fn probe_writable(path: &PathBuf) -> anyhow::Result<()> {
    open(path).map(drop)
}

/// Open `report.json`, `junit.xml` and `report.md` in the report directory, plus the extra
/// files; the report directory and `--report-html` get `index.html`, `--report-cert` files the
/// certificate.
pub fn open_outputs(args: &ReportArgs, run_id: &str) -> anyhow::Result<(Outputs, PathBuf)> {
    let dir = args
        .report_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from("reports").join(run_id));
    if args.stdout_reports() > 1 {
        anyhow::bail!("only one report can be written to stdout ('-')");
    }
    let mut files: Vec<(PathBuf, Option<std::fs::File>, Writer)> = Vec::new();
    let mut add = |p: PathBuf, w: Writer| -> anyhow::Result<()> {
        let f = if is_stdout(&p) { None } else { Some(open(&p)?) };
        files.push((p, f, w));
        Ok(())
    };
    add(dir.join("report.json"), crate::report::json::write)?;
    add(dir.join("junit.xml"), crate::report::junit::write)?;
    add(dir.join("report.md"), crate::report::markdown::write)?;
    if let Some(p) = &args.report_json {
        add(p.clone(), crate::report::json::write)?;
    }
    if let Some(p) = &args.report_junit {
        add(p.clone(), crate::report::junit::write)?;
    }
    if let Some(p) = &args.report_md {
        add(p.clone(), crate::report::markdown::write)?;
    }
    if let Some(p) = &args.report_har {
        add(p.clone(), crate::report::har::write)?;
    }
    let mut html_dirs = vec![dir.clone()];
    if let Some(d) = &args.report_html {
        std::fs::create_dir_all(d).with_context(|| format!("failed to create {}", d.display()))?;
        probe_writable(&d.join("index.html"))?;
        html_dirs.push(d.clone());
    }
    for c in &args.report_cert {
        probe_writable(c)?;
    }
    let mut created: Vec<PathBuf> = files
        .iter()
        .filter(|(_, f, _)| f.is_some())
        .map(|(p, _, _)| p.clone())
        .collect();
    created.extend(args.report_cert.iter().cloned());
    if let Some(d) = &args.report_html {
        created.push(d.join("index.html"));
    }
    Ok((
        Outputs {
            files,
            html_dirs,
            certs: args.report_cert.clone(),
            baseline: None,
            created,
            written: false,
        },
        dir,
    ))
}
