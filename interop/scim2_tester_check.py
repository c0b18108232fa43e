"""Run python-scim's scim2-tester (check_server) against a SCIM base URL.

Usage: scim2_tester_check.py BASE_URL --token TOKEN [--min-checks N] [--json OUT]

Prints every non-passing result and a closing line 'scim2-tester: N passed, N failed'.
Exit 0 only when nothing failed and at least --min-checks checks ran.
"""

import argparse
import collections
import json
import sys

import httpx2
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

PASSING = {Status.SUCCESS, Status.COMPLIANT, Status.ACCEPTABLE, Status.SKIPPED}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--token", required=True)
    ap.add_argument("--min-checks", type=int, default=0)
    ap.add_argument("--json")
    args = ap.parse_args()

    base = args.url.rstrip("/") + "/"
    http = httpx2.Client(base_url=base, headers={"Authorization": f"Bearer {args.token}"}, timeout=30.0)
    client = SyncSCIMClient(http)
    client.check_response_status_codes = True
    client.check_response_content_type = True
    results = check_server(client)

    counts = collections.Counter(r.status.name for r in results)
    bad = [r for r in results if r.status not in PASSING]
    for r in bad:
        rt = f"[{r.resource_type}] " if r.resource_type else ""
        print(f"{r.status.name:<10} {rt}{r.title}\n    reason: {r.reason}")
    print("statuses: " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    if args.json:
        with open(args.json, "w") as f:
            json.dump([{"status": r.status.name, "title": r.title, "reason": r.reason} for r in results], f, indent=1)
    passed = len(results) - len(bad)
    print(f"scim2-tester: {passed} passed, {len(bad)} failed")
    if len(results) < args.min_checks:
        print(f"scim2-tester ran only {len(results)} checks; at least {args.min_checks} expected", file=sys.stderr)
        return 1
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
