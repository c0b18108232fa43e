//! `deploy/`: the Indexed Job that runs `scimtest load` as N shards (`deploy/k8s/load-job.yaml`)
//! and the Dockerfile that builds its image. The checks cover what the shard logic relies on
//! (Indexed completion, one N everywhere, the shard flags, the token from a Secret, non-root,
//! a writable report dir, the image's entrypoint); every check is also run on a mutated copy
//! of the file, so none of them can pass vacuously. kubectl cannot dry-run without an API
//! server; schema validation against the Kubernetes OpenAPI is a manual step (deploy/README.md).

use clap::CommandFactory;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeSet;

const MANIFEST: &str = include_str!("../../deploy/k8s/load-job.yaml");
const DOCKERFILE: &str = include_str!("../../deploy/Dockerfile");
const DOCKERIGNORE: &str = include_str!("../../.dockerignore");

/// The name the guide and the comments use for the token Secret, and its key.
const SECRET: (&str, &str) = ("scimtest-target", "token");
/// The ConfigMap the Job reads RUN_ID, START_AT and SCIM_TARGET from.
const CONFIGMAP: &str = "scimtest-load";
/// The runtime base image.
const RUNTIME: &str = "gcr.io/distroless/cc-debian12:nonroot";

// ---------------------------------------------------------------------------------------------
// The manifest checker

/// Every YAML document of a file, as JSON values.
fn documents(text: &str) -> Result<Vec<Value>, String> {
    serde_yaml_ng::Deserializer::from_str(text)
        .map(|d| Value::deserialize(d).map_err(|e| format!("not YAML: {e}")))
        .collect()
}

fn s<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

fn n(v: &Value, pointer: &str) -> Option<u64> {
    v.pointer(pointer).and_then(Value::as_u64)
}

/// The value after `--flag` (or in `--flag=value`).
fn flag<'a>(args: &[&'a str], name: &str) -> Option<&'a str> {
    args.iter().enumerate().find_map(|(i, a)| {
        if *a == name {
            args.get(i + 1).copied()
        } else {
            a.strip_prefix(name).and_then(|r| r.strip_prefix('='))
        }
    })
}

