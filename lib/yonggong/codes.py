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

import numpy as np

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


# ---------------------------------------------------------------------------------------------
# Whole arrays at once (big tables: returning workers, job seekers)
#
# Values already in canonical form (18 ASCII characters of the code's alphabet, no spaces, upper
# case) are checked with numpy over all of them at once; anything else (wrong length, spaces,
# full-width or lower-case characters, 15-digit ID numbers, non-text cells) goes through the
# scalar check above, so the outcome is always the same as calling it value by value.

_ID_WEIGHTS = np.array(ID_WEIGHTS, dtype=np.int32)
_ID_CHECK_BYTES = np.frombuffer(ID_CHECK.encode("ascii"), dtype=np.uint8)
_USCC_WEIGHTS = np.array(USCC_WEIGHTS, dtype=np.int32)
_USCC_BYTES = np.frombuffer(USCC_ALPHABET.encode("ascii"), dtype=np.uint8)
_USCC_INDEX = np.full(256, 255, dtype=np.uint8)  # byte -> position in the alphabet (255: not in it)
_USCC_INDEX[_USCC_BYTES] = np.arange(len(USCC_ALPHABET), dtype=np.uint8)


def _texts(values) -> list[str]:
    """Each value if it is text, else "" (which the scalar check then handles)."""
    return [v if type(v) is str else "" for v in values]


def ascii_matrix(texts: list[str], width: int) -> tuple[np.ndarray, np.ndarray]:
    """(positions of the texts that are exactly ``width`` ASCII characters, their bytes as an
    ``(n, width)`` uint8 matrix). Texts of other lengths or with non-ASCII characters are left out."""
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    pos = np.flatnonzero(lengths == width)
    if not len(pos):
        return pos, np.empty((0, width), dtype=np.uint8)
    picked = [texts[i] for i in pos.tolist()]
    joined = "".join(picked)
    data = joined.encode("utf-8")
    if len(data) != len(joined):  # some non-ASCII text of the right length: leave it out
        ascii_ = np.fromiter(map(str.isascii, picked), dtype=bool, count=len(picked))
        pos = pos[ascii_]
        data = "".join(p for p, a in zip(picked, ascii_.tolist(), strict=True) if a).encode("ascii")
    return pos, np.frombuffer(data, dtype=np.uint8).reshape(len(pos), width)


def _fill_scalar(values, rest: np.ndarray, check, out: tuple[np.ndarray, ...]) -> None:
    normalised, valid, old_form, changed = out
    for i in rest.tolist():
        res = check(values[i])
        normalised[i], valid[i], old_form[i], changed[i] = res.value, res.valid, res.old_form, res.normalised


def check_idno_array(values) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`check_idno` over a sequence of raw values at once.

    Returns four arrays aligned to ``values``: the normalised value (object), valid, old_form
    (15-digit numbers) and changed (normalisation was needed), each as :func:`check_idno`
    would give it. The reason of an invalid value is left to :func:`check_idno` (call it for
    the few invalid ones).
    """
    def fast_check(mat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        digits = mat[:, :17] - np.uint8(48)  # wraps above 9 for anything not a digit
        last = mat[:, 17]
        fast = (digits <= 9).all(axis=1) & ((last - np.uint8(48) <= 9) | (last == ord("X")))
        return fast, _ID_CHECK_BYTES[(digits[fast].astype(np.int32) @ _ID_WEIGHTS) % 11] == last[fast]

    return _check_array(values, fast_check, check_idno)


def check_uscc_array(values) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`check_uscc` over a sequence of raw values at once; the same four arrays as
    :func:`check_idno_array` (old_form is always False)."""
    def fast_check(mat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        index = _USCC_INDEX[mat]
        fast = (index != 255).all(axis=1)
        fidx = index[fast].astype(np.int32)
        return fast, (31 - (fidx[:, :17] @ _USCC_WEIGHTS) % 31) % 31 == fidx[:, 17]

    return _check_array(values, fast_check, check_uscc)


def _check_array(values, fast_check, scalar) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shared body of the array checks: values that are already 18 plain ASCII characters go
    through ``fast_check`` (matrix → (which rows it could judge, their validity)); the rest, and
    whatever it could not judge, through the scalar ``scalar`` check."""
    n = len(values)
    texts = _texts(values)
    normalised = np.empty(n, dtype=object)
    valid = np.zeros(n, dtype=bool)
    old_form = np.zeros(n, dtype=bool)
    changed = np.zeros(n, dtype=bool)
    pos, mat = ascii_matrix(texts, 18)
    fast, ok = fast_check(mat)
    fpos = pos[fast]
    valid[fpos] = ok
    normalised[fpos] = [texts[i] for i in fpos.tolist()]
    rest = np.ones(n, dtype=bool)
    rest[fpos] = False
    _fill_scalar(values, np.flatnonzero(rest), scalar, (normalised, valid, old_form, changed))
    return normalised, valid, old_form, changed


def make_idno_array(first17: list[str]) -> list[str]:
    """:func:`make_idno` for many 17-digit prefixes at once (the big-input generator)."""
    if not first17:
        return []
    mat = np.frombuffer("".join(first17).encode("ascii"), dtype=np.uint8).reshape(len(first17), 17)
    check = _ID_CHECK_BYTES[((mat - np.uint8(48)).astype(np.int32) @ _ID_WEIGHTS) % 11].tobytes().decode("ascii")
    return [p + c for p, c in zip(first17, check, strict=True)]


def make_uscc_array(first17: list[str]) -> list[str]:
    """:func:`make_uscc` for many 17-character prefixes at once."""
    if not first17:
        return []
    mat = np.frombuffer("".join(first17).encode("ascii"), dtype=np.uint8).reshape(len(first17), 17)
    total = _USCC_INDEX[mat].astype(np.int32) @ _USCC_WEIGHTS
    check = _USCC_BYTES[(31 - total % 31) % 31].tobytes().decode("ascii")
    return [p + c for p, c in zip(first17, check, strict=True)]
