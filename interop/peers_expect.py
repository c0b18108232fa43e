"""Compare scimtest's verdicts on a real SCIM server with the reviewed expectation file.

Usage:
  peers_expect.py [--expected-dir DIR] [--reports DIR] [--summary-md] SERVER...
  peers_expect.py --write-skeleton [--expected-dir DIR] [--reports DIR] SERVER

For each SERVER, reads DIR/SERVER/check/**/report.json, DIR/SERVER/replay/**/report.json,
DIR/SERVER/certify/**/report.json and DIR/SERVER/leftovers.json (written by interop/peers.sh), and interop/expected/SERVER.toml.
Python 3.11+, standard library only.

The expectation file lists every check that FAILS or ERRORS on that server (pass and skip are
not listed), each with the reviewed reason it is a real defect of the server:

  [check."users.create.location"]
  outcome = "fail"                 # fail | error, as in report.json
  level = "must"                   # must | should | may | advice | dialect, as in report.json
  rfc = 'RFC 7644 §3.3: "..."'     # must/should/may: the RFC sentence the server breaks, verbatim,
                                   # with its keyword (MUST, SHALL, SHOULD, REQUIRED, ...)
  basis = "..."                    # advice/dialect only (no RFC keyword behind them): what real
                                   # clients rely on, and where that is documented
  why = "..."                      # one line: what the evidence shows

and every replay profile's verdict:

  [replay."entra.default"]
  would_provision = false
  breaks_at = "create-user step 2 (GET the new user)"   # would-break only
  rfc = '...' or basis = '...'                         # would-break only
  why = "..."

and every vendor test `scimtest certify` does not predict to pass, per programme, with the
overall answer:

  [certify."entra-gallery"]
  state = "not-ready"              # ready | not-ready | incomplete, as in report.json
  [certify."entra-gallery".tests."Disable_User_Test"]
  verdict = "fail"                 # fail | warning | skipped | unknown
  basis = "..."                    # fail/warning: the vendor's criterion the server misses, and
                                   # where it is documented (docs/certify.md)
  why = "..."                      # what the evidence shows

Exit 1 on any difference: a failure that is not in the file (new), an entry whose check now
passes, skips or is gone (vanished), a changed outcome or level, a replay verdict that changed,
an entry still marked TODO or without its RFC sentence, an unknown key (there is no way to
accept a verdict known to be false: such a check gets fixed instead), or a resource the run
left behind on the server. Exit 2 on unreadable input.

--write-skeleton prints a file for the current results: existing justifications are kept, new
entries get rfc = "TODO" (which fails the comparison until a reviewer writes it).
"""

import argparse
import json
import pathlib
import re
import sys

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    sys.exit("peers_expect.py needs Python 3.11 or later (tomllib)")

HERE = pathlib.Path(__file__).resolve().parent
RFC_LEVELS = {"must", "should", "may"}
OTHER_LEVELS = {"advice", "dialect"}
NOT_PASSING = {"fail", "error"}
CHECK_KEYS = {"outcome", "level", "rfc", "basis", "why"}
REPLAY_KEYS = {"would_provision", "breaks_at", "rfc", "basis", "why"}
CERTIFY_KEYS = {"state", "tests"}
CERTIFY_TEST_KEYS = {"verdict", "basis", "why"}
TOP_KEYS = {"server", "check", "replay", "certify"}
# RFC 2119 keywords (RFC 7643 §1.1 and RFC 7644 §1.2 adopt them).
KEYWORD = re.compile(r"\b(MUST|MUST NOT|REQUIRED|SHALL|SHALL NOT|SHOULD|SHOULD NOT|RECOMMENDED|MAY|OPTIONAL)\b")
RFC_REF = re.compile(r"\bRFC ?\d{4}\b")


class InputError(Exception):
    pass


