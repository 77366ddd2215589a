"""Build the committed base CJK font of the 工作简报: lib/yonggong/fonts/brief-sc.woff.

The brief must show Chinese on intranet machines that have no CJK font, so it embeds a font.
This script makes, once, the *base* font the package ships: WenQuanYi Micro Hei (文泉驿微米黑,
Apache-2.0 or GPLv3 with font exception, see lib/yonggong/fonts/LICENSE-wqy-microhei.txt)
cut down to

* ASCII, Latin-1, general punctuation, arrows, CJK symbols and punctuation, full-width forms;
* every character of GB 2312 (the 6763 hanzi and the symbols of rows 1–9), enumerated by
  decoding all two-byte codes 0xA1A1–0xF7FE with Python's ``gb2312`` codec;
* every character used in ``params/`` (county, city and category names, layouts, settings).

Hinting is dropped (the brief is read on screen at normal sizes and printed). At render time
``yonggong.fontembed`` subsets this base again to exactly the characters a brief uses and
embeds that as a base64 ``@font-face``; the tests do not run this script.

How the committed file was made (Debian bookworm, fonttools 4.68.0)::

    cd /tmp && apt-get download fonts-wqy-microhei          # 0.2.0-beta-3.1, not installed
    dpkg-deb -x fonts-wqy-microhei_*_all.deb /tmp/fontpkg
    .venv/bin/python tools/build_font.py /tmp/fontpkg/usr/share/fonts/truetype/wqy/wqy-microhei.ttc

Nothing is installed system-wide: the package is only unpacked into a temporary folder.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools.ttLib import TTFont

from yonggong import fontembed

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "lib" / "yonggong" / "fonts" / "brief-sc.woff"
RANGES = [
    (0x20, 0x7E),  # ASCII
    (0xA0, 0xFF),  # Latin-1 (°, ×, ÷, ·)
    (0x2010, 0x205E),  # general punctuation (—, …, ‰, “”)
    (0x2160, 0x216B),  # Roman numerals
    (0x2190, 0x2199),  # arrows
    (0x2460, 0x2473),  # circled numbers
    (0x25A0, 0x25CF),  # geometric shapes (■□▲▼●○)
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0xFF01, 0xFF5E),  # full-width forms
    (0xFFE0, 0xFFE6),  # full-width signs
]


def gb2312_chars() -> set[str]:
    """Every character of GB 2312 (rows 0xA1–0xF7, cells 0xA1–0xFE that decode)."""
    out = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                out.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return out


def params_chars() -> set[str]:
    """Characters of the reference data and settings (county names and the like)."""
    out = set()
    for p in sorted((ROOT / "params").rglob("*")):
        if p.suffix in (".csv", ".yaml", ".yml") and p.is_file():
            out |= set(p.read_text(encoding="utf-8"))
    return {c for c in out if c.isprintable()}


def wanted() -> list[int]:
    chars = gb2312_chars() | params_chars()
    for lo, hi in RANGES:
        chars |= {chr(c) for c in range(lo, hi + 1)}
    return sorted(ord(c) for c in chars)


def build(source: Path, out: Path = OUT, font_number: int = 0) -> dict:
    font = TTFont(str(source), fontNumber=font_number, recalcTimestamp=False)
    cmap = font.getBestCmap()
    codepoints = [c for c in wanted() if c in cmap]
    missing = [chr(c) for c in wanted() if c not in cmap]
    fontembed.subset_woff(font, codepoints, desubroutinize=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(out))
    return {"glyphs": len(font.getGlyphOrder()), "codepoints": len(codepoints), "missing": missing,
            "bytes": out.stat().st_size}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source", type=Path, help="wqy-microhei.ttc from the Debian package fonts-wqy-microhei")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--font-number", type=int, default=0, help="face in the .ttc (0 = Micro Hei)")
    args = ap.parse_args(argv)
    info = build(args.source, args.out, args.font_number)
    print(f"{args.out}: {info['codepoints']} code points, {info['glyphs']} glyphs, {info['bytes']} bytes")
    if info["missing"]:
        print(f"not in the source font ({len(info['missing'])}): {''.join(info['missing'][:80])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
