//! goose's own configuration as a load run uses it: the escape hatch (`--goose-arg`, goose's
//! options passed to goose's own parser, minus the ones scimtest sets itself or that cannot
//! work inside scimtest) and goose's errors as one readable line, split into "goose refused
//! the configuration" (a usage error) and "goose failed while running".

use goose::GooseError;
use goose::config::GooseConfiguration;

/// Why the `--goose-arg` words were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct HatchError {
    /// One line: what was refused and why.
    pub message: String,
    /// What to use instead.
    pub hint: String,
}

/// goose options scimtest sets itself (or that cannot work inside scimtest), each with the
/// reason and what to use instead. Matched on the parsed configuration, so every spelling
/// (`-u 4`, `--users=4`) is caught.
fn refused(cfg: &GooseConfiguration, words: &[String]) -> Option<(&'static str, &'static str)> {
    let given = |long: &str| {
        words
            .iter()
            .any(|w| w == long || w.starts_with(&format!("{long}=")))
    };
    let checks: [(bool, &str, &str); 13] = [
        (
            cfg.host.is_some(),
            "--host",
            "the target is scimtest's --target",
        ),
        (cfg.users.is_some(), "--users", "use scimtest's --users N"),
        (
            cfg.increase_rate.is_some() || cfg.increase_time.is_some(),
            "--increase-rate/--increase-time",
            "use scimtest's --ramp 10s (time to start all users)",
        ),
        (
            cfg.run_time.is_some(),
            "--run-time",
            "use scimtest's --duration 30s",
        ),
        (
            cfg.iterations.is_some(),
            "--iterations",
            "use scimtest's --iterations N",
        ),
        (
            cfg.timeout.is_some(),
            "--timeout",
            "use scimtest's --timeout 5s",
        ),
        (
            !cfg.threshold.is_empty()
                || cfg.no_threshold_abort
                || cfg.threshold_abort_delay.is_some(),
            "--threshold",
            "use scimtest's --threshold 'p95<250ms' (judged by scimtest at the end of the run)",
        ),
        (
            given("--test-plan"),
            "--test-plan",
            "the scenario sets the load shape: use --users, --ramp and --duration",
        ),
        (
            cfg.scenarios.is_some() || cfg.scenarios_list || cfg.list,
            "--scenarios/--scenarios-list/--list",
            "a load run is one goose scenario; see scimtest load --list-scenarios",
        ),
        (
            cfg.throttle_requests.is_some(),
            "--throttle-requests",
            "pacing is the scenario's [run] pacing (goose's throttle would time the wait as latency)",
        ),
        (
            cfg.version,
            "--version",
            "scimtest --version prints scimtest's version",
        ),
        (
            cfg.dashboard,
            "--dashboard",
            "goose's dashboard is not compiled into scimtest; reports are in --report-dir",
        ),
        (
            cfg.render_report.is_some(),
            "--render-report",
            "scimtest report render re-renders a saved run",
        ),
    ];
    checks
        .into_iter()
        .find(|(hit, _, _)| *hit)
        .map(|(_, option, hint)| (option, hint))
}

/// goose's configuration from the `--goose-arg` words (goose's own parser, in order), with
/// every option scimtest owns refused. No words: goose's defaults.
pub fn escape_hatch(words: &[String]) -> Result<GooseConfiguration, HatchError> {
    if words.is_empty() {
        return Ok(GooseConfiguration::default());
    }
    let cfg = GooseConfiguration::parse_args_default(words).map_err(|e| HatchError {
        message: format!("--goose-arg {}: {}", words.join(" "), goose_line(&e)),
        hint: "`scimtest load --goose-arg --help` lists goose's options".into(),
    })?;
    if let Some((option, hint)) = refused(&cfg, words) {
        return Err(HatchError {
            message: format!("--goose-arg {option} is not passed to goose: scimtest sets it"),
            hint: hint.into(),
        });
    }
    Ok(cfg)
}

