"""The bounded in-process memo (yonggong.memo): least recently used out first."""

from __future__ import annotations

from yonggong.memo import Memo, folder_stamp


def test_the_least_recently_used_entry_goes_first_and_a_found_one_is_kept():
    m = Memo(2)
    made = []
    assert m.get("a", lambda: made.append("a") or 1) == 1
    m.put("b", 2)
    assert m.find("a") == 1  # a is now the most recently used
    m.put("c", 3)  # b goes
    assert m.find("b") is None and m.find("a") == 1 and m.find("c") == 3
    assert m.get("a", lambda: made.append("a again") or 9) == 1
    assert made == ["a"]
    m.clear()
    assert m.find("a") is None and m.find("c") is None


def test_a_folder_stamp_changes_with_a_file_s_size_or_time_and_ignores_folders(tmp_path):
    (tmp_path / "A.csv").write_text("x", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    first = folder_stamp(tmp_path)
    assert [s[0] for s in first] == ["A.csv"]
    (tmp_path / "A.csv").write_text("xy", encoding="utf-8")
    assert folder_stamp(tmp_path) != first
