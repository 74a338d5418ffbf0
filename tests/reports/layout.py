"""Read a laid-out report (WeasyPrint's box tree) as pages of lines: how full each page is,
where headings fall and what a page holds. Used by the page-fill tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from weasyprint.formatting_structure import boxes

#: Elements that announce what follows them: none may end a page.
HEADINGS = ("h1", "h2", "h3", "h4", "dt")


@dataclass(frozen=True)
class Leaf:
    """A line of text or a replaced element (image, chart) on a page, in document order."""

    top: float
    bottom: float
    #: The elements it sits in, outermost first: (tag, id, class) each.
    path: tuple[tuple[str, str, str], ...]
    text: str
    replaced: bool = False

    def inside(self, tag: str | None = None, id: str | None = None, cls: str | None = None) -> bool:
        return any(
            (tag is None or t == tag) and (id is None or i == id) and (cls is None or cls in c.split())
            for t, i, c in self.path
        )

    @property
    def heading(self) -> bool:
        return any(t in HEADINGS for t, _, _ in self.path)


@dataclass
class Page:
    number: int
    #: Top of the page area (inside the margins, where the running header is not) and its height.
    top: float
    height: float
    leaves: list[Leaf] = field(default_factory=list)

    @property
    def fill(self) -> float:
        """How much of the page area is used: from its top to the lowest line or figure, 0 to 1."""
        if not self.leaves:
            return 0.0
        return (max(leaf.bottom for leaf in self.leaves) - self.top) / self.height

    @property
    def text(self) -> str:
        return " ".join(leaf.text for leaf in self.leaves)


def pages(document) -> list[Page]:
    """The pages of a WeasyPrint ``Document``; running headers and footers are left out."""
    result = []
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        current = Page(number, page_box.content_box_y(), page_box.height)
        _collect(page_box, (), None, current.leaves)
        result.append(current)
    return result


def _collect(box, path, element, leaves: list[Leaf]) -> None:
    if isinstance(box, boxes.MarginBox):
        return
    if box.element is not None and box.element is not element and box.element_tag:
        element = box.element
        path = (*path, (_local(box.element_tag), element.get("id") or "", element.get("class") or ""))
    if isinstance(box, boxes.ReplacedBox):
        leaves.append(Leaf(box.position_y, box.position_y + box.margin_height(), path, "", True))
    elif isinstance(box, boxes.LineBox):
        text = "".join(t.text for t in box.descendants() if isinstance(t, boxes.TextBox)).strip()
        if text:
            leaves.append(Leaf(box.position_y, box.position_y + box.margin_height(), path, text))
        # Replaced boxes inside a line (inline SVG) count as well.
        for child in box.descendants():
            if isinstance(child, boxes.ReplacedBox):
                _collect(child, path, element, leaves)
    elif isinstance(box, boxes.ParentBox):
        for child in box.children:
            _collect(child, path, element, leaves)


def level(leaf: Leaf) -> int:
    """1 to 4 for a line of h1 to h4, 5 for a term (dt), 9 for anything else."""
    levels = [int(t[1]) if t[0] == "h" else 5 for t, _, _ in leaf.path if t in HEADINGS]
    return min(levels, default=9)


def stranded_headings(pages: list[Page], lines: int = 3) -> list[tuple[int, str, int]]:
    """Headings at a page's foot with fewer than ``lines`` lines of what they head after them.

    A figure counts as three lines. A heading whose part ends on its page (the next page
    starts with a heading of the same or a higher rank) is not stranded. Returns
    (page number, heading text, lines after it) for each stranded heading.
    """
    stranded = []
    for page, following in zip(pages, pages[1:], strict=False):
        last = max((i for i, leaf in enumerate(page.leaves) if leaf.heading), default=None)
        if last is None or not following.leaves:
            continue
        rank = level(page.leaves[last])
        continues = level(following.leaves[0]) > rank
        after = sum(3 if leaf.replaced else 1 for leaf in page.leaves[last + 1 :] if not leaf.heading)
        if after == 0 or (continues and after < lines):
            stranded.append((page.number, page.leaves[last].text, after))
    return stranded


def find(document, tag: str, cls: str | None = None):
    """(page number, box) for each element ``tag`` (with class ``cls``) on each page it is on.

    The outermost box of the element on that page: a table's wrapper, not the table inside it.
    """
    for number, page in enumerate(document.pages, start=1):
        seen = set()
        for box in page._page_box.descendants():
            element = box.element
            if element is None or id(element) in seen or _local(box.element_tag) != tag:
                continue
            if cls is None or cls in (element.get("class") or "").split():
                seen.add(id(element))
                yield number, box


def _local(tag: str | None) -> str:
    """An element's name without its namespace: SVG elements are "{http://www.w3.org/2000/svg}svg"."""
    return (tag or "").rsplit("}", 1)[-1]


def text_of(box) -> str:
    return " ".join(
        t.text.strip() for t in box.descendants() if isinstance(t, boxes.TextBox) and t.text.strip()
    )