/// The `NAME`s of the `$(NAME)` references in one argument.
fn var_refs(arg: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = arg;
    while let Some(start) = rest.find("$(") {
        let after = &rest[start + 2..];
        match after.find(')') {
            Some(end) => {
                out.push(&after[..end]);
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    out
}

/// Everything wrong with the load Job file; empty when it is fit to run.
fn manifest_problems(text: &str) -> Vec<String> {
    let mut p = Vec::new();
    // The token is never written down, not even in a comment's example command.
    for line in text.lines() {
        if line.contains("Bearer ") {
            p.push(format!("a literal Bearer credential: {line:?}"));
        }
        if let Some(i) = line.find("from-literal=token=") {
            let value = line[i + "from-literal=token=".len()..].trim_start_matches('"');
            if !value.starts_with('$') {
                p.push(format!(
                    "the Secret command holds a literal token: {line:?}"
                ));
            }
        }
    }
    let docs = match documents(text) {
        Ok(d) => d,
        Err(e) => {
            p.push(e);
            return p;
        }
    };
    let jobs: Vec<&Value> = docs
        .iter()
        .filter(|d| s(d, "/kind") == Some("Job"))
        .collect();
    let [job] = jobs.as_slice() else {
        p.push(format!(
            "expected exactly one kind: Job, found {}",
            jobs.len()
        ));
        return p;
    };
    if s(job, "/apiVersion") != Some("batch/v1") {
        p.push("the Job's apiVersion is not batch/v1".into());
    }
    if s(job, "/metadata/name") != Some("scimtest-load") {
        p.push("the Job is not named scimtest-load (deploy/README.md's commands use it)".into());
    }
    if job.pointer("/metadata/namespace").is_some() {
        p.push("the Job names a namespace; the file is meant to be namespace-agnostic".into());
    }
    let configmap = docs
        .iter()
        .find(|d| s(d, "/kind") == Some("ConfigMap") && s(d, "/metadata/name") == Some(CONFIGMAP));

    // Indexed, N shards at once, each run exactly once.
    if s(job, "/spec/completionMode") != Some("Indexed") {
        p.push(
            "spec.completionMode is not Indexed: JOB_COMPLETION_INDEX is set only in Indexed Jobs"
                .into(),
        );
    }
    let completions = n(job, "/spec/completions");
    let parallelism = n(job, "/spec/parallelism");
    if completions.is_none() {
        p.push("spec.completions is missing".into());
    }
    if parallelism != completions {
        p.push(format!(
            "spec.parallelism {parallelism:?} != spec.completions {completions:?}: the shards must run at once"
        ));
    }
    let per_index = job.pointer("/spec/backoffLimitPerIndex");
    let total = job.pointer("/spec/backoffLimit");
    let runs_once = match (per_index.and_then(Value::as_u64), total) {
        (Some(0), None) => true,
        (None, Some(t)) => per_index.is_none() && t.as_u64() == Some(0),
        _ => false,
    };
    if !runs_once {
        p.push(
            "a shard may be retried or stop the others: want backoffLimitPerIndex: 0 (or, on an \
             old cluster, only backoffLimit: 0)"
                .into(),
        );
    }
    if n(job, "/spec/ttlSecondsAfterFinished").is_none_or(|t| t < 3600) {
        p.push(
            "spec.ttlSecondsAfterFinished is missing or under an hour: the reports are in the \
             pods' logs, which go with the Job"
                .into(),
        );
    }

    let pod = job.pointer("/spec/template/spec").unwrap_or(&Value::Null);
    if s(pod, "/restartPolicy") != Some("Never") {
        p.push("restartPolicy is not Never: a restarted shard would attack twice".into());
    }
    let containers = pod
        .pointer("/containers")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let [c] = containers else {
        p.push(format!(
            "expected one container, found {}",
            containers.len()
        ));
        return p;
    };
    if s(c, "/name") != Some("scimtest") {
        p.push("the container is not named scimtest (`kubectl logs -c scimtest`)".into());
    }

    // The image: built from deploy/Dockerfile, tagged with the crate's version.
    let image = s(c, "/image").unwrap_or_default();
    let (repo, tag) = match image.rsplit_once(':') {
        Some((r, t)) if !t.contains('/') => (r, t),
        _ => (image, ""),
    };
    if repo.rsplit('/').next() != Some("scimtest") || tag != env!("CARGO_PKG_VERSION") {
        p.push(format!(
            "image {image:?} is not scimtest:{} (or REGISTRY/scimtest:{})",
            env!("CARGO_PKG_VERSION"),
            env!("CARGO_PKG_VERSION")
        ));
    }
    if c.pointer("/command").is_some() {
        p.push("the container overrides the image's ENTRYPOINT with command:".into());
    }

    // The arguments: `load`, the shard flags, N as in completions.
    let args: Vec<&str> = c
        .pointer("/args")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if args.first() != Some(&"load") {
        p.push(format!("args do not start with `load`: {args:?}"));
    }
    match flag(&args, "--shard").map(|v| v.split_once('/')) {
        Some(Some(("auto", count))) => {
            if count.parse::<u64>().ok() != completions {
                p.push(format!(
                    "--shard auto/{count} but spec.completions is {completions:?}"
                ));
            }
        }
        other => p.push(format!(
            "--shard auto/N is missing (found {other:?}): each pod must read JOB_COMPLETION_INDEX"
        )),
    }
    for required in ["--run-id", "--start-at", "--target", "--scenario"] {
        if flag(&args, required).is_none_or(|v| v.starts_with("--")) {
            p.push(format!("{required} VALUE is missing from the args"));
        }
    }
    if !args.contains(&"--report-stdout") {
        p.push("--report-stdout is missing: the reports are collected with kubectl logs".into());
    }
    if let Some(name) = flag(&args, "--scenario") {
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(format!("{name}.toml"));
        if !file.is_file() {
            p.push(format!("--scenario {name}: no scenarios/{name}.toml"));
        }
    }
    if args
        .iter()
        .any(|a| *a == "--token" || a.starts_with("--token="))
    {
        p.push("--token on the command line: the token must come from the Secret".into());
    }

    // The environment: $(NAME)s are declared, the token is a secretKeyRef.
    let env = c
        .pointer("/env")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let declared: BTreeSet<&str> = env.iter().filter_map(|e| s(e, "/name")).collect();
    for arg in &args {
        for var in var_refs(arg) {
            if !declared.contains(var) {
                p.push(format!(
                    "$({var}) in the args is not in env: Kubernetes would pass it literally"
                ));
            }
        }
    }
    match env.iter().find(|e| s(e, "/name") == Some("SCIMTEST_TOKEN")) {
        Some(e) => {
            let from = (
                s(e, "/valueFrom/secretKeyRef/name"),
                s(e, "/valueFrom/secretKeyRef/key"),
            );
            if e.pointer("/value").is_some() || from != (Some(SECRET.0), Some(SECRET.1)) {
                p.push(format!(
                    "SCIMTEST_TOKEN must come from secretKeyRef {}/{} and nothing else",
                    SECRET.0, SECRET.1
                ));
            }
        }
        None => p.push("SCIMTEST_TOKEN is not in env".into()),
    }
    for e in env {
        let name = s(e, "/name").unwrap_or_default().to_ascii_uppercase();
        let secretish = ["TOKEN", "SECRET", "PASSWORD", "AUTH"]
            .iter()
            .any(|w| name.contains(w));
        if secretish && e.pointer("/value").is_some() {
            p.push(format!("env {name} holds a literal value"));
        }
        if let Some(key) = s(e, "/valueFrom/configMapKeyRef/key") {
            if s(e, "/valueFrom/configMapKeyRef/name") != Some(CONFIGMAP) {
                p.push(format!(
                    "env {name} reads a ConfigMap other than {CONFIGMAP}"
                ));
            } else if configmap
                .and_then(|m| m.pointer(&format!("/data/{key}")))
                .is_none()
            {
                p.push(format!(
                    "env {name} reads key {key}, which the {CONFIGMAP} ConfigMap does not have"
                ));
            }
        }
    }
    match configmap {
        Some(m) => {
            let data = m
                .pointer("/data")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            for key in data.keys() {
                let k = key.to_ascii_uppercase();
                if ["TOKEN", "SECRET", "PASSWORD"]
                    .iter()
                    .any(|w| k.contains(w))
                {
                    p.push(format!(
                        "the ConfigMap holds {key}: secrets go in the Secret"
                    ));
                }
            }
            let run_id = data.get("RUN_ID").and_then(Value::as_str).unwrap_or("");
            if run_id.is_empty()
                || !run_id
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit())
            {
                p.push(format!(
                    "RUN_ID {run_id:?} is not lowercase letters and digits"
                ));
            }
            let start = data.get("START_AT").and_then(Value::as_str).unwrap_or("");
            if chrono::DateTime::parse_from_rfc3339(start).is_err() {
                p.push(format!("START_AT {start:?} is not RFC 3339"));
            }
        }
        None => p.push(format!("no ConfigMap {CONFIGMAP} in the file")),
    }

    // Non-root, read-only, and a writable place for the report files.
    let ctx = |field: &str| {
        c.pointer(&format!("/securityContext/{field}"))
            .or_else(|| pod.pointer(&format!("/securityContext/{field}")))
    };
    if ctx("runAsNonRoot").and_then(Value::as_bool) != Some(true)
        || ctx("runAsUser").and_then(Value::as_u64) == Some(0)
    {
        p.push("the pod may run as root: want runAsNonRoot: true and a non-zero runAsUser".into());
    }
    if c.pointer("/securityContext/allowPrivilegeEscalation")
        .and_then(Value::as_bool)
        != Some(false)
    {
        p.push("allowPrivilegeEscalation is not false".into());
    }
    let read_only = c
        .pointer("/securityContext/readOnlyRootFilesystem")
        .and_then(Value::as_bool)
        == Some(true);
    if !read_only {
        p.push("readOnlyRootFilesystem is not true".into());
    }
    let mounts: Vec<&str> = c
        .pointer("/volumeMounts")
        .and_then(Value::as_array)
        .map(|m| {
            m.iter()
                .filter(|v| v.pointer("/readOnly").and_then(Value::as_bool) != Some(true))
                .filter_map(|v| s(v, "/mountPath"))
                .collect()
        })
        .unwrap_or_default();
    let writable = |dir: &str| {
        mounts.iter().any(|m| {
            dir == *m
                || dir
                    .strip_prefix(m)
                    .is_some_and(|rest| rest.starts_with('/'))
        })
    };
    match flag(&args, "--report-dir") {
        Some(dir) if writable(dir) => {}
        Some(dir) => p.push(format!(
            "--report-dir {dir} is not on a writable volumeMount (the root filesystem is read-only)"
        )),
        None => p.push(
            "no --report-dir: the default reports/ is on the read-only root filesystem".into(),
        ),
    }
    for field in [
        "requests/cpu",
        "requests/memory",
        "limits/cpu",
        "limits/memory",
    ] {
        if c.pointer(&format!("/resources/{field}")).is_none() {
            p.push(format!("resources.{} is missing", field.replace('/', ".")));
        }
    }
    p
}

// ---------------------------------------------------------------------------------------------
// The Dockerfile checker

/// One instruction: keyword (upper case) and its arguments, continuation lines joined.
fn instructions(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let t = line.trim();
        if current.is_empty() && (t.is_empty() || t.starts_with('#')) {
            continue;
        }
        match t.strip_suffix('\\') {
            Some(head) => {
                current.push_str(head);
                current.push(' ');
            }
            None => {
                current.push_str(t);
                let (kw, rest) = current.split_once(' ').unwrap_or((current.as_str(), ""));
                out.push((kw.to_ascii_uppercase(), rest.trim().to_string()));
                current.clear();
            }
        }
    }
    out
}

/// One build stage: its base image, its `AS` name, its instructions after FROM.
struct Stage {
    image: String,
    alias: Option<String>,
    body: Vec<(String, String)>,
}

/// Everything wrong with deploy/Dockerfile; empty when it builds the image the Job expects.
fn dockerfile_problems(text: &str) -> Vec<String> {
    let mut p = Vec::new();
    let ins = instructions(text);
    // Split into stages at each FROM.
    let mut stages: Vec<Stage> = Vec::new();
    for (kw, rest) in ins {
        if kw == "FROM" {
            let words: Vec<&str> = rest.split_whitespace().collect();
            let alias = match words.as_slice() {
                [_, as_kw, name] if as_kw.eq_ignore_ascii_case("as") => Some((*name).to_string()),
                _ => None,
            };
            stages.push(Stage {
                image: words.first().unwrap_or(&"").to_string(),
                alias,
                body: Vec::new(),
            });
        } else if let Some(last) = stages.last_mut() {
            last.body.push((kw, rest));
        } else {
            p.push(format!("{kw} before the first FROM"));
        }
    }
    let [build_stage, run_stage] = stages.as_slice() else {
        p.push(format!(
            "expected two stages (build, runtime), found {}",
            stages.len()
        ));
        return p;
    };
    let (build_image, build_alias, build) =
        (&build_stage.image, &build_stage.alias, &build_stage.body);
    let (run_image, run) = (&run_stage.image, &run_stage.body);
    let want_builder = format!("rust:{}-bookworm", env!("CARGO_PKG_RUST_VERSION"));
    if *build_image != want_builder {
        p.push(format!(
            "the build stage is {build_image}, not {want_builder} (Cargo.toml's rust-version)"
        ));
    }
    let builds = build.iter().any(|(kw, rest)| {
        kw == "RUN"
            && rest.contains("cargo build")
            && rest.contains("--release")
            && rest.contains("--locked")
    });
    if !builds {
        p.push("the build stage has no `cargo build --release --locked`".into());
    }
    if run_image != RUNTIME {
        p.push(format!("the runtime stage is {run_image}, not {RUNTIME}"));
    }
    // The binary copied from the build stage, and where to.
    let copied = run.iter().find_map(|(kw, rest)| {
        let words: Vec<&str> = rest.split_whitespace().collect();
        match (kw.as_str(), words.as_slice()) {
            ("COPY", [from, _src, dest]) => {
                let stage = from.strip_prefix("--from=")?;
                (Some(stage) == build_alias.as_deref()).then(|| (*dest).to_string())
            }
            _ => None,
        }
    });
    let Some(binary) = copied else {
        p.push("the runtime stage copies nothing from the build stage".into());
        return p;
    };
    let entry = run
        .iter()
        .rev()
        .find(|(kw, _)| kw == "ENTRYPOINT")
        .map(|(_, rest)| serde_json::from_str::<Vec<String>>(rest));
    match entry {
        Some(Ok(argv)) if argv.first() == Some(&binary) => {}
        Some(Ok(argv)) => p.push(format!(
            "ENTRYPOINT {argv:?} does not run the copied binary {binary}"
        )),
        Some(Err(_)) => {
            p.push("ENTRYPOINT is in shell form: distroless has no shell; use [\"/path\"]".into())
        }
        None => p.push("the runtime stage has no ENTRYPOINT".into()),
    }
    match run.iter().rev().find(|(kw, _)| kw == "USER") {
        Some((_, user)) => {
            let name = user.split(':').next().unwrap_or_default();
            if name == "root" || name == "0" {
                p.push(format!("USER {user} is root"));
            }
        }
        None => p.push("the runtime stage sets no USER".into()),
    }
    p
}

/// `text` with `from` replaced by `to`; panics if `from` is absent, so a mutation that no
/// longer applies is noticed instead of passing as "caught".
fn mutate(text: &str, from: &str, to: &str) -> String {
    assert!(
        text.contains(from),
        "mutation target {from:?} not in the file"
    );
    text.replacen(from, to, 1)
}

// ---------------------------------------------------------------------------------------------
// Tests

#[test]
fn the_load_job_manifest_has_everything_the_shards_rely_on() {
    let problems = manifest_problems(MANIFEST);
    assert!(
        problems.is_empty(),
        "deploy/k8s/load-job.yaml:\n{problems:#?}"
    );
    // And the file holds what the guide assumes: the ConfigMap and the Job, nothing else.
    let kinds: Vec<String> = documents(MANIFEST)
        .unwrap_or_else(|e| panic!("{e}"))
        .iter()
        .filter_map(|d| s(d, "/kind").map(str::to_string))
        .collect();
    assert_eq!(kinds, ["ConfigMap", "Job"]);
}

#[test]
fn the_manifest_checker_catches_each_broken_field() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "completionMode removed",
            "  completionMode: Indexed\n",
            "",
            "completionMode",
        ),
        ("not a Job", "kind: Job", "kind: Deployment", "kind: Job"),
        (
            "fewer completions",
            "completions: 4",
            "completions: 3",
            "--shard auto/4",
        ),
        (
            "fewer at once",
            "parallelism: 4",
            "parallelism: 2",
            "parallelism",
        ),
        (
            "another N in --shard",
            "- auto/4",
            "- auto/8",
            "--shard auto/8",
        ),
        ("a fixed shard", "- auto/4", "- 0/4", "--shard auto/N"),
        (
            "retries",
            "backoffLimitPerIndex: 0",
            "backoffLimitPerIndex: 2",
            "retried",
        ),
        (
            "per-index plus a global limit",
            "backoffLimitPerIndex: 0",
            "backoffLimitPerIndex: 0\n  backoffLimit: 0",
            "retried",
        ),
        (
            "no TTL",
            "ttlSecondsAfterFinished: 86400",
            "",
            "ttlSecondsAfterFinished",
        ),
        (
            "restarts",
            "restartPolicy: Never",
            "restartPolicy: OnFailure",
            "restartPolicy",
        ),
        (
            "no --report-stdout",
            "            - --report-stdout\n",
            "",
            "--report-stdout",
        ),
        (
            "no --run-id",
            "            - --run-id\n            - $(RUN_ID)\n",
            "",
            "--run-id",
        ),
        (
            "no --start-at",
            "            - --start-at\n            - $(START_AT)\n",
            "",
            "--start-at",
        ),
        (
            "unknown scenario",
            "- mixed",
            "- nosuch",
            "scenarios/nosuch.toml",
        ),
        (
            "undeclared variable",
            "- $(START_AT)",
            "- $(START)",
            "$(START)",
        ),
        (
            "ConfigMap key missing",
            "  START_AT: \"2026-01-01T00:00:00Z\"",
            "  START: \"2026-01-01T00:00:00Z\"",
            "does not have",
        ),
        (
            "bad run id",
            "RUN_ID: \"run1\"",
            "RUN_ID: \"Run-1\"",
            "RUN_ID",
        ),
        (
            "bad start",
            "\"2026-01-01T00:00:00Z\"",
            "\"in two minutes\"",
            "START_AT",
        ),
        (
            "literal token in env",
            "- name: SCIMTEST_TOKEN\n              valueFrom:\n                secretKeyRef:\n                  name: scimtest-target\n                  key: token",
            "- name: SCIMTEST_TOKEN\n              value: s3cr3t",
            "SCIMTEST_TOKEN",
        ),
        (
            "token from another Secret",
            "name: scimtest-target",
            "name: other",
            "secretKeyRef",
        ),
        (
            "--token in args",
            "- --report-stdout",
            "- --report-stdout\n            - --token\n            - s3cr3t",
            "--token",
        ),
        (
            "literal token in the Secret command",
            "--from-literal=token=\"$SCIMTEST_TOKEN\"",
            "--from-literal=token=s3cr3t",
            "literal token",
        ),
        (
            "token in the ConfigMap",
            "  RUN_ID: \"run1\"",
            "  RUN_ID: \"run1\"\n  TOKEN: \"s3cr3t\"",
            "secrets go in the Secret",
        ),
        (
            "another image",
            "image: scimtest:0.1.0",
            "image: nginx:0.1.0",
            "image",
        ),
        (
            "another tag",
            "image: scimtest:0.1.0",
            "image: scimtest:latest",
            "image",
        ),
        (
            "root allowed",
            "runAsNonRoot: true",
            "runAsNonRoot: false",
            "root",
        ),
        ("uid 0", "runAsUser: 65532", "runAsUser: 0", "root"),
        (
            "writable root",
            "readOnlyRootFilesystem: true",
            "readOnlyRootFilesystem: false",
            "readOnlyRootFilesystem",
        ),
        (
            "escalation",
            "allowPrivilegeEscalation: false",
            "allowPrivilegeEscalation: true",
            "allowPrivilegeEscalation",
        ),
        (
            "report dir not mounted",
            "mountPath: /reports",
            "mountPath: /data",
            "--report-dir",
        ),
        (
            "no limits",
            "            limits:\n",
            "            limitz:\n",
            "limits",
        ),
        (
            "a namespace",
            "  name: scimtest-load\n  labels:\n    app.kubernetes.io/name: scimtest\n    app.kubernetes.io/component: load\nspec:",
            "  name: scimtest-load\n  namespace: load\n  labels:\n    app.kubernetes.io/name: scimtest\n    app.kubernetes.io/component: load\nspec:",
            "namespace",
        ),
    ];
    for (what, from, to, expect) in cases {
        let broken = mutate(MANIFEST, from, to);
        let problems = manifest_problems(&broken);
        assert!(
            problems.iter().any(|p| p.contains(expect)),
            "{what}: expected a problem mentioning {expect:?}, got {problems:#?}"
        );
    }
}

