"""How the foreign files of tests/data were made (run once by hand; the tests read the results).

    python tests/data/make_corpus.py        # needs LibreOffice (soffice) on PATH

Source workbooks are written with openpyxl, then LibreOffice converts or re-saves them, so each
committed file is as LibreOffice writes it:

* libreoffice_day.ods / libreoffice_day.xls — a 南昌 day (sheets 清单 = A, 台账 = B, 空岗 = C;
  B's 2020-02-24 rows of enterprises 1–3), converted to OpenDocument and Excel 97–2003.
* libreoffice_errors.xlsx — table B whose 员工总数, 产能恢复率 and 企业名称 cells are formulas
  giving #DIV/0!, #N/A and #VALUE!; LibreOffice computes them and stores them as Excel error
  cells (t="e"); libreoffice_errors.xls and libreoffice_errors.ods are the same converted to
  Excel 97–2003 (error cells as FORMULA records with an error result) and OpenDocument (cells of
  calcext:value-type="error").
* libreoffice_hidden_stray.xls — table B on a visible sheet, a stale copy of it on a hidden
  sheet, and a stray "x" at IV65536 (the last cell of an .xls sheet).
* libreoffice_stray.ods — table B with a stray "x" at AZ1048576 (LibreOffice writes the empty
  rows and columns between as repeats).
* google_sheets_style.csv — written by this script in the form of a Google Sheets "Download →
  CSV" (UTF-8 without BOM, CRLF line ends, quotes only where needed); not an export made by
  Google itself (no network here).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent.parent / "lib"))

from builders import A_HEADER, B_HEADER, C_HEADER, ledger_rows, list_rows, uscc  # noqa: E402
from openpyxl import Workbook  # noqa: E402

DAY = "2020-02-24"


def soffice(src: Path, fmt: str, out: Path, work: Path) -> Path:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run([exe, f"-env:UserInstallation=file://{work}/lo", "--headless", "--convert-to", fmt,
                    "--outdir", str(out), str(src)], check=True, capture_output=True, timeout=300)
    return out / f"{src.stem}.{fmt.split(':')[0]}"


def day_book(path: Path) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in (("清单", [A_HEADER, *list_rows(3)]), ("台账", [B_HEADER, *ledger_rows(3, DAY)]),
                        ("空岗", [C_HEADER, [uscc(1), "普工", 6, "普工", "无"], [uscc(2), "电工", 4, "技工", "中级工"]])):
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


def errors_book(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(B_HEADER)
    rows = ledger_rows(3, DAY)
    rows[0][3] = "=1/0"  # 员工总数 #DIV/0!
    rows[1][7] = "=NA()"  # 产能恢复率 #N/A
    rows[2][1] = '="企业"+1'  # 企业名称 #VALUE!
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def hidden_stray_book(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    for r in [B_HEADER, *ledger_rows(3, DAY, shortage=10)]:
        ws.append(r)
    ws["IV65536"] = "x"
    old = wb.create_sheet("台账(旧)")
    for r in [B_HEADER, *ledger_rows(3, DAY, shortage=99)]:
        old.append(r)
    old.sheet_state = "hidden"
    wb.save(path)
    return path


def stray_book(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    for r in [B_HEADER, *ledger_rows(3, DAY)]:
        ws.append(r)
    ws["AZ1048576"] = "x"
    wb.save(path)
    return path


def google_csv(path: Path) -> Path:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(B_HEADER)
    for r in ledger_rows(3, DAY):
        w.writerow(["" if v is None else v for v in r])
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return path


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        src = work / "src"
        src.mkdir()
        out = work / "out"
        made = [
            (soffice(day_book(src / "libreoffice_day.xlsx"), "ods", out, work), "libreoffice_day.ods"),
            (soffice(src / "libreoffice_day.xlsx", "xls", out, work), "libreoffice_day.xls"),
            (soffice(errors_book(src / "libreoffice_errors.xlsx"), "xlsx", out, work), "libreoffice_errors.xlsx"),
            (soffice(src / "libreoffice_errors.xlsx", "xls", out, work), "libreoffice_errors.xls"),
            (soffice(src / "libreoffice_errors.xlsx", "ods", out, work), "libreoffice_errors.ods"),
            (soffice(hidden_stray_book(src / "libreoffice_hidden_stray.xlsx"), "xls", out, work),
             "libreoffice_hidden_stray.xls"),
            (soffice(stray_book(src / "libreoffice_stray.xlsx"), "ods", out, work), "libreoffice_stray.ods"),
        ]
        for path, name in made:
            shutil.copyfile(path, HERE / name)
    google_csv(HERE / "google_sheets_style.csv")


if __name__ == "__main__":
    main()
