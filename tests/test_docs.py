"""The gateway notes the code cites ship as pages of the docs site, and every citation resolves.

Docstrings and comments (and the generated client, through the spec and templates) cite the facts
sheets as `docs/reference/gateway-protocol.md §N` or `docs/reference/gateway-versions.md §N`.
A section number with no heading in the named page, or a citation of a page that does not ship,
sends a reader nowhere: both fail here. (`make docs` checks the site's own links.)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "gateway-protocol": ROOT / "docs" / "reference" / "gateway-protocol.md",
    "gateway-versions": ROOT / "docs" / "reference" / "gateway-versions.md",
}
CITING = [
    *sorted((ROOT / "agentfm").rglob("*.py")),
    *sorted((ROOT / "generated").rglob("*.py")),
    *sorted((ROOT / "codegen" / "templates").rglob("*.jinja")),
    ROOT / "schema" / "openapi.yaml",
]
PAGE_MENTION = re.compile(r"(?P<path>[\w./-]*?)(?P<page>gateway-(?:protocol|versions))\.md", re.I)
SECTION = re.compile(r"§\s?(\d+(?:\.\d+)*)")
CITATION = re.compile(
    r"docs/reference/(?P<page>gateway-(?:protocol|versions))\.md"
    r"(?P<sections>\s§\d+(?:\.\d+)*(?:(?:,\s*|\s+and\s+|\s*[-/]\s*)§\d+(?:\.\d+)*)*)"
)


def _headings(page: Path) -> set[str]:
    numbers = set()
    for line in page.read_text(encoding="utf-8").splitlines():
        match = re.match(r"#{1,6} (\d+(?:\.\d+)*)\.? ", line)
        if match:
            numbers.add(match.group(1))
    return numbers


def _citations(text: str) -> tuple[list[tuple[str, str, str]], list[str]]:
    """(page, section, context) for every cited `§N`, and the contexts of stray `§N`s.

    A citation is a run: the page, then its sections (`§5.4`, `§5.4, §5.5 and §7`, `§5.9-§5.11`).
    A `§N` outside such a run does not say which page it means.
    """
    # A citation wrapped over two comment lines reads as one.
    text = re.sub(r"\n[ \t]*(?:#[ \t]?)?", " ", text)
    cited, covered = [], set()
    for run in CITATION.finditer(text):
        for section in SECTION.finditer(run.group("sections")):
            start = run.start("sections") + section.start()
            covered.add(start)
            context = text[max(0, start - 50) : start + 12].replace("\n", " ")
            cited.append((run.group("page").lower(), section.group(1), context))
    stray = [
        text[max(0, m.start() - 50) : m.end() + 5].replace("\n", " ")
        for m in SECTION.finditer(text)
        if m.start() not in covered
    ]
    return cited, stray


def test_the_cited_pages_ship_in_the_docs_site() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in PAGES.values():
        assert page.is_file()
        assert f"reference/{page.name}" in nav
        assert _headings(page)


@pytest.mark.parametrize("path", CITING, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_citation_names_a_shipped_page_and_an_existing_section(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for match in PAGE_MENTION.finditer(text):
        assert match.group("path") == "docs/reference/", (
            f"{path.name}: cites {match.group(0)!r}; the shipped page is "
            f"docs/reference/{match.group('page').lower()}.md"
        )
    headings = {name: _headings(page) for name, page in PAGES.items()}
    cited, stray = _citations(text)
    unresolved = [
        f"{page}.md §{section}  (...{context}...)"
        for page, section, context in cited
        if section not in headings[page]
    ]
    assert not unresolved, f"{path.name} cites sections that do not exist:\n" + "\n".join(
        unresolved
    )
    assert not stray, f"{path.name} cites sections without naming the page:\n" + "\n".join(stray)


def test_the_check_finds_a_missing_section_and_a_page_that_does_not_ship() -> None:
    protocol = _headings(PAGES["gateway-protocol"])
    assert "5.4" in protocol
    assert "5.99" not in protocol
    cited, stray = _citations("see docs/reference/gateway-versions.md §10.1 and §5.99, or §2")
    assert [(page, section) for page, section, _ in cited] == [
        ("gateway-versions", "10.1"),
        ("gateway-versions", "5.99"),
    ]
    assert len(stray) == 1
    assert "10.1" in _headings(PAGES["gateway-versions"])
    [mention] = PAGE_MENTION.finditer("(../shared/gateway-protocol.md 5.4)")
    assert mention.group("path") == "../shared/"
