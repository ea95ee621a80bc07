"""What every page must pass in a real browser: axe-core (vendored from the npm registry,
tests/browser/vendor) finds no critical or serious violation, the console shows no Content
Security Policy refusal, and the page never scrolls sideways."""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe-4.10.3.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = ("critical", "serious")


def watch_console(page) -> list[str]:
    """Collect the page's console errors and uncaught exceptions (all navigations)."""
    seen: list[str] = []
    page.on("console", lambda msg: seen.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: seen.append(f"uncaught: {exc}"))
    return seen


def csp_errors(seen: list[str]) -> list[str]:
    return [text for text in seen if "Content Security Policy" in text or "uncaught" in text]


def axe_violations(page) -> list[str]:
    """The critical and serious axe-core violations on the page, one line each.

    The script is evaluated through the DevTools protocol, which the page's CSP does not
    govern (a <script> tag would itself be refused, and would hide the page's own refusals)."""
    if not page.evaluate("() => Boolean(window.axe)"):
        page.evaluate(AXE.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        f"{v['impact']} {v['id']}: {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


def sideways_overflow(page) -> int:
    """How many pixels the page is wider than its viewport (0: no horizontal scroll)."""
    return page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - window.innerWidth"
    )