def load_json(path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InputError(f"cannot read {path}: {e}") from e


def find_report(folder):
    found = sorted(folder.glob("**/report.json")) if folder.is_dir() else []
    if len(found) != 1:
        raise InputError(f"expected exactly one report.json under {folder}, found {len(found)}")
    return load_json(found[0]), found[0]


def load_expected(path):
    if not path.exists():
        return {}
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise InputError(f"cannot read {path}: {e}") from e


def breaks_at(profile):
    """The stable part of a replay verdict: where it breaks, without what came back."""
    if profile.get("would_provision"):
        return None
    verdict = profile.get("verdict", "")
    head = verdict.split(": ", 1)[0]
    return head.removeprefix("would break at ").strip()


def one_line(text, limit=300):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def todo(value):
    return not isinstance(value, str) or not value.strip() or "TODO" in value


def unknown_keys(table, entries, keys):
    return [f"{table} {name}: unknown key '{k}' (allowed: {', '.join(sorted(keys))})"
            for name, entry in entries.items() for k in entry if k not in keys]


def justification_problems(where, entry, level, need_justification=True):
    out = []
    if not need_justification:
        return out
    if todo(entry.get("why")):
        out.append(f"{where}: 'why' is missing or TODO")
    if level in RFC_LEVELS:
        rfc = entry.get("rfc")
        if todo(rfc):
            out.append(f"{where}: 'rfc' is missing or TODO: quote the RFC sentence the server breaks")
        elif not (RFC_REF.search(rfc) and KEYWORD.search(rfc) and '"' in rfc):
            out.append(f"{where}: 'rfc' must name the RFC and quote its sentence (in \"...\") with the keyword")
    else:
        if todo(entry.get("basis")) and todo(entry.get("rfc")):
            out.append(f"{where}: no 'basis' (or 'rfc'): say what clients rely on, and where it is documented")
    return out


def compare(server, expected, check, replay, leftovers):
    problems = []
    counts = {"reported": 0, "justified": 0, "rfc_reported": 0, "rfc_justified": 0}
    for k in expected:
        if k not in TOP_KEYS:
            problems.append(f"unknown top-level key '{k}'")
    exp_checks = expected.get("check", {})
    exp_replay = expected.get("replay", {})
    problems += unknown_keys("check", exp_checks, CHECK_KEYS) + unknown_keys("replay", exp_replay, REPLAY_KEYS)
    results = {}
    for report in (check, replay):
        for c in report.get("checks", []):
            results[c["id"]] = c
    failing = {i: c for i, c in results.items() if c.get("outcome") in NOT_PASSING}
    counts["reported"] = len(failing)
    counts["rfc_reported"] = sum(1 for c in failing.values() if c["level"] in RFC_LEVELS)
    for cid, c in failing.items():
        e = exp_checks.get(cid)
        if e is None:
            problems.append(f"NEW {c['outcome']} ({c['level']}) {cid}: {one_line(c.get('reason', ''))}")
            continue
        own = []
        if e.get("outcome") != c["outcome"]:
            own.append(f"CHANGED {cid}: outcome {e.get('outcome')} -> {c['outcome']}: {one_line(c.get('reason', ''))}")
        if e.get("level") != c["level"]:
            own.append(f"CHANGED {cid}: level {e.get('level')} -> {c['level']}")
        own += justification_problems(f"UNJUSTIFIED {cid}", e, c["level"])
        # (unknown keys are reported once, above; they still make the entry unjustified)
        if not own and not unknown_keys("check", {cid: e}, CHECK_KEYS):
            counts["justified"] += 1
            counts["rfc_justified"] += c["level"] in RFC_LEVELS
        problems += own
    for cid in exp_checks:
        if cid not in failing:
            now = results.get(cid, {}).get("outcome", "not run")
            problems.append(f"VANISHED {cid}: expected {exp_checks[cid].get('outcome')}, now {now}")
    seen = set()
    for p in replay.get("profiles", []):
        key = f"{p['idp']}.{p['profile']}"
        seen.add(key)
        e = exp_replay.get(key)
        if e is None:
            problems.append(f"NEW replay profile {key}: {one_line(p.get('verdict'))}")
            continue
        if e.get("would_provision") != p.get("would_provision"):
            problems.append(f"CHANGED replay {key}: would_provision {e.get('would_provision')} -> "
                            f"{p.get('would_provision')} ({p.get('verdict')})")
        elif not p.get("would_provision") and e.get("breaks_at") != breaks_at(p):
            problems.append(f"CHANGED replay {key}: breaks at '{breaks_at(p)}', file says '{e.get('breaks_at')}'")
        # A profile that breaks needs the RFC sentence the server breaks, or (when the IdP needs
        # more than the RFC requires) the documented IdP behaviour as its basis.
        level = "must" if "rfc" in e else "dialect"
        problems += justification_problems(f"UNJUSTIFIED replay {key}", e, level,
                                           need_justification=not p.get("would_provision"))
    for key in exp_replay:
        if key not in seen:
            problems.append(f"VANISHED replay profile {key}")
    left = leftovers.get("resources", []) + [f"{r} (from report.json)" for r in leftovers.get("report_leftovers", [])]
    for r in left:
        problems.append(f"LEFTOVER {r}")
    counts["leftovers"] = len(left)
    return problems, counts


def compare_certify(expected, certify):
    """The readiness per programme against [certify.<programme>]: the overall answer, and every
    vendor test not predicted to pass, each with the vendor criterion it misses."""
    problems = []
    exp = expected.get("certify", {})
    seen = set()
    for r in certify.get("readiness", []):
        prog = r["program"]
        seen.add(prog)
        e = exp.get(prog)
        if e is None:
            problems.append(f"NEW certify programme {prog}: {r.get('state')}")
            continue
        problems += [f"unknown key certify.{prog}.{k}" for k in e if k not in CERTIFY_KEYS]
        if e.get("state") != r.get("state"):
            problems.append(f"CHANGED certify {prog}: {e.get('state')} -> {r.get('state')}")
        tests = e.get("tests", {})
        results = {t["name"]: t for t in r.get("tests", [])}
        for name, t in results.items():
            if t["verdict"] == "pass":
                continue
            et = tests.get(name)
            if et is None:
                problems.append(f"NEW certify {prog} {name}: {t['verdict']}: {one_line(t.get('reason', ''))}")
                continue
            problems += [f"unknown key certify.{prog}.tests.{name}.{k}" for k in et if k not in CERTIFY_TEST_KEYS]
            if et.get("verdict") != t["verdict"]:
                problems.append(f"CHANGED certify {prog} {name}: {et.get('verdict')} -> {t['verdict']}: "
                                f"{one_line(t.get('reason', ''))}")
            need = ["why"] + (["basis"] if t["verdict"] in ("fail", "warning") else [])
            for k in need:
                if todo(et.get(k)):
                    problems.append(f"UNJUSTIFIED certify {prog} {name}: no {k}")
        for name in tests:
            if results.get(name, {}).get("verdict", "pass") == "pass":
                problems.append(f"VANISHED certify {prog} {name}: now {results.get(name, {}).get('verdict', 'not run')}")
    for prog in exp:
        if prog not in seen:
            problems.append(f"VANISHED certify programme {prog}")
    return problems


def certify_skeleton(expected, certify):
    out = []
    exp = expected.get("certify", {})
    for r in certify.get("readiness", []):
        prog = r["program"]
        e = exp.get(prog, {})
        out.append(f"[certify.{toml_str(prog)}]")
        out.append(f"state = {toml_str(r.get('state', ''))}")
        out.append("")
        for t in r.get("tests", []):
            if t["verdict"] == "pass":
                continue
            et = e.get("tests", {}).get(t["name"], {})
            out.append(f"[certify.{toml_str(prog)}.tests.{toml_str(t['name'])}]")
            if not et:
                out.append("# NEW. Reported: " + one_line(t.get("reason", ""), 400))
            out.append(f"verdict = {toml_str(t['verdict'])}")
            if t["verdict"] in ("fail", "warning"):
                out.append(f"basis = {toml_str(et.get('basis', 'TODO'))}")
            out.append(f"why = {toml_str(et.get('why', 'TODO'))}")
            out.append("")
    return out


def toml_str(s):
    """A TOML string a reviewer can read: a literal string (no escapes) when the text allows it."""
    if not any(ch < " " for ch in s):
        if "'" not in s:
            return f"'{s}'"
        if "\'\'\'" not in s and not s.endswith("'"):
            return f"\'\'\'{s}\'\'\'"
    # A JSON string is a valid TOML basic string (same escapes, \uXXXX included).
    return json.dumps(s, ensure_ascii=False)


def skeleton(server, expected, check, replay, certify):
    out = [f"# Reviewed expectations: scimtest against {server} (interop/peers.sh).",
           "# Every check that fails or errors there, with the RFC sentence the server breaks.",
           "# Regenerate with: python3 interop/peers_expect.py --write-skeleton " + server,
           f"# Catalogue: {check.get('catalogue_version', '?')}", "",
           f"server = {toml_str(expected.get('server', server))}", ""]
    exp_checks = expected.get("check", {})
    for report in (check, replay):
        for c in report.get("checks", []):
            if c.get("outcome") not in NOT_PASSING:
                continue
            e = exp_checks.get(c["id"], {})
            out.append(f"[check.{toml_str(c['id'])}]")
            if not e:
                out.append(f"# NEW. {c.get('title', '')} ({c.get('rfc', '')}). Reported: "
                           + one_line(c.get("reason", ""), 400))
            out.append(f"outcome = {toml_str(c['outcome'])}")
            out.append(f"level = {toml_str(c['level'])}")
            if c["level"] in RFC_LEVELS or "rfc" in e:
                out.append(f"rfc = {toml_str(e.get('rfc', 'TODO'))}")
            if c["level"] in OTHER_LEVELS:
                out.append(f"basis = {toml_str(e.get('basis', 'TODO'))}")
            out.append(f"why = {toml_str(e.get('why', 'TODO'))}")
            out.append("")
    exp_replay = expected.get("replay", {})
    for p in replay.get("profiles", []):
        key = f"{p['idp']}.{p['profile']}"
        e = exp_replay.get(key, {})
        out.append(f"[replay.{toml_str(key)}]")
        if not e:
            out.append("# NEW. " + one_line(p.get("verdict", ""), 400))
        out.append(f"would_provision = {'true' if p.get('would_provision') else 'false'}")
        if not p.get("would_provision"):
            out.append(f"breaks_at = {toml_str(breaks_at(p))}")
            if "basis" in e:
                out.append(f"basis = {toml_str(e['basis'])}")
            else:
                out.append(f"rfc = {toml_str(e.get('rfc', 'TODO'))}")
        out.append(f"why = {toml_str(e.get('why', 'TODO' if not p.get('would_provision') else 'provisions'))}")
        out.append("")
    out += certify_skeleton(expected, certify)
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("servers", nargs="+", metavar="SERVER")
    ap.add_argument("--expected-dir", type=pathlib.Path, default=HERE / "expected")
    ap.add_argument("--reports", type=pathlib.Path, default=HERE / ".peers" / "reports")
    ap.add_argument("--write-skeleton", action="store_true",
                    help="print an expectation file for the current results (one SERVER)")
    ap.add_argument("--summary-md", action="store_true",
                    help="also print a Markdown table of reported / justified / leftovers")
    args = ap.parse_args()
    if args.write_skeleton and len(args.servers) != 1:
        ap.error("--write-skeleton takes exactly one SERVER")
    status = 0
    rows = []
    for server in args.servers:
        try:
            expected = load_expected(args.expected_dir / f"{server}.toml")
            check, _ = find_report(args.reports / server / "check")
            replay, _ = find_report(args.reports / server / "replay")
            # certify's own report is at the top of its folder (its load part has one below).
            cpath = args.reports / server / "certify" / "report.json"
            if not cpath.exists():
                raise InputError(f"no {cpath}")
            certify = load_json(cpath)
            lpath = args.reports / server / "leftovers.json"
            leftovers = load_json(lpath) if lpath.exists() else {"error": "no leftovers.json"}
        except InputError as e:
            print(f"{server}: {e}", file=sys.stderr)
            return 2
        if args.write_skeleton:
            print(skeleton(server, expected, check, replay, certify))
            return 0
        if "error" in leftovers:
            print(f"{server}: leftovers not counted: {leftovers['error']}", file=sys.stderr)
            return 2
        problems, counts = compare(server, expected, check, replay, leftovers)
        problems += compare_certify(expected, certify)
        c = check.get("counts", {})
        print(f"== {server}: check {c.get('pass', 0)} pass / {c.get('fail', 0)} fail / {c.get('error', 0)} error"
              f" / {c.get('skip', 0)} skip ({check.get('catalogue_version', '?')}); "
              f"{counts['reported']} failing ids, {counts['justified']} justified by "
              f"{(args.expected_dir / (server + '.toml')).relative_to(HERE.parent) if (args.expected_dir / (server + '.toml')).is_relative_to(HERE.parent) else args.expected_dir / (server + '.toml')}; "
              f"leftovers {counts['leftovers']}")
        for p in replay.get("profiles", []):
            print(f"   replay {p['idp']}.{p['profile']}: {one_line(p.get('verdict'))}")
        for r in certify.get("readiness", []):
            t = {}
            for x in r.get("tests", []):
                t[x["verdict"]] = t.get(x["verdict"], 0) + 1
            print(f"   certify {r['program']}: {r.get('state')} ({', '.join(f'{n} {v}' for v, n in sorted(t.items()))})")
        for p in problems:
            print(f"   {p}")
        if problems:
            status = 1
        rows.append((server, counts))
    if args.summary_md:
        print("\n| server | reported failures (fail + error) | justified by the expectation file"
              " | of which RFC level (must/should/may): justified / reported | leftovers |")
        print("| --- | --- | --- | --- | --- |")
        for server, counts in rows:
            print(f"| {server} | {counts['reported']} | {counts['justified']} | "
                  f"{counts['rfc_justified']} / {counts['rfc_reported']} | {counts['leftovers']} |")
    if status:
        print("\nThe verdicts differ from the reviewed expectation files (above). If the change is right, "
              "update interop/expected/<server>.toml with its justification "
              "(python3 interop/peers_expect.py --write-skeleton <server> prints a starting point).")
    return status


if __name__ == "__main__":
    sys.exit(main())