#[test]
fn the_dockerfile_builds_in_rust_and_runs_the_binary_on_distroless_as_non_root() {
    let problems = dockerfile_problems(DOCKERFILE);
    assert!(problems.is_empty(), "deploy/Dockerfile:\n{problems:#?}");
    for ignored in ["target/", "reports/"] {
        assert!(
            DOCKERIGNORE.lines().any(|l| l.trim() == ignored),
            ".dockerignore does not exclude {ignored}"
        );
    }
}

#[test]
fn the_dockerfile_checker_catches_each_broken_stage() {
    let runtime_from = format!("FROM {RUNTIME} AS runtime");
    let (before_runtime, _) = DOCKERFILE
        .split_once(&runtime_from)
        .unwrap_or_else(|| panic!("no {runtime_from} line"));
    let cases: Vec<(&str, String, &str)> = vec![
        ("one stage", before_runtime.to_string(), "two stages"),
        (
            "another toolchain",
            mutate(DOCKERFILE, "rust:1.95-bookworm", "rust:1.80-bookworm"),
            "rust-version",
        ),
        (
            "no release build",
            mutate(DOCKERFILE, "--release --locked", "--locked"),
            "cargo build",
        ),
        (
            "another runtime",
            mutate(
                DOCKERFILE,
                &runtime_from,
                "FROM debian:bookworm-slim AS runtime",
            ),
            "runtime stage",
        ),
        (
            "shell-form entrypoint",
            mutate(
                DOCKERFILE,
                "ENTRYPOINT [\"/usr/local/bin/scimtest\"]",
                "ENTRYPOINT /usr/local/bin/scimtest",
            ),
            "shell form",
        ),
        (
            "entrypoint elsewhere",
            mutate(
                DOCKERFILE,
                "ENTRYPOINT [\"/usr/local/bin/scimtest\"]",
                "ENTRYPOINT [\"/scimtest\"]",
            ),
            "does not run the copied binary",
        ),
        (
            "no entrypoint",
            mutate(DOCKERFILE, "ENTRYPOINT [\"/usr/local/bin/scimtest\"]", ""),
            "no ENTRYPOINT",
        ),
        (
            "binary not copied",
            mutate(DOCKERFILE, "COPY --from=build", "COPY --from=elsewhere"),
            "copies nothing",
        ),
        (
            "root",
            mutate(DOCKERFILE, "USER 65532:65532", "USER root"),
            "root",
        ),
    ];
    for (what, broken, expect) in cases {
        let problems = dockerfile_problems(&broken);
        assert!(
            problems.iter().any(|p| p.contains(expect)),
            "{what}: expected a problem mentioning {expect:?}, got {problems:#?}"
        );
    }
}

