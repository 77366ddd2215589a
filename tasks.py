"""invoke tasks: the analyst's and the developer's commands.

    invoke daily --city=南昌 [--date=2020-02-24] [--inbox=PATH] [--out=PATH] [--force] [--pdf]
    invoke province [--date=2020-02-26] [--inbox=PATH] [--out=PATH] [--from-outputs] [--force] [--pdf]
    invoke week --city=南昌 | --province [--end=2020-03-01] [--out=PATH] [--pdf]
    invoke all [--date=2020-02-26] [--inbox=PATH] [--out=PATH] [--force]
    invoke sample            regenerate the bundled sample inbox (cities and province)
    invoke lab [--port=8888] [--browser]   JupyterLab on notebooks/ (localhost)
    invoke bench [--quick]   the benchmark (outputs/bench/bench.json)
    invoke pages             every city-day of the sample week rendered and measured (.ci/run)
    invoke test              run the whole test suite
    invoke mutation          mutation test of figures/ledger/indicators against the fast tests

Messages are Chinese for the analyst; a bad command (or an outputs folder that cannot be
written) ends with exit code 2, a held lock with 3, Ctrl-C with "已中断" and exit code 130.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from invoke import Exit, task

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "lib"))  # works even before `pip install -e .`


def _sample_times() -> None:
    """git does not keep modification times: put the bundled sample's back (the newest-file rules
    use them) before a command that may read it; nothing happens at import (``invoke --list``)."""
    from yonggong.synth import sample_mtimes

    sample_mtimes.restore(ROOT / "sample_inbox")


def _fail(exc) -> Exit:
    from yonggong.errors import Interrupted

    message = exc.message if hasattr(exc, "message") else str(exc)
    if isinstance(exc, Interrupted):
        return Exit(message, code=exc.exit_code)
    return Exit(f"错误：{message}", code=getattr(exc, "exit_code", 1))


def _guarded(body):
    """Run a command's body: the package's errors become one Chinese message and their exit
    code; Ctrl-C becomes "已中断" and exit code 130 (never a traceback)."""
    from yonggong.errors import Interrupted, YonggongError
    from yonggong.run import interrupt_once

    try:
        with interrupt_once():
            return body()
    except YonggongError as exc:
        raise _fail(exc) from None
    except KeyboardInterrupt:
        raise _fail(Interrupted()) from None


def _export_pdfs(export) -> None:
    """``--pdf``: make the PDFs of the published day (yonggong.pdf) and say what was written, or
    what to install; a missing program or a failed conversion does not fail the command."""
    for line in _guarded(export).lines():
        print(line)


@task(help={
    "city": "设区市：南昌、南昌市或360100 (city: short name, full name or code)",
    "date": "报表日期 YYYY-MM-DD，默认收件箱中最新一天 (report day; default newest in inbox)",
    "inbox": "收件箱目录，默认内置样例 (inbox folder; default the bundled sample)",
    "out": "输出目录，默认 outputs/ (outputs folder)",
    "force": "即使已是最新也重新运行 (rerun even if up to date)",
    "filler": "汇总表表尾“填表人”，默认取表L的联络员 (footer: filled in by)",
    "reviewer": "汇总表表尾“审核人”，默认取表L的组长 (footer: checked by)",
    "phone": "汇总表表尾“联系电话”，默认取联络员办公电话 (footer: phone)",
    "submitted": "汇总表表尾“报送时间”，写成 时:分，如 14:30；默认为当日截止时间 (footer: time filed)",
    "pdf": "另生成汇总表、附件3、工作简报的 PDF，供打印（需 LibreOffice 和 Chromium/Chrome/Edge）"
           "(also write PDFs of the 汇总表, 附件3 and brief)",
})
def daily(c, city, date=None, inbox=None, out=None, force=False, filler=None, reviewer=None, phone=None,
          submitted=None, pdf=False):
    """生成一个设区市一天的报送材料 / Run one city day: clean, figures, xlsx, manifest."""
    _sample_times()
    from yonggong.run import run_city_day

    footer = {"filler": filler, "reviewer": reviewer, "phone": phone, "submitted": submitted}
    res = _guarded(lambda: run_city_day(city, date, inbox, out, force=force, footer=footer))
    print(f"{res.city.full_name} {res.day}：{res.status}，输出目录 {res.out_dir}")
    for entry in res.manifest["outputs"]:
        print(f"  {entry['path']}")
    if pdf:
        from yonggong.pdf import export_city_day

        _export_pdfs(lambda: export_city_day(res.out_dir, res.city.name, res.day,
                                             f"{res.city.full_name} {res.day}"))


@task(help={"out": "样例收件箱目录，默认 sample_inbox/ (target folder)"})
def sample(c, out=None):
    """重新生成内置样例收件箱（各市及省级收件）/ Regenerate the bundled sample inbox (deterministic)."""
    from yonggong import paths
    from yonggong.synth import sample_mtimes, sample_province
    from yonggong.synth.sample import generate

    _sample_times()
    target = Path(out) if out else paths.SAMPLE_INBOX
    summary = generate(target)
    print(f"样例收件箱已生成：{target}")
    for key, value in summary.items():
        print(f"  {key}: {value}")
    prov = sample_province.generate(target)
    print(f"省级收件箱已生成：{target / sample_province.FOLDER}")
    for key, value in prov.items():
        print(f"  {key}: {value}")
    print(f"  记录文件修改时间：{sample_mtimes.record(target)} 个文件（{sample_mtimes.FILE}）")


def _print_province(res) -> None:
    from yonggong.province.write import read_completeness

    source = "省级收件箱" if res.source == "inbox" else "本机各市输出"
    print(f"江西省 {res.day}：{res.status}（来源：{source}），输出目录 {res.out_dir}")
    for entry in res.manifest["outputs"]:
        print(f"  {entry['path']}")
    table = read_completeness(res.workbook)
    counts = table["状态"].value_counts()
    print("报送情况：" + "，".join(f"{k}{int(counts.get(k, 0))}个" for k in ("按时", "迟报", "退回", "未报送")))
    for _, row in table[table["状态"] != "按时"].iterrows():
        extra = f"（{row['迟报时长']}）" if row["迟报时长"] else ""
        print(f"  {row['设区市']} {row['状态']}{extra} {row['问题']}".rstrip())


@task(help={
    "date": "报表日期 YYYY-MM-DD，默认省级收件箱中最新一天 (report day)",
    "inbox": "收件箱目录，默认内置样例；各市报送的文件在 <inbox>/province/<日期>/ (inbox folder)",
    "out": "输出目录，默认 outputs/ (outputs folder)",
    "from_outputs": "取本机已生成的各市汇总表，而不是省级收件箱 (use this machine's city outputs)",
    "force": "即使已是最新也重新运行 (rerun even if up to date)",
    "pdf": "另生成全省汇总表和工作简报的 PDF，供打印（需 LibreOffice 和 Chromium/Chrome/Edge）"
           "(also write PDFs of the roll-up and brief)",
})
def province(c, date=None, inbox=None, out=None, from_outputs=False, force=False, pdf=False):
    """全省汇总：审核各市报送、报送情况、催报名单、逐日对比 / Run the province day."""
    _sample_times()
    from yonggong.province.runs import run_province

    res = _guarded(lambda: run_province(date, inbox, out, source="outputs" if from_outputs else "auto",
                                        force=force))
    _print_province(res)
    if pdf:
        from yonggong.pdf import export_province_day

        _export_pdfs(lambda: export_province_day(res.out_dir, res.day))


@task(help={
    "city": "设区市：南昌、南昌市或360100（不写且加 --province 时为全省）(city)",
    "province": "全省周报（读各日全省汇总）(the province's week)",
    "end": "周报截止日 YYYY-MM-DD，默认最新一个已发布的日报日 (last report day of the week)",
    "out": "输出目录，默认 outputs/（读其中的日报结果，周报写到 outputs/week/）(outputs folder)",
    "pdf": "另生成周报的 PDF，供打印（需 Chromium/Chrome/Edge）(also write the brief as PDF)",
})
def week(c, city=None, province=False, end=None, out=None, pdf=False):
    """生成周报（近7个报告日）/ Write the week's report (HTML brief and xlsx) from published days."""
    from yonggong.errors import UserError
    from yonggong.week import run_week

    if bool(city) == bool(province):
        raise _fail(UserError("请用 --city=南昌 指定设区市，或用 --province 生成全省周报（二者选一）"))
    wk, written = _guarded(lambda: run_week(None if province else city, end, out))
    print(f"{wk.full_name}周报（{wk.days[0]} 至 {wk.end}）：已生成")
    if wk.missing:
        print(f"  注意：{'、'.join(d.isoformat() for d in wk.missing)} 没有已发布的日报结果，周报中已注明")
    for path in written:
        print(f"  {path}")
    if pdf:
        from yonggong import catalogue
        from yonggong.pdf import export_day

        _export_pdfs(lambda: export_day(written[0].parent, catalogue.names("week", wk.name, wk.end), ["week_html"]))


