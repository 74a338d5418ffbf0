"""Turn report HTML into PDF with WeasyPrint, using only files bundled under ``reports/``.

Nothing is fetched from the network, ever: the URL fetcher serves files below the report
folder and refuses everything else at once (no timeouts). Fonts ship with the project
(Noto Sans, SIL Open Font License; see reports/fonts/README.md) and are embedded as subsets.
"""

from __future__ import annotations

import atexit
import gc
import mimetypes
import threading
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from advisor.config import PROJECT_ROOT

REPORT_DIR = PROJECT_ROOT / "reports"
TEMPLATE_DIRS = [REPORT_DIR / "templates", PROJECT_ROOT / "templates"]

# A render allocates hundreds of thousands of objects (boxes, styles, PDF objects), many in
# reference cycles. With CPython's default first-generation threshold (700) the collector
# runs thousands of times per render and repeatedly walks the whole heap; collecting every
# 5,000 allocations instead cut a 26-page render by about 18 % for 50 MB more peak memory
# (bench/README.md). Garbage is still collected during the render, in fewer, larger passes.
RENDER_GC_THRESHOLD = 5_000
_gc_lock = threading.Lock()
_gc_renders = 0
_gc_saved: tuple[int, int, int] | None = None


class ReportError(RuntimeError):
    """The report could not be rendered."""


def lean_ua_css(ua: str) -> str:
    """WeasyPrint's user-agent stylesheet without the rules reports never use.

    The stock sheet gives *every* element ``::marker``, ``::footnote-*`` and ``::note-*``
    pseudo-element styles, so the cascade computes seven styles per element; with about a
    thousand elements that was a sixth of the render time. Reports have no footnotes or
    notes, and markers exist only on list items.
    """
    lines = [line for line in ua.splitlines() if not line.startswith(("::footnote-", "::note-"))]
    return "\n".join("li" + line if line.startswith("::marker") else line for line in lines)


@lru_cache(maxsize=1)
def _weasy():
    """Import WeasyPrint once per process (the import alone costs about 0.7 s)."""
    from importlib.resources import files

    import weasyprint
    from weasyprint.css.counters import CounterStyle
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    ua = weasyprint.CSS(
        string=lean_ua_css((files(weasyprint.css) / "html5_ua.css").read_text("utf-8")),
        counter_style=CounterStyle(),
    )

    class ReportHTML(weasyprint.HTML):
        """HTML with the lean user-agent stylesheet (``_ua_stylesheets`` is WeasyPrint's hook)."""

        def _ua_stylesheets(self, forms=False):
            return [ua]

    class BundledOnly(URLFetcher):
        """Serve files under the report folder; refuse every other URL immediately."""

        def __init__(self, root: Path) -> None:
            super().__init__(allowed_protocols={"file"}, fail_on_errors=False)
            self.root = root.resolve()

        def fetch(self, url: str, headers=None):
            parts = urlsplit(url)
            if parts.scheme != "file":
                raise ValueError(f"only bundled files are used in reports: {url}")
            path = Path(unquote(parts.path)).resolve()
            if not path.is_relative_to(self.root) or not path.is_file():
                raise ValueError(f"not a bundled report file: {url}")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime}, 200)

    # Drop the font configuration (and its temporary font folder) before interpreter teardown.
    atexit.register(_weasy.cache_clear)
    return ReportHTML, FontConfiguration(), BundledOnly(REPORT_DIR)


def environment(globals_: dict) -> Environment:
    """The Jinja environment of report templates (with gettext from Flask-Babel)."""
    from flask_babel import gettext, ngettext

    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in TEMPLATE_DIRS]),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.globals.update(globals_)
    return env


@contextmanager
def fewer_collections():
    """Raise the collector's first threshold while any render runs (thread-safe)."""
    global _gc_renders, _gc_saved
    with _gc_lock:
        if _gc_renders == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(max(RENDER_GC_THRESHOLD, _gc_saved[0]), *_gc_saved[1:])
        _gc_renders += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_renders -= 1
            if _gc_renders == 0:
                gc.set_threshold(*_gc_saved)


PDF_VARIANT = "pdf/ua-1"


def layout(html: str):
    """Lay report HTML out into pages (a WeasyPrint ``Document``), as ``render_pdf`` does.

    The tests read the pages' boxes from it: where breaks fall, how full a page is.
    """
    report_html, font_config, fetcher = _weasy()
    document = report_html(string=html, base_url=REPORT_DIR.as_uri() + "/", url_fetcher=fetcher)
    return document.render(font_config=font_config, pdf_variant=PDF_VARIANT)


def render_pdf(html: str) -> bytes:
    """Render report HTML to a tagged PDF (PDF/UA-1) with embedded fonts."""
    try:
        with fewer_collections():
            return layout(html).write_pdf(pdf_variant=PDF_VARIANT)
    except Exception as exc:  # WeasyPrint raises many kinds; the caller shows one message
        raise ReportError(str(exc)) from exc


def warm_up() -> None:
    """Import WeasyPrint ahead of the first request (optional)."""
    _weasy()
