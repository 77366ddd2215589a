"""Embed the brief's CJK font: subset the shipped base font to the characters used, as base64.

The 工作简报 is opened on intranet machines that may have no CJK font, so every Chinese glyph
it shows (body text and the SVG charts) must come from a font inside the file. The package
ships a base font (``fonts/brief-sc.woff``: WenQuanYi Micro Hei cut to ASCII, punctuation and
GB 2312, see ``tools/build_font.py``); at render time it is subset again to exactly the
characters of the page and written as a ``data:`` URL in an ``@font-face`` rule.

The output is byte-deterministic for the same characters (no timestamps are recalculated).
"""

from __future__ import annotations

import base64
import functools
import io
from collections.abc import Iterable
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"
BASE_FONT = FONT_DIR / "brief-sc.woff"
FAMILY = "BriefSC"  # the CSS family name the brief and its charts use
DROPPED = ("GDEF", "GPOS", "GSUB")  # tables not carried into the embedded subset (see _subset)


@functools.lru_cache(maxsize=1)
def _base_bytes() -> bytes:
    return BASE_FONT.read_bytes()


@functools.lru_cache(maxsize=1)
def base_codepoints() -> frozenset[int]:
    """Code points the base font covers."""
    font = TTFont(io.BytesIO(_base_bytes()), lazy=True)
    return frozenset(font.getBestCmap())


def missing(chars: Iterable[str]) -> list[str]:
    """Printable characters of ``chars`` the base font cannot draw (they fall back to system fonts)."""
    have = base_codepoints()
    return sorted({c for c in chars if c.isprintable() and not c.isspace() and ord(c) not in have})


def subset_font(chars: Iterable[str]) -> bytes:
    """WOFF bytes of the base font reduced to ``chars`` (those it covers) plus .notdef."""
    return _subset(frozenset({ord(c) for c in chars} & base_codepoints()))


@functools.lru_cache(maxsize=32)
def _subset(codepoints: frozenset[int]) -> bytes:
    """The subset for a glyph set, made once per process (a rerun, the self-check and the warm
    kernels of ``invoke all`` ask again for the same set). The font's overall bounding box is
    kept as the base font has it (``recalcBBoxes=False``): recomputing it decoded every glyph's
    outline and took half of the time; each glyph keeps its own box. The layout tables are left
    out (:data:`DROPPED`): the base font's GSUB is empty and its GPOS only kerns Latin pairs,
    which the Chinese text and numerals of a brief do not use, and reading them for the subset
    took another third."""
    wanted = sorted(codepoints)
    font = TTFont(io.BytesIO(_base_bytes()), recalcTimestamp=False, recalcBBoxes=False)
    for tag in DROPPED:
        if tag in font:
            del font[tag]
    subset_woff(font, wanted)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def subset_woff(font: TTFont, codepoints: Iterable[int], **options) -> None:
    """Cut ``font`` down in place to ``codepoints`` as WOFF: no hinting, name records 0–6 kept,
    an outlined .notdef, no timestamp change; ``options`` set further fontTools subset options
    (tools/build_font.py, which makes the base font, adds ``desubroutinize``)."""
    opts = subset.Options()
    opts.flavor = "woff"
    opts.hinting = False
    opts.notdef_outline = True
    opts.name_IDs = [0, 1, 2, 3, 4, 5, 6]
    opts.recalc_timestamp = False
    for key, value in options.items():
        setattr(opts, key, value)
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=list(codepoints))
    sub.subset(font)
    font.flavor = "woff"


def font_face_css(chars: Iterable[str], family: str = FAMILY) -> str:
    """An ``@font-face`` rule whose source is the subset font as a base64 data URL."""
    data = base64.b64encode(subset_font(chars)).decode("ascii")
    return ("/* 字体：文泉驿微米黑（WenQuanYi Micro Hei）子集，Apache-2.0 许可 */\n"
            f'@font-face {{ font-family: "{family}"; font-style: normal; font-weight: 400; '
            f'font-display: block; src: url(data:font/woff;base64,{data}) format("woff"); }}')


def font_from_css(css: str) -> TTFont:
    """The font embedded by :func:`font_face_css` (for tests and checks)."""
    start = css.index("base64,") + len("base64,")
    end = css.index(")", start)
    return TTFont(io.BytesIO(base64.b64decode(css[start:end])))
