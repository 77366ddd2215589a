"""Write notebooks/city_day.ipynb from the cell sources below (no outputs, stable ids).

Notebooks are committed without outputs; edit them in JupyterLab or here, then run
`python tools/make_notebooks.py`. Cell ids are fixed so the file is byte-stable.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent

CITY_DAY = [
    ("md", "title", "# 重点企业用工调度：设区市日报\n\n"
     "本笔记由 `invoke daily --city=… --date=…` 以 papermill 执行，执行后的副本即运行记录。"
     "所有计算在 `yonggong` 包中完成，本页只设置参数、调用函数并展示结果。"),
    ("code", "parameters", 'city = "南昌"\ndate = ""  # YYYY-MM-DD；空则取收件箱中最新一天\ninbox = ""  # 空则使用内置样例收件箱\nout_dir = ""  # 由 invoke daily 注入'),
    ("code", "setup", "from pathlib import Path\n\nimport pandas as pd\n\nfrom yonggong import notebook as nb\nfrom yonggong import paths, pipeline, products\n\npd.set_option(\"display.max_columns\", 40)\ninbox_root = Path(inbox) if inbox else paths.SAMPLE_INBOX"),
    ("md", "h-load", "## 1. 读取与识别\n\n按表头识别每个工作表属于哪张表（A–M），不依赖文件名。"),
    ("code", "load", "cd = pipeline.load(inbox_root, city, date or None)\nnb.sheet_table(cd)"),
    ("md", "h-quality", "## 2. 数据质量\n\n错误行不计入报表，警告行计入。明细见《数据质量报告》。"),
    ("code", "quality", "nb.quality_summary(cd)"),
    ("md", "h-ledger", "## 3. 企业台账（五清）\n\n清单内每家重点企业一行；未报当日台账的沿用最近一期（最多若干天），超期为未报送。"),
    ("code", "ledger", "nb.ledger_overview(cd)"),
    ("md", "h-figures", "## 4. 汇总表数据"),
    ("code", "figures", "nb.figures_table(cd)"),
    ("md", "h-write", "## 5. 写出报送材料"),
    ("code", "write", "written = products.write_all(cd, out_dir) if out_dir else []\nnb.file_list(written)"),
]


def build(cells) -> nbformat.NotebookNode:
    nb = new_notebook()
    for kind, cid, src in cells:
        cell = new_markdown_cell(src) if kind == "md" else new_code_cell(src)
        cell["id"] = cid
        if cid == "parameters":
            cell["metadata"]["tags"] = ["parameters"]
        nb.cells.append(cell)
    nb.metadata["kernelspec"] = {"name": "yonggong", "display_name": "yonggong (Python 3)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def main() -> None:
    path = ROOT / "notebooks" / "city_day.ipynb"
    nbformat.write(build(CITY_DAY), str(path))
    print(path)


if __name__ == "__main__":
    main()
