"""Explaining rules to people: `sendcheck rules`, `sendcheck rules CODE`, and the README table."""

from __future__ import annotations

import textwrap

from sendcheck.judge.anchors import ANCHORS
from sendcheck.judge.durations import FixedDay
from sendcheck.judge.rulebook import Rule

README_BEGIN = "<!-- rules-table:begin (generated from rules/*.toml by `python -m sendcheck.views.rulehelp`) -->"
README_END = "<!-- rules-table:end -->"


def limit_text(rule: Rule) -> str:
    if isinstance(rule.limit, FixedDay):
        return f"by {rule.limit.label} (the last compliant day)"
    if rule.later_of:
        start, later = rule.later_of
        return (f"later of {rule.limit.label.replace('-', ' ')}s and "
                f"{later.label.replace('-', ' ')}s from {start}")
    if rule.limit.days == 0:
        return "immediately"
    span = f"{rule.limit.label.replace('-', ' ')}s"
    if rule.mode == "earliest":
        return f"at least {span} after the start"
    if rule.mode == "before":
        return f"at least {span} before {rule.start}"
    return span


def list_rules(rules: list[Rule]) -> str:
    width = max(len(r.name) for r in rules)
    limits = max(len(limit_text(r)) for r in rules)
    lines = [f"{r.code}  {r.name:<{width}}  {r.severity:<7}  {limit_text(r):<{limits}}  {r.source}"
             for r in rules]
    return "\n".join(lines) + "\n"


def _meaning(name: str) -> str:
    return f" ({ANCHORS[name].meaning})" if name in ANCHORS else ""


def explain_rule(rule: Rule) -> str:
    def para(text: str) -> str:
        return textwrap.fill(" ".join(text.split()), 96, initial_indent="  ", subsequent_indent="  ")

    kinds = f" (one finding per advice kind: {', '.join(rule.kinds)})" if rule.kinds else ""
    out = [
        f"{rule.code} {rule.name}: {rule.title}",
        "",
        f"Law:        {rule.source}  {rule.url}",
        f"Severity:   {rule.severity}",
        f"Start:      {rule.start}{kinds}{_meaning(rule.start)}",
        f"End:        {rule.end}{_meaning(rule.end)}",
        f"Limit:      {limit_text(rule)} ({rule.limit})",
        f"Exceptions: {', '.join(rule.exceptions) if rule.exceptions else 'none'}"
        + (" (a 20-week exception flag with no reason also counts)" if rule.flag_excepts else ""),
        "",
        "Why it matters:", para(rule.why),
        "What to do:", para(rule.action),
    ]
    if rule.notes:
        out += ["Notes:", para(rule.notes)]
    if rule.per == "review":
        out += ["With --reviews:", para("judged once per review cycle in the review-history "
                                        "file (cycle 1 runs from the plan to the first meeting).")]
    out += ["", "Worked examples:"]
    for ex in rule.examples:
        due = f", due {ex['due']}" if "due" in ex else ""
        out.append(f"  - {ex['title']} (as of {ex['as_of']}{due}: {ex['status']})")
    return "\n".join(out) + "\n"


def readme_table(rules: list[Rule]) -> str:
    rows = ["| code | name | limit | exceptions | severity | source |", "|---|---|---|---|---|---|"]
    for r in rules:
        rows.append(f"| {r.code} | `{r.name}` | {limit_text(r)} | "
                    f"{', '.join(r.exceptions) or 'none'} | {r.severity} | [{r.source}]({r.url}) |")
    return "\n".join([README_BEGIN, *rows, README_END])


if __name__ == "__main__":  # regenerate the README's rules table in place
    import re
    from pathlib import Path

    from sendcheck.judge.rulebook import load_rules

    readme = Path(__file__).resolve().parents[2] / "README.md"
    text = readme.read_text(encoding="utf-8")
    pattern = re.escape(README_BEGIN) + r".*?" + re.escape(README_END)
    readme.write_text(re.sub(pattern, lambda _: readme_table(load_rules()), text, flags=re.S),
                      encoding="utf-8")