/// The Job's container args with each `$(NAME)` replaced by the ConfigMap's value.
fn job_argv() -> Vec<String> {
    let docs = documents(MANIFEST).unwrap_or_else(|e| panic!("{e}"));
    let data = docs
        .iter()
        .find(|d| s(d, "/kind") == Some("ConfigMap"))
        .and_then(|m| m.pointer("/data"))
        .cloned()
        .unwrap_or_else(|| panic!("no ConfigMap data"));
    let job = docs
        .iter()
        .find(|d| s(d, "/kind") == Some("Job"))
        .unwrap_or_else(|| panic!("no Job"));
    let args = job
        .pointer("/spec/template/spec/containers/0/args")
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("no args"));
    args.iter()
        .filter_map(Value::as_str)
        .map(|a| {
            var_refs(a).iter().fold(a.to_string(), |acc, var| {
                let value = s(&data, &format!("/{var}")).unwrap_or_default();
                acc.replace(&format!("$({var})"), value)
            })
        })
        .collect()
}

/// The `--flags` in `argv` that `scimtest load` does not define.
fn unknown_load_flags(argv: &[String]) -> Vec<String> {
    let cli = scimtest::cli::Cli::command();
    let Some(load) = cli.find_subcommand("load") else {
        return vec!["(no load subcommand)".into()];
    };
    let known: BTreeSet<String> = load
        .get_arguments()
        .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
        .collect();
    argv.iter()
        .filter(|a| a.starts_with("--") && !known.contains(*a))
        .cloned()
        .collect()
}

#[test]
fn the_job_uses_only_flags_scimtest_load_knows_and_the_token_env_it_reads() {
    let argv = job_argv();
    assert_eq!(unknown_load_flags(&argv), Vec::<String>::new());
    // The check can fail: a misspelt flag is reported.
    let mut typo = argv.clone();
    typo.push("--report-stdot".into());
    assert_eq!(unknown_load_flags(&typo), ["--report-stdot"]);

    let cli = scimtest::cli::Cli::command();
    let token = cli
        .find_subcommand("load")
        .and_then(|l| l.get_arguments().find(|a| a.get_long() == Some("token")))
        .unwrap_or_else(|| panic!("load has no --token"));
    assert_eq!(
        token.get_env().and_then(|e| e.to_str()),
        Some("SCIMTEST_TOKEN"),
        "the Job passes the token in SCIMTEST_TOKEN"
    );
}

#[test]
fn the_job_args_parse_as_a_scimtest_command_line() {
    use clap::Parser;
    let argv = job_argv();
    let parsed = scimtest::cli::Cli::try_parse_from(
        std::iter::once("scimtest".to_string()).chain(argv.iter().cloned()),
    );
    if let Err(e) = parsed {
        panic!("{argv:?}:\n{e}");
    }
}
