"""axe-core in Chromium (Playwright, sync API): WCAG 2.2 A/AA checks of the page that is open.

axe-core comes from the npm registry through tests/package-lock.json (`make node`, run by `make test` and
.ci/run): nothing is downloaded while the tests run. The pages' Content-Security-Policy allows no inline script,
so the browser context that checks must be made with `bypass_csp=True` (and JavaScript enabled).

    from tests.support import axe            # or, in a script run as a subprocess: import axe from its path
    found = axe.check(page, "report-th")     # {"page":…, "counts": {"critical": 0, …}, "violations": [...]}
    assert axe.serious(found) == []
"""
from __future__ import annotations

from pathlib import Path

AXE_JS = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
IMPACTS = ("critical", "serious", "moderate", "minor")


def check(page, name: str) -> dict:
    """Run axe on the open page; counts of violations (rules broken) by impact, and what broke them."""
    if not AXE_JS.exists():
        raise RuntimeError(f"{AXE_JS} is missing: run `make node` (npm ci --prefix tests)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    violations = [{"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": len(v["nodes"]),
                   "targets": [n["target"] for n in v["nodes"][:3]]} for v in result["violations"]]
    counts = {impact: sum(1 for v in violations if v["impact"] == impact) for impact in IMPACTS}
    return {"page": name, "counts": counts, "violations": violations, "passes": len(result["passes"])}


def serious(found: dict) -> list[dict]:
    """The serious and critical violations (the ones a page must not have)."""
    return [v for v in found["violations"] if v["impact"] in ("serious", "critical")]


def table(results: list[dict]) -> str:
    """A table of counts by impact per page, for the test's output."""
    lines = [f"{'page':<28}" + "".join(f"{i:>10}" for i in IMPACTS) + f"{'rules passed':>14}"]
    for r in results:
        lines.append(f"{r['page']:<28}" + "".join(f"{r['counts'][i]:>10}" for i in IMPACTS) + f"{r['passes']:>14}")
    return "\n".join(lines)
