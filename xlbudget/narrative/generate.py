"""Write a narrative (部门决算情况说明) from the template of reference §7, filled with a workbook
model's figures: the sample shipped beside the sample workbook, and the clean document the tests
perturb.

Figures the tables determine come from the model (and last year's model for the comparisons);
figures the tables cannot give (staff, vehicles, procurement, project budgets, performance
targets) are drawn from ``seed`` and made internally consistent, as a real document's are.
"""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

from xlbudget import calc
from xlbudget.codes import FUNCTION_CLASSES
from xlbudget.model import WorkbookModel
from xlbudget.narrative.docx_source import Block, write_docx
from xlbudget.narrative.facts import Facts, table_facts

_WAN = Decimal(10000)


class _Writer:
    def __init__(self, model: WorkbookModel, prior: WorkbookModel | None, seed: int) -> None:
        self.f: Facts = table_facts(model)
        self.p: Facts | None = table_facts(prior) if prior is not None else None
        self.rng = random.Random(f"xlbudget-narrative:{seed}")
        self.year = model.year or 2023
        t1 = model.tables.get("T1")
        self.org = (t1.organisation if t1 is not None else None) or "本部门"
        self.blocks: list[Block] = []
        self.running = Decimal(0)

    # figures ---------------------------------------------------------------------------------

    def yuan(self, key: str) -> Decimal:
        fact = self.f.get(key)
        return fact.yuan if fact is not None else Decimal(0)

    def wan(self, key: str) -> str:
        return _wan(self.yuan(key))

    def share(self, part: str, whole: str) -> str:
        w = self.yuan(whole)
        return str(calc.pct(self.yuan(part), w)) if w else "0.00"

    def compare(self, key: str, both: bool = False) -> str:
        """``与Y−1年相比，…增加B万元，增长P%`` against last year's table, or '' without it."""
        if self.p is None or key not in self.p:
            return ""
        now, before = self.yuan(key), self.p[key].yuan
        change = now - before
        verb = "增加" if change >= 0 else "减少"
        amount = _wan(abs(change))
        if before == 0:
            rate = "上年无此项支出" if now else "与上年持平"
            return f"与{self.year - 1}年相比，{verb}{amount}万元，{rate}。"
        g = calc.growth(now, before)
        trend = "增长" if g >= 0 else "下降"
        if both:
            return (f"与{self.year - 1}年相比，收、支总计各{verb}{amount}和{amount}万元，"
                    f"{trend}{abs(g)}%和{abs(g)}%。")
        return f"与{self.year - 1}年相比，{verb}{amount}万元，{trend}{abs(g)}%。"

    def add(self, kind: str, text: str = "", rows: list[list[str]] | None = None) -> None:
        self.blocks.append(Block(kind, text, rows or []))

    # the template ----------------------------------------------------------------------------

    def build(self) -> list[Block]:
        y, rng = self.year, self.rng
        self.add("title", f"{self.org}{y}年度部门决算")
        self.add("h1", "第一部分 部门概况")
        self.add("h2", "一、基本职能及主要工作")
        self.add("p", f"（一）主要职能。{self.org}贯彻落实党和国家的方针政策，"
                      "承担本行业的行政管理和公共服务职能。")
        self.add("p", f"（二）{y}年度重点工作完成情况。"
                      "全年各项重点工作按计划推进，完成年度目标任务。")
        self.add("h2", "二、机构设置")
        admin, inst = rng.randint(1, 4), rng.randint(0, 6)
        staff, retired = rng.randint(40, 300), rng.randint(5, 80)
        self.add("p", f"{self.org}下属单位共{admin + inst}个，"
                      f"其中：行政单位{admin}个、事业单位{inst}个。"
                      f"年末实有人员{staff + retired}人，"
                      f"其中：在职人员{staff}人，离退休人员{retired}人。")
        self.add("h1", f"第二部分 {y}年度部门决算情况说明")
        self._totals()
        self._income()
        self._expense()
        self._fiscal()
        self._gpb()
        self._basic()
        self._sangong()
        self._fund("八、政府性基金预算支出决算情况说明", "T8", "政府性基金预算财政拨款")
        self._fund("九、国有资本经营预算支出决算情况说明", "T9", "国有资本经营预算财政拨款")
        self._other()
        self.add("h1", "第三部分 名词解释")
        self.add("p", "1.财政拨款收入：指单位从同级财政部门取得的财政预算资金。")
        self.add("p", "2.行政事业单位养老支出（款）："
                      "反映用于行政事业单位离退休人员及养老保险缴费方面的支出。")
        self.add("p", "3.“三公”经费：指用财政拨款安排的因公出国（境）费、"
                      "公务用车购置及运行维护费和公务接待费。")
        self._attachment()
        return self.blocks

    def _totals(self) -> None:
        y = self.year
        self.add("h2", "一、收入支出决算总体情况说明")
        self.add("p", f"{y}年度收、支总计{self.wan('in.grand_total')}万元。"
                      + self.compare("in.grand_total", both=True) + "主要原因是业务工作量变化。")
        self.add("p", "图1：收、支决算总计变动情况图")

    def _listing(self, total_key: str, items: list[tuple[str, str]]) -> str:
        parts = [f"{label}{self.wan(key)}万元，占{self.share(key, total_key)}%"
                 for key, label in items if self.yuan(key)]
        return "；".join(parts)

    def _income(self) -> None:
        self.add("h2", "二、收入决算情况说明")
        items = [(k, self.f[k].label) for k in self.f if k.startswith("in.") and k not in (
            "in.grand_total", "in.income_total", "in.use_nonfiscal_balance",
            "in.opening_balance")]
        self.add("p", f"{self.year}年本年收入合计{self.wan('in.income_total')}万元，其中："
                      + self._listing("in.income_total", items) + "。")
        self.add("p", "图2：收入决算结构图")

    def _expense(self) -> None:
        self.add("h2", "三、支出决算情况说明")
        items = [(k, self.f[k].label) for k in ("T3.basic", "T3.project", "T3.remit_superior",
                                                "T3.operating", "T3.subsidy_affiliated")
                 if k in self.f]
        self.add("p", f"{self.year}年本年支出合计{self.wan('ex.expense_total')}万元，其中："
                      + self._listing("ex.expense_total", items) + "。")

    def _fiscal(self) -> None:
        self.add("h2", "四、财政拨款收入支出决算总体情况说明")
        text = self.compare("T4.grand_total", both=True).replace("收、支总计", "财政拨款收、支总计")
        self.add("p", f"{self.year}年度财政拨款收、支总计{self.wan('T4.grand_total')}万元。{text}"
                      "主要原因是项目支出安排变化。")

    def _gpb(self) -> None:
        y = self.year
        self.add("h2", "五、一般公共预算财政拨款支出决算情况说明")
        self.add("h3", "（一）总体情况")
        cmp = self.compare("T5.total").replace("相比，", "相比，一般公共预算财政拨款支出")
        self.add("p", f"{y}年一般公共预算财政拨款支出{self.wan('T5.total')}万元，占本年支出合计的"
                      f"{self.share('T5.total', 'ex.expense_total')}%。{cmp}")
        self.add("h3", "（二）结构情况")
        classes = [(f"T5.code.{c}", f"{name.removesuffix('支出')}（类）支出")
                   for c, name in FUNCTION_CLASSES.items() if f"T5.code.{c}" in self.f]
        self.add("p", f"{y}年一般公共预算财政拨款支出{self.wan('T5.total')}万元，主要用于以下方面："
                      + self._listing("T5.total", classes) + "。")
        self.add("h3", "（三）具体情况")
        n = 0
        for key in self.f:
            code = key.removeprefix("T5.code.")
            if not key.startswith("T5.code.") or len(code) != 7 or not self.yuan(key):
                continue
            n += 1
            final = self.yuan(key)
            budget = (final * Decimal(self.rng.choice([0.9, 0.95, 1, 1, 1.02, 1.1]))).quantize(
                Decimal(100))
            rel = "大于" if final > budget else "小于" if final < budget else "等于"
            names = (FUNCTION_CLASSES[code[:3]].removesuffix("支出"),
                     self.f[f"T5.code.{code[:5]}"].label if f"T5.code.{code[:5]}" in self.f else "",
                     self.f[key].label)
            self.add("p", f"{n}.{names[0]}（类）{names[1]}（款）{names[2]}（项）："
                          f"年初预算为{_wan(budget)}万元，支出决算为{self.wan(key)}万元，"
                          f"完成预算{calc.rate(final, budget)}%。"
                          f"决算数{rel}预算数的主要原因是据实结算。")

    def _basic(self) -> None:
        self.add("h2", "六、一般公共预算财政拨款基本支出决算情况说明")
        self.add("p", f"{self.year}年一般公共预算财政拨款基本支出{self.wan('T5.basic')}万元，"
                      f"其中：人员经费{self.wan('T6.personnel')}万元，主要包括"
                      f"{self._items(('301', '303'))}等；日常公用经费{self.wan('T6.public')}万元，"
                      f"主要包括{self._items(('302', '310'))}等。")

    def _items(self, classes: tuple[str, ...]) -> str:
        """The three largest economic items of some classes: ``基本工资X万元、…``."""
        items = sorted((k for k in self.f if k.startswith("T6.code.") and len(k) == 13
                        and k[8:11] in classes and self.yuan(k)), key=self.yuan, reverse=True)
        return "、".join(f"{self.f[k].label}{self.wan(k)}万元" for k in items[:3])

    def _sangong(self) -> None:
        y, rng = self.year, self.rng
        self.add("h2", "七、“三公”经费财政拨款支出决算情况说明")
        self.add("h3", "（一）“三公”经费财政拨款支出决算总体情况说明")
        total, budget = self.yuan("T7.total_final"), self.yuan("T7.total_budget")
        done = f"完成预算{calc.rate(total, budget)}%" if budget else "年初未安排预算"
        items = [("T7.abroad_final", "因公出国（境）费支出决算"),
                 ("T7.vehicle_final", "公务用车购置及运行维护费支出决算"),
                 ("T7.reception_final", "公务接待费支出决算")]
        listing = "；".join(f"{label}{self.wan(k)}万元，占{self.share(k, 'T7.total_final')}%"
                           for k, label in items) if total else "各项均为零"
        self.add("p", f"{y}年“三公”经费财政拨款支出决算为{self.wan('T7.total_final')}万元，{done}。"
                      f"其中：{listing}。")
        self.add("p", "“三公”经费财政拨款支出决算表")
        rows = [["项目", "预算数（万元）", "决算数（万元）"]]
        for item, label in (("total", "合计"), ("abroad", "因公出国（境）费"),
                            ("vehicle", "公务用车购置及运行维护费"),
                            ("vehicle_purchase", "其中：公务用车购置费"),
                            ("vehicle_operation", "公务用车运行维护费"),
                            ("reception", "公务接待费")):
            rows.append([label, self.wan(f"T7.{item}_budget"), self.wan(f"T7.{item}_final")])
        self.add("table", rows=rows)
        self.add("h3", "（二）“三公”经费财政拨款支出决算具体情况说明")
        groups = rng.randint(1, 3) if self.yuan("T7.abroad_final") else 0
        self.add("p", f"1.因公出国（境）费支出决算{self.wan('T7.abroad_final')}万元，"
                      f"{self._done('abroad')}。"
                      f"{self._item_cmp('T7.abroad_final', '因公出国（境）费')}"
                      f"全年安排因公出国（境）团组{groups}个，"
                      f"累计{groups * rng.randint(2, 5)}人次。")
        bought = rng.randint(1, 2) if self.yuan("T7.vehicle_purchase_final") else 0
        self.add("p", f"2.公务用车购置及运行维护费支出决算{self.wan('T7.vehicle_final')}万元，"
                      f"{self._done('vehicle')}。"
                      f"{self._item_cmp('T7.vehicle_final', '公务用车购置及运行维护费')}"
                      f"其中：公务用车购置费{self.wan('T7.vehicle_purchase_final')}万元，购置公务用"
                      f"车{bought}辆；"
                      f"公务用车运行维护费{self.wan('T7.vehicle_operation_final')}万元，主要用于执"
                      "法执勤等公务用车"
                      "的燃料费、维修费、保险费等。")
        batches = rng.randint(5, 40) if self.yuan("T7.reception_final") else 0
        self.add("p", f"3.公务接待费支出决算{self.wan('T7.reception_final')}万元，"
                      f"{self._done('reception')}。"
                      f"{self._item_cmp('T7.reception_final', '公务接待费')}"
                      f"全年国内公务接待{batches}批次，{batches * rng.randint(3, 9)}人次。")

    def _done(self, item: str) -> str:
        final, budget = self.yuan(f"T7.{item}_final"), self.yuan(f"T7.{item}_budget")
        return f"完成预算{calc.rate(final, budget)}%" if budget else "年初未安排预算"

    def _item_cmp(self, key: str, label: str) -> str:
        text = self.compare(key)
        return text.replace("相比，", f"相比，{label}支出决算") if text else ""

    def _fund(self, heading: str, table: str, money: str) -> None:
        self.add("h2", heading)
        spent = self.yuan(f"{table}.exp_total")
        if spent:
            self.add("p", f"{self.year}年{money}支出{self.wan(f'{table}.exp_total')}万元。")
        else:
            self.add("p", f"本单位{self.year}年度无{money}收入和支出。")

    def _other(self) -> None:
        y, rng = self.year, self.rng
        self.add("h2", "十、其他重要事项的情况说明")
        self.add("h3", "（一）机关运行经费支出情况")
        running = self.yuan("T6.public") or Decimal(rng.randint(100000, 3000000))
        before = (running * Decimal(rng.choice([0.9, 0.96, 1.05, 1.12]))).quantize(Decimal(100))
        self.running = running
        change = running - before
        verb, trend = ("增加", "增长") if change >= 0 else ("减少", "下降")
        self.add("p", f"{y}年，本部门机关运行经费支出{_wan(running)}万元，比{y - 1}年{verb}"
                      f"{_wan(abs(change))}万元，{trend}{abs(calc.growth(running, before))}%。"
                      "主要原因是厉行节约，压减一般性支出。")
        self.add("h3", "（二）政府采购支出情况")
        goods, works, services = (Decimal(rng.randint(10000, 2000000)) for _ in range(3))
        total = goods + works + services
        sme = (total * Decimal(rng.choice([0.6, 0.75, 0.9]))).quantize(Decimal(100))
        small = (sme * Decimal("0.5")).quantize(Decimal(100))
        kinds = [(goods, "货物"), (works, "工程"), (services, "服务")]
        shares = [calc.pct(v, total) for v, _ in kinds]
        shares[-1] = Decimal(100) - shares[0] - shares[1]  # tail-adjusted, as reports do
        listing = "；".join(f"政府采购{name}支出{_wan(v)}万元，占{p}%"
                           for (v, name), p in zip(kinds, shares, strict=True))
        self.add("p", f"{y}年度，本部门政府采购支出总额{_wan(total)}万元，其中：{listing}。")
        self.add("p", f"授予中小企业合同金额{_wan(sme)}万元，占政府采购支出总额的"
                      f"{calc.pct(sme, total)}%，其中：授予小微企业合同金额{_wan(small)}万元。")
        self.add("h3", "（三）国有资产占用情况")
        law, other = rng.randint(1, 6), rng.randint(0, 3)
        self.add("p", f"截至{y}年12月31日，本部门共有车辆{law + other}辆，"
                      f"其中：执法执勤用车{law}辆、其他用车{other}辆。")
        self.add("h3", "（四）预算绩效管理情况")
        self.add("p", f"本部门对{y}年度一般公共预算项目支出全面开展绩效自评，共涉及项目3个，"
                      f"资金{self.wan('T5.project')}万元。")

    def _attachment(self) -> None:
        y, rng = self.year, self.rng
        self.add("h1", "第四部分 附件")
        self.add("h2", f"{self.org}{y}年度部门整体支出绩效评价报告")
        self.add("p", f"{y}年，本部门机关运行经费支出{_yuan_text(self.running)}元，"
                      "严格控制在预算以内。")
        spent = self.yuan("ex.expense_total")
        budget = (spent * Decimal(rng.choice([1.02, 1.05, 1.1]))).quantize(Decimal(100))
        self.add("p", f"{y}年度部门预算数{_wan(budget)}万元，执行数{_wan(spent)}万元，预算执行率"
                      f"{calc.rate(spent, budget)}%。")
        self.add("p", "项目绩效目标完成情况表")
        self.add("p", "单位：元")
        rows = [["项目名称", "预算数", "执行数", "执行率"]]
        budgets, finals = [], []
        for name in ("信息化建设运维项目", "专项业务经费", "执法装备购置项目"):
            b = Decimal(rng.randint(100000, 3000000))
            e = (b * Decimal(rng.choice([0.85, 0.93, 0.98, 1]))).quantize(Decimal("0.01"))
            budgets.append(b)
            finals.append(e)
            rows.append([name, _yuan_text(b), _yuan_text(e), f"{calc.rate(e, b)}%"])
        sb, se = sum(budgets, Decimal(0)), sum(finals, Decimal(0))
        rows.append(["合计", _yuan_text(sb), _yuan_text(se), f"{calc.rate(se, sb)}%"])
        self.add("table", rows=rows)


def _wan(yuan: Decimal) -> str:
    return str(calc.round_half_up(yuan / _WAN, 2))


def _yuan_text(yuan: Decimal) -> str:
    return f"{calc.round_half_up(yuan, 2):,}"


def narrative_blocks(model: WorkbookModel, prior: WorkbookModel | None = None,
                     seed: int = 0) -> list[Block]:
    """The narrative's paragraphs, headings and tables for ``model`` (and last year's model)."""
    return _Writer(model, prior, seed).build()


def write_narrative(model: WorkbookModel, path: str | Path, prior: WorkbookModel | None = None,
                    seed: int = 0) -> list[Block]:
    """Write the narrative .docx for ``model`` to ``path``; returns the blocks written."""
    blocks = narrative_blocks(model, prior, seed)
    write_docx(blocks, path)
    return blocks
