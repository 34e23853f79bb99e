"""The policy's reports as pages (the ``reports`` grant): each report's figures for a month or
a quarter, with a chart, the cases behind each figure, and both as CSV.

The figures are ``service.reports``'; the cases a reader is shown of them are those the case
access rules let them read (the others are counted, and said to be there). The period is
chosen by a GET form: a page works without JavaScript and can be bookmarked or sent on.
"""

import csv
import io

from flask import Response, abort, g, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from workflows.diagram_functions import MONTHS, london_time

from ...audit.export import safe_cell
from ...audit.reads import log_read
from ...models import utcnow
from ...reports import (
    LENGTHS,
    REPORTS,
    Period,
    PeriodError,
    Report,
    Tally,
    cases_shown,
    london_today,
    mark_key,
    mark_of,
    period_from,
    tally,
)
from ...roles import holds_grant
from ..language import page_language
from . import bp
from .charts import bar_chart
from .words import (
    GROUP_TITLES,
    LENGTH_NAMES,
    RATE_LABELS,
    REPORT_SUMMARIES,
    REPORT_TITLES,
    figure_label,
)

PERIOD_FIELDS = ("year", "month", "length")


@bp.get("/reports")
def reports():
    _check_grant()
    today = london_today(utcnow())
    items = []
    for key, report in REPORTS.items():
        period = period_from(None, None, None, report.length, today)
        items.append(
            {
                "title": REPORT_TITLES[key],
                "summary": REPORT_SUMMARIES[key],
                "href": url_for("web.reports.report", key=key, **_period_args(period)),
                "period": _period_text(period),
            }
        )
    return render_template("web/reports.html", title=_("Reports"), items=items)


@bp.get("/reports/<key>")
def report(key: str):
    report = _report(key)
    period = _period(report)
    counted = tally(period)
    return render_template(
        "web/report.html",
        title=REPORT_TITLES[key],
        report_key=key,
        summary=REPORT_SUMMARIES[key],
        period=period,
        period_text=_period_text(period),
        form=_form_values(period),
        errors=[],
        groups=_groups(report, counted, period),
        csv_href=url_for("web.reports.report_csv", key=key, **_period_args(period)),
    )


@bp.get("/reports/<key>/csv")
def report_csv(key: str):
    report = _report(key)
    period = _period(report)
    counted = tally(period)
    rows = [["report", "period_start", "period_end", "group", "figure", "label", "cases", "of"]]
    start, end = period.first.isoformat(), period.last.isoformat()
    for group in report.groups:
        for mark in group.marks:
            count = counted.count(mark)
            rows.append([key, start, end, group.key, mark_key(mark), figure_label(mark), count, ""])
        for rate in group.rates:
            numerator, denominator = counted.rate(rate)
            label = str(RATE_LABELS[rate.key])
            rows.append([key, start, end, group.key, rate.key, label, numerator, denominator])
    return _csv(rows, f"{key}-{period.first:%Y-%m}-{period.length}.csv")


def _cases_behind(key: str, figure: str, mark, period):
    """The period's figures, and the cases behind one of them that the reader may read (the
    listing is in the read log)."""
    counted = tally(period)
    shown = cases_shown(g.actor, counted, mark)
    _log(key, figure, period, shown)
    return counted, shown


@bp.get("/reports/<key>/cases/<figure>")
def report_cases(key: str, figure: str):
    report, mark = _report_figure(key, figure)
    period = _period(report)
    counted, shown = _cases_behind(key, figure, mark, period)
    language = page_language()
    return render_template(
        "web/report_cases.html",
        title=figure_label(mark),
        report_key=key,
        report_title=REPORT_TITLES[key],
        report_href=url_for("web.reports.report", key=key, **_period_args(period)),
        group_title=_group_title(report, mark),
        period_text=_period_text(period),
        count=counted.count(mark),
        cases=[
            {
                "id": case.id,
                "reference": case.id[:8],
                "storm_reference": case.storm_reference,
                "reported": london_time(case.reported_at, language),
                "status": _("Closed") if case.status == "completed" else _("Open"),
            }
            for case in shown.cases
        ],
        not_shown=shown.not_shown,
        csv_href=url_for(
            "web.reports.report_cases_csv", key=key, figure=figure, **_period_args(period)
        ),
    )


@bp.get("/reports/<key>/cases/<figure>/csv")
def report_cases_csv(key: str, figure: str):
    report, mark = _report_figure(key, figure)
    period = _period(report)
    _, shown = _cases_behind(key, figure, mark, period)
    rows = [["case_id", "storm_reference", "reported_at", "status"]]
    rows.extend(
        [case.id, case.storm_reference or "", case.reported_at.isoformat(), case.status]
        for case in shown.cases
    )
    if shown.not_shown:
        rows.append(["", "", "", _not_shown_text(shown.not_shown)])
    return _csv(rows, f"{key}-{figure}-{period.first:%Y-%m}-{period.length}.csv")


# --- what the pages share -----------------------------------------------------------------------


