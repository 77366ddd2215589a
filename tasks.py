"""invoke tasks: the analyst's and the developer's commands.

    invoke daily --city=南昌 [--date=2020-02-24] [--inbox=PATH] [--out=PATH] [--force]
    invoke sample            regenerate the bundled sample inbox
    invoke test              run the whole test suite

Messages are Chinese for the analyst; a bad command ends with exit code 2.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from invoke import Exit, task

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "lib"))  # works even before `pip install -e .`


def _fail(exc) -> Exit:
    return Exit(f"错误：{exc.message if hasattr(exc, 'message') else exc}", code=getattr(exc, "exit_code", 1))


@task(help={
    "city": "设区市：南昌、南昌市或360100 (city: short name, full name or code)",
    "date": "报表日期 YYYY-MM-DD，默认收件箱中最新一天 (report day; default newest in inbox)",
    "inbox": "收件箱目录，默认内置样例 (inbox folder; default the bundled sample)",
    "out": "输出目录，默认 outputs/ (outputs folder)",
    "force": "即使已是最新也重新运行 (rerun even if up to date)",
})
def daily(c, city, date=None, inbox=None, out=None, force=False):
    """生成一个设区市一天的报送材料 / Run one city day: clean, figures, xlsx, manifest."""
    from yonggong.errors import YonggongError
    from yonggong.run import run_city_day

    try:
        res = run_city_day(city, date, inbox, out, force=force)
    except YonggongError as exc:
        raise _fail(exc) from None
    print(f"{res.city.full_name} {res.day}：{res.status}，输出目录 {res.out_dir}")
    for entry in res.manifest["outputs"]:
        print(f"  {entry['path']}")


@task(help={"out": "样例收件箱目录，默认 sample_inbox/ (target folder)"})
def sample(c, out=None):
    """重新生成内置样例收件箱 / Regenerate the bundled synthetic sample inbox (deterministic)."""
    from yonggong import paths
    from yonggong.sample import generate

    target = Path(out) if out else paths.SAMPLE_INBOX
    summary = generate(target)
    print(f"样例收件箱已生成：{target}")
    for key, value in summary.items():
        print(f"  {key}: {value}")


@task(help={
    "city": "设区市 (city)",
    "date": "日期 YYYY-MM-DD，默认收件箱中最新一天 (day; default newest)",
    "inbox": "收件箱目录 (inbox folder)",
    "out": "输出目录，默认 outputs/ (outputs folder)",
})
def roster(c, city, date=None, inbox=None, out=None):
    """生成附件1 领导小组及联络员名单 / Write 附件1 (leading group and liaisons) from table L."""
    from yonggong import paths
    from yonggong.errors import YonggongError
    from yonggong.pipeline import resolve_day
    from yonggong.reference import resolve_city
    from yonggong.roster import newest_liaisons, write_roster

    try:
        city_obj = resolve_city(city)
        inbox_root = Path(inbox) if inbox else paths.SAMPLE_INBOX
        day = resolve_day(inbox_root, city_obj, date)
        sent, df = newest_liaisons(inbox_root, city_obj, day)
    except YonggongError as exc:
        raise _fail(exc) from None
    target = (Path(out) if out else paths.OUTPUTS) / "roster" / city_obj.name
    path = target / f"附件1_领导小组及联络员名单_{city_obj.name}_{day.strftime('%Y%m%d')}.xlsx"
    write_roster(path, city_obj, df)
    print(f"已生成附件1（表L报送于{sent}，{len(df)}人）：{path}")


@task(help={
    "out": "输出目录，默认 outputs/templates (folder)",
    "city": "设区市：给县区列加下拉列表 (city: adds a county drop-down)",
})
def templates(c, out=None, city=None):
    """生成各表空白填报模板 / Write an empty fill-in workbook per table A–M."""
    from yonggong import paths
    from yonggong.errors import YonggongError
    from yonggong.fillin import write_templates
    from yonggong.reference import resolve_city

    try:
        city_obj = resolve_city(city) if city else None
    except YonggongError as exc:
        raise _fail(exc) from None
    target = Path(out) if out else paths.OUTPUTS / "templates"
    for p in write_templates(target, city_obj):
        print(f"  {p}")


@task(help={"args": "传给 pytest 的参数 (extra pytest arguments)"})
def test(c, args=""):
    """运行全部测试 / Run the whole test suite (pytest)."""
    cmd = [sys.executable, "-m", "pytest", *args.split()]
    env = dict(os.environ, PYTHONUTF8="1")
    code = subprocess.call(cmd, cwd=ROOT, env=env)
    if code:
        raise Exit(code=code)


@task
def lint(c):
    """代码检查 / Lint with ruff."""
    code = subprocess.call([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT)
    if code:
        raise Exit(code=code)
