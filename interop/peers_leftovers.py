"""List what scimtest left behind on a SCIM server: Users whose userName, and Groups whose
displayName, starts with the run namespace prefix `scimtest-` (case-insensitive).

Usage: peers_leftovers.py BASE_URL --token TOKEN [--report report.json]... > leftovers.json

Prints JSON: {"resources": ["Users/<id> userName=...", ...], "report_leftovers": [...],
"users_total": N, "groups_total": N}; report_leftovers are the `cleanup.leftovers` the reports
themselves list. Pages with startIndex/count, de-duplicating by id, so a server that ignores
paging is still read in full. Standard library only; exit 2 when the server cannot be read.
"""

import argparse
import json
import sys
import urllib.error
import urllib.request

PREFIX = "scimtest-"
PAGE = 200
MAX_PAGES = 100


def get(url, token):
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}",
                                               "Accept": "application/scim+json, application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read().decode("utf-8"))


def list_all(base, endpoint, token):
    seen = {}
    total = None
    start = 1
    for _ in range(MAX_PAGES):
        page = get(f"{base}/{endpoint}?startIndex={start}&count={PAGE}", token)
        total = page.get("totalResults", total)
        resources = page.get("Resources") or []
        new = [r for r in resources if isinstance(r, dict) and r.get("id") not in seen]
        for r in new:
            seen[r.get("id")] = r
        if not new or (isinstance(total, int) and len(seen) >= total):
            break
        start += len(resources)
    return list(seen.values())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base_url")
    ap.add_argument("--token", required=True)
    ap.add_argument("--report", action="append", default=[])
    args = ap.parse_args()
    base = args.base_url.rstrip("/")
    out = {"resources": [], "report_leftovers": []}
    try:
        for endpoint, attr in (("Users", "userName"), ("Groups", "displayName")):
            items = list_all(base, endpoint, args.token)
            out[f"{endpoint.lower()}_total"] = len(items)
            for r in items:
                name = r.get(attr)
                if isinstance(name, str) and name.lower().startswith(PREFIX):
                    out["resources"].append(f"{endpoint}/{r.get('id')} {attr}={name}")
    except (urllib.error.URLError, OSError, ValueError) as e:
        print(json.dumps({"error": f"cannot list {base}: {e}"}))
        return 2
    for path in args.report:
        try:
            with open(path, encoding="utf-8") as f:
                out["report_leftovers"] += json.load(f).get("cleanup", {}).get("leftovers", [])
        except (OSError, ValueError) as e:
            out["report_leftovers"].append(f"cannot read {path}: {e}")
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
