"""Check characters of the two national codes the inbox carries.

* GB 32100-2015 unified social credit code (统一社会信用代码), 18 characters.
* GB 11643-1999 citizen identity number (公民身份号码), 18 characters (15-digit old form
  accepted, it has no check character).

Own implementations (python-stdnum rejects valid credit codes that start with a letter).
Both functions take the raw text and return a `CodeCheck` so callers can report the
normalised value, whether normalisation was needed (a warning) and whether it is valid.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"


@dataclass(frozen=True)
class CodeCheck:
    """Outcome of checking one code."""

    value: str  # normalised form (upper case, half-width, no spaces)
    valid: bool  # check character (and shape) correct
    normalised: bool  # the raw text differed from `value` (lower case, full-width, spaces)
    reason: str = ""  # Chinese explanation when not valid
    old_form: bool = False  # 15-digit ID number (no check character)


def _normalise(raw: object) -> tuple[str, bool]:
    text = "" if raw is None else str(raw)
    norm = unicodedata.normalize("NFKC", text)
    norm = "".join(norm.split()).upper()
    return norm, norm != text.strip() or text != text.strip()


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a credit code."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def check_uscc(raw: object) -> CodeCheck:
    """Check a unified social credit code (GB 32100-2015)."""
    value, changed = _normalise(raw)
    if len(value) != 18:
        return CodeCheck(value, False, changed, f"长度应为18位，实际{len(value)}位")
    bad = [c for c in value[:17] if c not in USCC_ALPHABET]
    if bad:
        return CodeCheck(value, False, changed, f"含非法字符“{bad[0]}”（不得含I、O、S、V、Z）")
    expected = uscc_check_char(value[:17])
    if value[17] != expected:
        return CodeCheck(value, False, changed, f"校验位错误（应为{expected}）")
    return CodeCheck(value, True, changed)


def id_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits of an ID number."""
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def check_idno(raw: object) -> CodeCheck:
    """Check a citizen identity number (GB 11643-1999); 15-digit numbers are the old form."""
    value, changed = _normalise(raw)
    if len(value) == 15 and value.isdigit():
        return CodeCheck(value, True, changed, "15位旧身份证号，无校验位", old_form=True)
    if len(value) != 18:
        return CodeCheck(value, False, changed, f"长度应为18位，实际{len(value)}位")
    if not value[:17].isdigit() or value[17] not in "0123456789X":
        return CodeCheck(value, False, changed, "前17位应为数字，末位为数字或X")
    expected = id_check_char(value[:17])
    if value[17] != expected:
        return CodeCheck(value, False, changed, f"校验位错误（应为{expected}）")
    return CodeCheck(value, True, changed)


def make_uscc(first17: str) -> str:
    """Complete 17 characters into a valid credit code (used by the sample generator)."""
    return first17 + uscc_check_char(first17)


def make_idno(first17: str) -> str:
    """Complete 17 digits into a valid ID number (used by the sample generator)."""
    return first17 + id_check_char(first17)


def mask_idno(value: str) -> str:
    """Masked ID number for public outputs: 3601**********123X."""
    v = str(value)
    if len(v) <= 8:
        return "*" * len(v)
    return v[:4] + "*" * (len(v) - 8) + v[-4:]


def mask_phone(value: str) -> str:
    """Masked phone number for public outputs: 138****5678."""
    v = str(value)
    if len(v) < 7:
        return "*" * len(v)
    return v[:3] + "*" * (len(v) - 7) + v[-4:]


def mask_name(value: str) -> str:
    """Masked personal name: 张*、欧阳**."""
    v = str(value)
    return v[:1] + "*" * max(len(v) - 1, 1) if v else v