/// goose's own options, as its parser documents them (`--goose-arg --help`).
pub fn goose_help() -> String {
    use clap::CommandFactory;
    let mut help = GooseConfiguration::command()
        .override_usage("scimtest load --goose-arg=--OPTION[=VALUE]...  (one word per --goose-arg)")
        .render_long_help()
        .to_string();
    if !help.ends_with('\n') {
        help.push('\n');
    }
    help
}

/// Whether goose refused its configuration (before any user started), as opposed to failing
/// while it ran.
pub fn is_configuration_error(e: &GooseError) -> bool {
    matches!(
        e,
        GooseError::InvalidOption { .. }
            | GooseError::InvalidHost { .. }
            | GooseError::FeatureNotEnabled { .. }
            | GooseError::InvalidWaitTime { .. }
            | GooseError::InvalidWeight { .. }
            | GooseError::NoScenarios { .. }
    )
}

/// One readable line for a goose error (never its `Debug` dump).
pub fn goose_line(e: &GooseError) -> String {
    let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    match e {
        GooseError::InvalidOption {
            option,
            value,
            detail,
        } => {
            let detail = one_line(detail);
            if value.is_empty() {
                format!("goose refused {option}: {detail}")
            } else {
                format!("goose refused {option} = {value:?}: {detail}")
            }
        }
        GooseError::FeatureNotEnabled { feature, detail } => {
            format!(
                "goose was built without its {feature:?} feature: {}",
                one_line(detail)
            )
        }
        GooseError::NoScenarios { detail }
        | GooseError::InvalidWaitTime { detail, .. }
        | GooseError::InvalidWeight { detail, .. } => {
            format!("goose refused the scenario: {}", one_line(detail))
        }
        other => one_line(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn goose_options_scimtest_does_not_own_pass_through() {
        let cfg = escape_hatch(&words(&[
            "--request-log=requests.log",
            "--co-mitigation=average",
        ]))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cfg.request_log.as_deref(), Some("requests.log"));
        assert!(escape_hatch(&[]).is_ok());
    }

    #[test]
    fn options_scimtest_owns_are_refused_in_every_spelling_with_our_flag_as_hint() {
        for (w, ours) in [
            (&["-u", "4"][..], "--users N"),
            (&["--users=4"][..], "--users N"),
            (&["-t", "30"][..], "--duration"),
            (&["--timeout", "5"][..], "--timeout 5s"),
            (&["--threshold", "p95<1ms"][..], "--threshold"),
            (&["-V"][..], "scimtest --version"),
            (&["--test-plan", "10,1m"][..], "--ramp"),
            (&["--throttle-requests", "5"][..], "pacing"),
            (&["-H", "http://x"][..], "--target"),
        ] {
            let e = escape_hatch(&words(w))
                .err()
                .unwrap_or_else(|| panic!("{w:?} passed"));
            assert!(e.hint.contains(ours), "{w:?}: {e:?}");
            assert!(e.message.contains("scimtest sets it"), "{w:?}: {e:?}");
        }
    }

    #[test]
    fn goose_parse_errors_are_one_line_with_a_hint() {
        let e = escape_hatch(&words(&["--no-such-option"]))
            .err()
            .unwrap_or_else(|| panic!("accepted"));
        assert!(!e.message.contains('\n'), "{e:?}");
        assert!(e.message.contains("--no-such-option"), "{e:?}");
        assert!(e.hint.contains("--goose-arg --help"), "{e:?}");
    }

    #[test]
    fn goose_help_lists_goose_options() {
        let h = goose_help();
        assert!(
            h.contains("--request-log") && h.contains("--co-mitigation"),
            "{h}"
        );
    }

    #[test]
    fn configuration_errors_are_told_from_run_failures() {
        let e = GooseError::InvalidOption {
            option: "--decrease-rate".into(),
            value: "1".into(),
            detail: "not allowed with\n --iterations".into(),
        };
        assert!(is_configuration_error(&e));
        assert_eq!(
            goose_line(&e),
            "goose refused --decrease-rate = \"1\": not allowed with --iterations"
        );
        let io = GooseError::Io(std::io::Error::other("disk full"));
        assert!(!is_configuration_error(&io));
        assert!(!goose_line(&io).contains('{'));
    }
}
