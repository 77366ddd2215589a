"""The province's day: intake of the cities' 汇总表, checks, completeness and timeliness,
the 催报 list, the roll-up and the day-over-day comparison (``invoke province`` / ``invoke all``).

What the province notebook calls:

    pday = province.day.load("2020-02-26", inbox)      # intake + checks + statuses + roll-up
    pday.completeness   # 报送情况: one row per city (按时 / 迟报 / 未报送 / 退回)
    pday.problems       # 审核问题: every failed check
    pday.chase          # 催报名单: missing, late and returned cities with their liaisons
    pday.comparison     # 逐日对比: D against D-1 per city and figure, jumps flagged
    pday.figures        # the roll-up: one row per city, then 全省合计
    province.write.write_all(pday, out_dir)              # xlsx, html, and parquet for yonggong.history

Intake (``source``):

* ``inbox``: every file in ``<inbox>/province/<D>/``, whatever its name. A file is a 汇总表
  when ``forms_read.read_huizongbiao`` recognises it with the layout spec that also writes it; the
  city is the one named in its 填报单位, never the file name. A file for another day, of an
  unknown layout or from an unknown sender is refused (退回) with the reason. Receipt times
  come from ``收件登记.csv`` when it lists the file, else from the file's modification time.
* ``outputs``: the city 汇总表 this machine produced, ``<outputs>/<D>/<市>/``, timed by the
  finished time in the city's manifest.json; a city whose run failed (``failures``) is
  未报送 with the reason.
* ``auto``: ``inbox`` when ``<inbox>/province/<D>/`` exists, else ``outputs``.

The cities' 经验做法 / 先进典型 (table K) for the brief come from the K files of the province day
folder (``inbox``), or from each accepted city's own day folder ``<inbox>/<市>/<D>/`` (``outputs``).

Every figure, label, rate and total follows the indicator catalogue (``yonggong.indicators``):
全省合计 is ``indicators.total`` of the accepted cities; the rate checks take numerator and
denominator from there. After writing, ``yonggong.province_check`` reads the products back
(:func:`self_check`). Times are local (``indicators.LOCAL``), kept as naive datetimes.

The package, one module per concern (imported in this order, none imports a later one):
``common`` (statuses, columns, records, names), ``receipts`` (收件登记), ``reading`` (one received
file), ``checks`` (one submission's checks), ``intake`` (files to one submission per city),
``compare`` (逐日对比), ``day`` (ProvinceDay, load, roll-up, 报送情况, 催报), ``display`` (notebook tables),
``write`` (products and 自检), ``parquet`` (tidy files for yonggong.history), ``runs`` (the
papermill job). The package imports its modules, so ``province.day.load`` and ``province.write.write_all`` need
only ``from yonggong import province``.
"""

from . import (  # noqa: F401  (the modules, reachable as province.<module>)
    bulletin,
    checks,
    common,
    compare,
    day,
    display,
    intake,
    parquet,
    reading,
    receipts,
    runs,
    verify,
    write,
)
