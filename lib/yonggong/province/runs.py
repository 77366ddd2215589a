"""Running the province day: the papermill job, lock, publish, manifest."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .. import catalogue, paths
from ..errors import UserError
from ..ingest import day_files
from ..reference import cities
from .common import NOTEBOOK, config, names
from .day import province_days, resolve_province_day, resolve_source
from .intake import city_inbox

# --------------------------------------------------------------------------- runs


def province_out_dir(out_root: Path, day: dt.date) -> Path:
    root = Path(out_root).resolve()
    target = (root / day.isoformat() / config()["folder"]).resolve()
    if root not in target.parents:
        raise UserError(f"输出路径越出输出目录：{target}")
    return target


def _entries(files: list[Path], base: Path, root: str) -> list[dict]:
    from ..manifest import file_entry

    return [dict(file_entry(p, base), root=root) for p in files]


def province_job(day=None, inbox=None, out=None, source: str = "auto", failures: dict | None = None):
    """Resolve the province day into a ``run.Job`` (UserError when there is nothing to read)."""
    from ..run import Job

    inbox = Path(inbox) if inbox else paths.SAMPLE_INBOX
    out_root = Path(out) if out else paths.OUTPUTS
    if not inbox.is_dir():
        raise UserError(f"收件箱目录不存在：{inbox}")
    day = resolve_province_day(inbox, day)
    source = resolve_source(source, inbox, day)
    failures = {str(k): str(v) for k, v in (failures or {}).items()}
    folder = inbox / "province" / day.isoformat()
    if source == "inbox" and not folder.is_dir():
        raise UserError(f"收件箱中没有省级收件文件夹 {folder}（各市报送的汇总表放在 province/{day.isoformat()}/ 下）")
    if source == "outputs" and not (out_root / day.isoformat()).is_dir() and not failures:
        raise UserError(f"既没有省级收件文件夹 {folder}，也没有本机的各市输出 {out_root / day.isoformat()}；"
                        "请先运行各市日报（invoke all）或放入各市报送的汇总表")
    prev = day - dt.timedelta(days=1)
    inputs = []
    base = inbox / "province"
    if base.is_dir():  # province folders up to D (table L may sit in an earlier one)
        files = [p for d in province_days(inbox) if d <= day
                 for p in sorted((base / d.isoformat()).iterdir()) if p.is_file()]
        inputs += _entries(files, inbox, "inbox")
    outs = []
    if source == "outputs":  # the city outputs of D and D-1 (manifests give the times)
        for d in (prev, day):
            for city in cities():
                folder_c = out_root / d.isoformat() / city.name
                outs += [p for p in (folder_c / catalogue.file_name("huizongbiao", city.name, d),
                                     folder_c / catalogue.file_name("manifest")) if p.is_file()]
        # the cities' own day folders (in the inbox each was run from): their table K goes into the brief
        for city in cities():
            own = city_inbox(out_root, city, day, inbox)
            inputs += _entries(day_files(own / city.name / day.isoformat()), own, "inbox")
    prov = out_root / prev.isoformat() / config()["folder"] / names(prev)["huizongbiao"]
    if prov.is_file():  # the D-1 comparison falls back to it
        outs.append(prov)
    inputs += _entries(outs, out_root, "outputs")
    return Job(
        name=config()["folder"], label=config()["name"], day=day, final=province_out_dir(out_root, day),
        notebook=paths.NOTEBOOKS / NOTEBOOK,
        parameters={"date": day.isoformat(), "inbox": str(inbox.resolve()), "source": source,
                    "outputs": str(out_root.resolve()), "failures": failures, "cache": str(out_root.resolve())},
        inputs=inputs, extra={"scope": "province", "source": source},
    )


@dataclass
class ProvinceResult:
    day: dt.date
    out_dir: Path
    manifest: dict
    status: str
    source: str

    @property
    def workbook(self) -> Path:
        return self.out_dir / names(self.day)["huizongbiao"]


def run_province(day=None, inbox=None, out=None, source: str = "auto", failures: dict | None = None,
                 force: bool = False) -> ProvinceResult:
    """Execute the province notebook for day D (papermill, lock, atomic publish, manifest)."""
    from ..run import run_job

    job = province_job(day, inbox, out, source, failures)
    manifest, status = run_job(job, force=force)
    return ProvinceResult(job.day, job.final, manifest, status, job.parameters["source"])