@task(name="all", help={
    "date": "报表日期 YYYY-MM-DD，默认收件箱中最新一天 (report day)",
    "inbox": "收件箱目录，默认内置样例 (inbox folder)",
    "out": "输出目录，默认 outputs/ (outputs folder)",
    "from_outputs": "省级汇总只取本机各市输出，即使有省级收件文件夹 (province from this machine's outputs)",
    "force": "即使已是最新也重新运行 (rerun even if up to date)",
    "workers": "并行进程数，默认 CPU 核数 (parallel processes; default the core count)",
})
def all_(c, date=None, inbox=None, out=None, from_outputs=False, force=False, workers=None):
    """11个设区市日报并行运行，然后全省汇总 / Run all 11 city days in parallel, then the province."""
    _sample_times()
    from yonggong import paths
    from yonggong.allcities import run_all
    from yonggong.outdir import check_out_folder

    def body():
        check_out_folder(Path(out) if out else paths.OUTPUTS)  # one message for an unusable --out, not one per city
        return run_all(date, inbox, out, force=force, workers=int(workers) if workers else None,
                       echo=lambda line: print(line, flush=True),
                       source="outputs" if from_outputs else "auto")

    result = _guarded(body)
    from yonggong.allcities import summary_lines

    print()
    for line in summary_lines(result):
        print(line)