def _check_grant() -> None:
    if not holds_grant(g.actor, "reports"):
        abort(403)


def _report(key: str) -> Report:
    _check_grant()
    report = REPORTS.get(key)
    if report is None:
        abort(404)
    return report


def _report_figure(key: str, figure: str):
    report = _report(key)
    mark = mark_of(figure)
    if mark is None or mark not in report.case_marks:
        abort(404)
    return report, mark


def _period(report: Report) -> Period:
    """The period the form asks for; when it cannot be read, the report's page answers with
    its period form saying what is wrong, linked to the field."""
    values = {name: request.args.get(name) for name in PERIOD_FIELDS}
    try:
        return period_from(
            values["year"], values["month"], values["length"], report.length, london_today(utcnow())
        )
    except PeriodError as error:
        errors = [{"field": error.field, "text": _period_message(error.field)}]
        abort(make_response(_period_problem(report, errors)))


def _period_message(field: str) -> str:
    if field == "year":
        return _("Enter the year as four figures, from 2000 to 2100, such as 2026")
    if field == "month":
        return _("Choose the month the period begins in")
    return _("Choose a month or a quarter")


def _period_problem(report: Report, errors: list[dict]):
    """The report's page with its period form and what is wrong with it: no figures (400)."""
    values = {name: request.args.get(name) or "" for name in PERIOD_FIELDS}
    if values["length"] not in LENGTHS:
        values["length"] = report.length
    page = render_template(
        "web/report.html",
        title=REPORT_TITLES[report.key],
        report_key=report.key,
        summary=REPORT_SUMMARIES[report.key],
        period=None,
        period_text=None,
        form={**values, "months": _month_choices(), "lengths": _length_choices()},
        errors=errors,
        groups=[],
        csv_href=None,
    )
    return page, 400


def _form_values(period: Period) -> dict:
    return {
        "year": str(period.first.year),
        "month": str(period.first.month),
        "length": period.length,
        "months": _month_choices(),
        "lengths": _length_choices(),
    }


def _month_choices() -> list[tuple[str, str]]:
    return [(str(number), name) for number, name in enumerate(MONTHS[page_language()], 1)]


def _length_choices() -> list[tuple[str, str]]:
    return [(length, str(LENGTH_NAMES[length])) for length in LENGTHS]


def _period_args(period: Period) -> dict:
    return {"year": period.first.year, "month": period.first.month, "length": period.length}


def _period_text(period: Period) -> str:
    language = page_language()
    return _(
        "%(start)s to %(end)s",
        start=london_time(period.first, language),
        end=london_time(period.last, language),
    )


def _group_title(report: Report, mark) -> str:
    for group in report.groups:
        if mark in group.marks:
            return str(GROUP_TITLES[group.key])
    return ""


def _groups(report: Report, counted: Tally, period: Period) -> list[dict]:
    groups = []
    args = _period_args(period)
    for group in report.groups:
        title = str(GROUP_TITLES[group.key])
        rows = [
            {
                "label": figure_label(mark),
                "count": counted.count(mark),
                # A figure that counts something else than cases has no cases to list.
                "href": url_for(
                    "web.reports.report_cases", key=report.key, figure=mark_key(mark), **args
                )
                if group.of_cases
                else None,
            }
            for mark in group.marks
        ]
        rates = []
        for rate in group.rates:
            numerator, denominator = counted.rate(rate)
            rates.append(
                {
                    "label": RATE_LABELS[rate.key],
                    "text": _rate_text(numerator, denominator),
                }
            )
        description = _(
            "Bar chart of %(title)s, %(period)s: %(figures)s.",
            title=title,
            period=_period_text(period),
            figures="; ".join(
                _("%(label)s %(count)d", label=row["label"], count=row["count"]) for row in rows
            ),
        )
        chart_id = f"chart-{group.key}"
        groups.append(
            {
                "key": group.key,
                "of_cases": group.of_cases,
                "title": title,
                "rows": rows,
                "rates": rates,
                "chart": bar_chart(
                    chart_id, title, description, [(row["label"], row["count"]) for row in rows]
                ),
            }
        )
    return groups


def _rate_text(numerator: int, denominator: int) -> str:
    if not denominator:
        return _("Nothing to count yet")
    percent = round(100 * numerator / denominator)
    return _(
        "%(numerator)d of %(denominator)d (%(percent)d%%)",
        numerator=numerator,
        denominator=denominator,
        percent=percent,
    )


def _not_shown_text(count: int) -> str:
    return ngettext(
        "%(num)d case counted here is not listed: you may not read it.",
        "%(num)d cases counted here are not listed: you may not read them.",
        count,
    )


def _log(key: str, figure: str, period: Period, shown) -> None:
    """Listing a figure's cases is in the read log: who saw which cases' references."""
    log_read(
        g.actor,
        "report.cases",
        detail={
            "report": key,
            "figure": figure,
            "period": [period.first.isoformat(), period.last.isoformat()],
            "cases": [case.id for case in shown.cases],
            "not_listed": shown.not_shown,
        },
    )


def _csv(rows: list[list], filename: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
