"""Write notebooks/city_day.ipynb and notebooks/province_day.ipynb from the cell sources
below (no outputs, stable ids).

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
    ("code", "parameters", 'city = "南昌"\ndate = ""  # YYYY-MM-DD；空则取收件箱中最新一天\ninbox = ""  # 空则使用内置样例收件箱\nout_dir = ""  # 由 invoke daily 注入\ncache = ""  # 由 invoke daily 注入：输出根目录（其 cache/ 中保存各日清洗结果，加快运行，结果不变）\nfooter = {}  # 由 invoke daily 注入：填表人、审核人、联系电话、报送时间（--filler 等选项），空则取表L和截止时间'),
    ("code", "setup", "from pathlib import Path\n\nimport pandas as pd\n\nfrom yonggong import match, paths, pipeline, products, selfcheck\nfrom yonggong import notebook as nb\n\npd.set_option(\"display.max_columns\", 40)\ninbox_root = Path(inbox) if inbox else paths.SAMPLE_INBOX"),
    ("md", "h-load", "## 1. 读取与识别\n\n按表头识别每个工作表属于哪张表（A–M），不依赖文件名。"),
    ("code", "load", "cd = pipeline.load(inbox_root, city, date or None, cache=cache or None)\nnb.sheet_table(cd)"),
    ("md", "h-quality", "## 2. 数据质量\n\n错误行不计入报表，警告行计入。明细见《数据质量报告》。"),
    ("code", "quality", "nb.quality_summary(cd)"),
    ("md", "h-ledger", "## 3. 企业台账（五清）\n\n清单内每家重点企业一行；未报当日台账的沿用最近一期（最多若干天），超期为未报送。"),
    ("code", "ledger", "nb.ledger_overview(cd)"),
    ("md", "h-figures", "## 4. 汇总表数据"),
    ("code", "figures", "nb.figures_table(cd)"),
    ("md", "h-trend", "## 5. 近7日趋势（合计）"),
    ("code", "trend", "nb.trend_table(cd)"),
    ("md", "h-act", "## 6. 从数据到行动\n\n精准推送、余缺调剂、专车专列、培训缺口、招聘专区；名单只写入 restricted/，本页只显示计数。"),
    ("code", "act", "acts = match.city_day(cd)\nmatch.summary(acts)"),
    ("md", "h-write", "## 7. 写出报送材料\n\n汇总表、附件3、工作简报、数据质量报告、台账；含个人信息的名单只写入 restricted/，本页不显示。"),
    ("code", "write", "written = products.write_all(cd, out_dir, acts=acts, footer=footer) if out_dir else []\nnb.file_list(written)"),
    ("md", "h-selfcheck", "## 8. 自检\n\n从磁盘读回汇总表、工作简报和附件3，逐项与汇总数据核对（显示的每个数字）；"
     "有不符则本次运行失败，上一次的成功结果保持不变，结果记入 manifest.json 的“自检”。"),
    ("code", "selfcheck", "selfcheck.city(cd, out_dir) if out_dir else None"),
]

PROVINCE_DAY = [
    ("md", "title", "# 重点企业用工调度：全省汇总\n\n"
     "本笔记由 `invoke province --date=…`（或 `invoke all`）以 papermill 执行，执行后的副本即运行记录。"
     "所有计算在 `yonggong.province` 中完成，本页只设置参数、调用函数并展示结果。"),
    ("code", "parameters", 'date = ""  # YYYY-MM-DD；空则取省级收件箱中最新一天\n'
     'inbox = ""  # 空则使用内置样例收件箱；各市报送的文件在 <inbox>/province/<日期>/\n'
     'source = "auto"  # inbox：省级收件箱；outputs：本机各市输出；auto：有省级收件文件夹则用之\n'
     'outputs = ""  # 本机输出目录（outputs 来源及前一日省级汇总），空则为 outputs/\n'
     'failures = {}  # 本机运行失败的设区市及原因（由 invoke all 注入）\n'
     'out_dir = ""  # 由 invoke province 注入\n'
     'cache = ""  # 由 invoke province 注入：输出根目录（其 cache/省/ 中保存各日联络人和通过审核的合计行，结果不变）'),
    ("code", "setup", "import pandas as pd\n\nfrom yonggong import notebook as nb\nfrom yonggong import province\n\n"
     "pd.set_option(\"display.max_columns\", 40)\npd.set_option(\"display.max_colwidth\", 80)"),
    ("md", "h-intake", "## 1. 收到的文件\n\n按版式识别汇总表，按文件内的填报单位确定设区市（不看文件名）；"
     "版式不符、数据截至日期不对的文件退回。"),
    ("code", "load", "pday = province.load(date or None, inbox or None, source=source, outputs=outputs or None,\n"
     "                     failures=failures, cache=cache or None)\npday.files"),
    ("md", "h-completeness", "## 2. 报送情况\n\n截止时间以前收到为按时；收到时间取收件登记，没有登记的取文件修改时间。"),
    ("code", "rates", "province.rates_table(pday)"),
    ("code", "completeness", "pday.completeness"),
    ("md", "h-problems", "## 3. 审核问题\n\n退回的文件不计入全省合计；提醒项需跟进核实。"),
    ("code", "problems", "pday.problems"),
    ("md", "h-chase", "## 4. 催报名单\n\n联系电话见汇总表“催报名单”工作表。"),
    ("code", "chase", "province.chase_public(pday)"),
    ("md", "h-compare", "## 5. 逐日对比：需跟进的变化"),
    ("code", "compare", "province.flagged_changes(pday)"),
    ("md", "h-figures", "## 6. 全省汇总表数据"),
    ("code", "figures", "province.figures_table(pday)"),
    ("md", "h-write", "## 7. 写出"),
    ("code", "write", "written = province.write_all(pday, out_dir) if out_dir else []\nnb.file_list(written)"),
    ("md", "h-selfcheck", "## 8. 自检\n\n读回写出的汇总表和工作简报，逐项核对汇总数据、全省合计和报送状态；"
     "自检未通过则本次运行失败，上一次的成功结果不变。"),
    ("code", "selfcheck", "province.self_check(pday, out_dir) if out_dir else \"自检：未写出文件，未运行\""),
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


NOTEBOOKS = {"city_day.ipynb": CITY_DAY, "province_day.ipynb": PROVINCE_DAY}


def main() -> None:
    for name, cells in NOTEBOOKS.items():
        path = ROOT / "notebooks" / name
        nbformat.write(build(cells), str(path))
        print(path)


if __name__ == "__main__":
    main()
