"""``xlbudget sample``: write a consistent sample workbook (and last year's companion)."""

from __future__ import annotations

from pathlib import Path

import click

from xlbudget.cli import main

_LAYOUTS = ("shanghai", "central", "stacked")  # xlbudget.generate.LAYOUTS, kept lazy for --help


@main.command("sample")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--layout", type=click.Choice(_LAYOUTS), default="shanghai", show_default=True,
              help="版式：shanghai（九张表各占一页）、central（公开NN表、行次/栏次、类款项分列）、"
                   "stacked（九张表上下排在一页，另有封面和说明页）。")
@click.option("--seed", type=int, default=1, show_default=True,
              help="随机种子：同一种子生成同一单位、同一组数字。")
@click.option("--year", type=int, default=2023, show_default=True, help="决算年度。")
@click.option("--prior", "prior_out", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="同时写出上一年度（同一单位）的工作簿到此路径。")
@click.option("--force", is_flag=True, help="目标文件已存在时覆盖。")
def sample(out: Path, layout: str, seed: int, year: int, prior_out: Path | None,
           force: bool) -> None:
    """生成一份数据自洽的部门决算九张表样例工作簿（.xlsx）。

    金额先在元一级生成并精确相加，再逐格四舍五入到 0.01 万元，因此合计与分项之和可能相差
    0.01–0.02，与真实公开表一致。
    """
    from xlbudget.cli.errors import fail
    from xlbudget.generate import generate, write
    from xlbudget.marks.atomic import WriteError, atomic_target, check_folder

    targets = [out] + ([prior_out] if prior_out is not None else [])
    for target in targets:
        if target.suffix.lower() != ".xlsx":
            fail(f"{target}：样例只能写成 .xlsx 文件")
        if target.exists() and not force:
            fail(f"{target}：文件已存在，未覆盖（如需覆盖请加 --force）")
        try:
            check_folder(target)
        except WriteError as exc:
            fail(str(exc))
    if prior_out is not None and prior_out.resolve() == out.resolve():
        fail("--prior 不能与输出文件相同")
    dataset = generate(seed, year)
    try:
        with atomic_target(out) as tmp:
            write(dataset, tmp, layout)
        click.echo(f"已生成 {year} 年度样例（{layout} 版式，种子 {seed}，"
                   f"单位：{dataset.organisation}）：{out}")
        if prior_out is not None and dataset.prior is not None:
            with atomic_target(prior_out) as tmp:
                write(dataset.prior, tmp, layout)
            click.echo(f"已生成 {year - 1} 年度样例：{prior_out}")
    except WriteError as exc:
        fail(str(exc))