@task(help={
    "city": "设区市 (city)",
    "date": "日期 YYYY-MM-DD，默认收件箱中最新一天 (day; default newest)",
    "inbox": "收件箱目录 (inbox folder)",
    "out": "输出目录，默认 outputs/ (outputs folder)",
})
def roster(c, city, date=None, inbox=None, out=None):
    """生成附件1 领导小组及联络员名单 / Write 附件1 (leading group and liaisons) from table L."""
    _sample_times()
    from yonggong.roster import run_roster

    path, sent, n = _guarded(lambda: run_roster(city, date, inbox, out))
    print(f"已生成附件1（表L报送于{sent}，{n}人）：{path}")


@task(help={
    "out": "输出目录，默认 outputs/templates (folder)",
    "city": "设区市：给县区列加下拉列表 (city: adds a county drop-down)",
})
def templates(c, out=None, city=None):
    """生成各表空白填报模板 / Write an empty fill-in workbook per table A–M."""
    from yonggong.fillin import run_templates

    for p in _guarded(lambda: run_templates(out, city)):
        print(f"  {p}")


PARALLEL = ["-n", "auto", "--dist", "loadfile", "--no-loadscope-reorder"]  # LONGEST_FIRST (tests/conftest.py) decides the order


@task(help={"args": "传给 pytest 的参数 (extra pytest arguments)",
               "fast": "只运行单元测试层，约1分钟 (unit layer only)",
               "long": "只运行长时检查（基准测试快速模式，约2分钟；.ci/run 运行）(the long checks only)"})
