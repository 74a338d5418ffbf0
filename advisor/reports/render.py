"""Turn report HTML into PDF with WeasyPrint, using only files bundled under ``reports/``.

Nothing is fetched from the network, ever: the URL fetcher serves files below the report
folder and refuses everything else at once (no timeouts). Fonts ship with the project
(Atkinson Hyperlegible, SIL Open Font License) and are embedded as subsets.
"""

from __future__ import annotations

import mimetypes
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from advisor.config import PROJECT_ROOT

REPORT_DIR = PROJECT_ROOT / "reports"
TEMPLATE_DIRS = [REPORT_DIR / "templates", PROJECT_ROOT / "templates"]


class ReportError(RuntimeError):
    """The report could not be rendered."""


@lru_cache(maxsize=1)
def _weasy():
    """Import WeasyPrint once per process (the import alone costs about 0.7 s)."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher, URLFetcherResponse

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

    return weasyprint, FontConfiguration(), BundledOnly(REPORT_DIR)


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


def render_pdf(html: str) -> bytes:
    """Render report HTML to a tagged PDF (PDF/UA-1) with embedded fonts."""
    weasyprint, font_config, fetcher = _weasy()
    try:
        document = weasyprint.HTML(string=html, base_url=REPORT_DIR.as_uri() + "/", url_fetcher=fetcher)
        return document.write_pdf(font_config=font_config, pdf_variant="pdf/ua-1")
    except Exception as exc:  # WeasyPrint raises many kinds; the caller shows one message
        raise ReportError(str(exc)) from exc


def warm_up() -> None:
    """Import WeasyPrint ahead of the first request (optional)."""
    _weasy()