def test(c, args="", fast=False, long=False):
    """运行全部测试；--fast 只运行单元测试（不运行笔记本、命令行、浏览器、LibreOffice）；--long 只运行长时检查 / Run the tests."""
    extra = args.split()
    # one pytest worker per core (pytest-xdist), each test file whole on one worker so that its
    # module fixtures are built once; `--args="-n 0"` runs in one process (e.g. with -x or --pdb)
    workers = [] if any(a == "-n" or a.startswith(("-n", "--numprocesses")) for a in extra) else PARALLEL
    cmd = [sys.executable, "-m", "pytest", *workers, *(["--fast"] if fast else []), *(["--long"] if long else []),
           *extra]
    # compiled bytecode kept under .venv/ (not beside the sources), also where the environment
    # says not to write it: every worker, `invoke` subprocess and kernel of a run would otherwise
    # compile the package and rewrite the test modules again (~8 s a worker at collection)
    env = dict(os.environ, PYTHONUTF8="1", PYTHONPYCACHEPREFIX=str(ROOT / ".venv" / "pycache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    code = subprocess.call(cmd, cwd=ROOT, env=env)
    if code:
        raise Exit(code=code)


@task(help={
    "port": "端口，默认 8888 起第一个空闲端口 (port; default the first free one from 8888)",
    "browser": "同时打开浏览器 (also open a web browser)",
})
def lab(c, port=None, browser=False):
    """启动 JupyterLab（notebooks/，仅本机访问）/ Start JupyterLab on notebooks/ (localhost, project kernel)."""
    _sample_times()
    from yonggong.lab import start

    code = _guarded(lambda: start(int(port) if port else None, open_browser=browser))
    if code:
        raise Exit(code=code)


@task(help={
    "out": "结果目录，默认 outputs/bench (results folder)",
    "quick": "小规模快速试跑（S4 约百分之一规模，跳过 S3）(small smoke run)",
})
def bench(c, out=None, quick=False):
    """性能基准：开销比、增量重跑、全省并行、省级规模 / Benchmark S1–S4, ratios measured in one run."""
    _sample_times()
    from yonggong import paths
    from yonggong.synth.bench import main

    main(Path(out) if out else paths.OUTPUTS / "bench", quick=quick)


@task(help={"out": "输出目录，默认临时目录 (outputs folder; default a temporary one)"})
def pages(c, out=None):
    """排版检查：样例一周每个市日的汇总表、附件3、工作简报、专区页（页数、手机宽度、行高）/ Render and measure every city-day."""
    _sample_times()
    import tempfile

    from yonggong import paths
    from yonggong.allcities import run_all
    from yonggong.days import day_folders
    from yonggong.reference import cities

    sys.path.insert(0, str(ROOT / "tests"))
    import pages as measure  # tests/pages.py (LibreOffice, Chromium)

    days = sorted({d for city in cities() for d in day_folders(paths.SAMPLE_INBOX, city)})

    def body(root: Path) -> int:
        for day in days:
            run_all(day, paths.SAMPLE_INBOX, root, echo=lambda _line: None)
            print(f"{day}：已生成 11 个设区市的报表")
        return measure.main(root)

    if out:
        code = _guarded(lambda: body(Path(out)))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            code = _guarded(lambda: body(Path(tmp)))
    if code:
        raise Exit("排版检查未通过", code=1)


@task
def screenshots(c):
    """重新生成 README 中的截图（样例：南昌附件3、工作简报第1页、省级逐日对比）/ Regenerate docs/img/ screenshots.

    南昌's products and the province roll-up for the sample's last day are written to a temporary
    folder, printed as a reader gets them (LibreOffice and Chromium to PDF) and page 1 of each is
    saved as PNG under docs/img/ (pdftoppm, poppler-utils). Needs soffice, chromium and pdftoppm.
    """
    _sample_times()
    import tempfile

    from yonggong import match, paths, pipeline, products, province
    from yonggong.days import day_folders
    from yonggong.reference import resolve_city

    sys.path.insert(0, str(ROOT / "tests"))
    import pages as measure  # tests/pages.py (LibreOffice, Chromium)
    from chromium import Browser

    city = resolve_city("南昌")
    day = max(day_folders(paths.SAMPLE_INBOX, city))

    def body(root: Path) -> int:
        cd = pipeline.load(paths.SAMPLE_INBOX, city.name, day)
        folder = root / "city"
        products.write_all(cd, folder, acts=match.city_day(cd))
        pday = province.day.load(day, paths.SAMPLE_INBOX, outputs=root / "outputs")
        written = province.write.write_all(pday, root / "province")
        workbook = next(p for p in written if p.suffix == ".xlsx")
        browser = Browser(root / "profile")
        try:
            shots = measure.screenshots(folder, workbook, province.common.SHEETS["comparison"], browser,
                                        ROOT / "docs" / "img", root / "work")
        finally:
            browser.close()
        for shot in shots:
            print(f"已生成：{shot.relative_to(ROOT)}")
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        _guarded(lambda: body(Path(tmp)))


@task(help={"max_children": "并行进程数 (parallel workers), 默认 CPU 核数"})
def mutation(c, max_children=None):
    """变异测试：对指标计算代码做变异，检验快速测试能否发现 / Mutation test (mutmut) of the figures code.

    Mutates lib/yonggong/figures.py, ledger.py and indicators.py (``[tool.mutmut]`` in
    pyproject.toml; run in a staged copy of the tree under outputs/mutation/stage/) and runs
    tests/test_figures.py, tests/test_ledger.py and tests/test_indicators.py against every mutant;
    prints the kill rate and the survivors (recorded with reasons in docs/mutation.md). Takes
    minutes; not part of ``invoke test``.
    """
    _sample_times()
    import json
    import re
    import shutil

    out = ROOT / "outputs" / "mutation"
    stage = out / "stage"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".hypothesis")
    shutil.copytree(ROOT / "lib", stage / "src", ignore=ignore)
    for name in ("params", "tests", "sample_inbox", "notebooks"):
        shutil.copytree(ROOT / name, stage / name, ignore=ignore)
    shutil.copy2(ROOT / "pyproject.toml", stage / "pyproject.toml")
    env = dict(os.environ, PYTHONUTF8="1")
    env.pop("YONGGONG_PARAMS", None)
    cmd = [sys.executable, "-m", "mutmut", "run"]
    if max_children:
        cmd += ["--max-children", str(max_children)]
    # mutmut runs, for a mutant of a function, the tests that called that function while its call
    # statistics were collected. The fast tests share module-scoped fixtures (one load of a small
    # inbox), so only the first test of a module would be linked: collect the statistics first,
    # link every test of the selection to every mutated function, then run the mutants.
    subprocess.call([*cmd, "__statistics_only__"], cwd=stage, env=env)
    stats_path = stage / "mutants" / "mutmut-stats.json"
    stats = json.loads(stats_path.read_text(encoding="utf-8"))
    links = stats["tests_by_mangled_function_name"]
    ours = [k for k in links if k.startswith(("yonggong.figures.", "yonggong.ledger.", "yonggong.indicators."))]
    every = sorted(stats["duration_by_test"])  # every test of the selection that ran
    for k in ours:
        links[k] = every
    stats_path.write_text(json.dumps(stats), encoding="utf-8")
    subprocess.call(cmd, cwd=stage, env=env)
    res = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"], cwd=stage, env=env,
                         capture_output=True, text=True, encoding="utf-8")
    lines = [ln.strip() for ln in res.stdout.splitlines() if ":" in ln]
    status = [ln.rsplit(":", 1)[1].strip() for ln in lines]
    killed, survived = status.count("killed"), status.count("survived")
    other = len(status) - killed - survived
    (out / "results.txt").write_text(res.stdout, encoding="utf-8")
    total = killed + survived
    rate = killed / total * 100 if total else 0.0
    print(f"变异体 {len(status)} 个：杀死 {killed}，存活 {survived}，其他 {other}（超时/无测试覆盖等）")
    print(f"{rate:.1f}% of mutants killed（存活的变异体见 outputs/mutation/results.txt，"
          "原因记录在 docs/mutation.md）")
    for ln in lines:
        if re.search(r":\s*survived$", ln):
            print("  存活：" + ln.rsplit(":", 1)[0])


@task
def lint(c):
    """代码检查 / Lint with ruff."""
    code = subprocess.call([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT)
    if code:
        raise Exit(code=code)
