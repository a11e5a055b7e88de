"""Use cases: a report as files — every view as one sheet of an .xlsx (with charts) or one
view as CSV, streamed; large ones as a Celery job with progress and a download link."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

from gachi_kit.auth import Principal
from gachi_kit.errors import Problem, not_found
from gachi_kit.events import utcnow
from gachi_kit.logging import get_logger
from orders.adapters.performance_exports import Table, csv_chunks, write_xlsx
from orders.adapters.performance_models import ExportJob
from orders.domain.categories import ENTERPRISE_TYPE_LABELS
from orders.domain.performance import EVIDENCE
from orders.services.performance.drilldown import all_entries, filters_from
from orders.services.performance.figures import SOURCES
from orders.services.performance.report import build_report
from orders.services.performance.settings import resolve_scope
from orders.wiring import OrdersWiring

log = get_logger(__name__)
VIEWS = ("categories", "months", "departments", "enterprise_types", "enterprises", "lines")
MONEY = ["공급가액", "부가세", "합계", "인정 금액"]
# Supplier orders read per query while streaming lines: each batch re-runs the filtered,
# id-ordered query, so fewer, larger batches (a few MB of rows) beat many small ones.
EXPORT_BATCH = 5000


def _money(row: dict) -> list:
    return [row["supply"], row["vat"], row["total"], row["counted"]]


def report_tables(report: dict) -> dict[str, Table]:
    """The report's views as tables (the figures of the API, in the same order)."""
    basis = f"{report['settings']['basis_label']}, {report['settings']['amount_label']}"
    categories = Table(
        f"범주별 ({basis})"[:31],
        ["범주", "목표", *MONEY, "달성률(%)", "오늘까지 직선 목표", "차이", "연말 예상"],
        [
            [
                c["name"],
                c["target"],
                *_money(c),
                c["rate_percent"],
                c["expected_to_date"],
                c["ahead_by"],
                c["forecast"],
            ]
            for c in report["categories"]
        ],
        won_columns=frozenset({1, 2, 3, 4, 5, 7, 8, 9}),
        percent_columns=frozenset({6}),
        chart="bar",
        chart_columns=(1, 5),
    )
    months = Table(
        "월별",
        ["월", *MONEY, "누적 인정 금액"],
        [[f"{m['month']}월", *_money(m), m["cumulative"]] for m in report["months"]],
        won_columns=frozenset({1, 2, 3, 4, 5}),
        chart="line",
        chart_columns=(5,),
    )
    departments = Table(
        "부서별",
        ["부서", *MONEY, "건수"],
        [[d["department"] or "(부서 없음)", *_money(d), d["count"]] for d in report["departments"]],
        won_columns=frozenset({1, 2, 3, 4}),
        chart="bar",
        chart_columns=(4,),
    )
    types = Table(
        "기업유형별",
        ["기업 유형", *MONEY, "건수"],
        [[t["label"], *_money(t), t["count"]] for t in report["enterprise_types"]],
        won_columns=frozenset({1, 2, 3, 4}),
    )
    enterprises = Table(
        "기업별",
        ["기업", "기업 유형", "플랫폼 밖 구매 포함", *MONEY, "건수"],
        [
            [
                e["enterprise_name"],
                ENTERPRISE_TYPE_LABELS.get(e["enterprise_type"], e["enterprise_type"]),
                "예" if e["off_platform"] else "",
                *_money(e),
                e["count"],
            ]
            for e in report["enterprises"]
        ],
        won_columns=frozenset({3, 4, 5, 6}),
    )
    return {
        "categories": categories,
        "months": months,
        "departments": departments,
        "enterprise_types": types,
        "enterprises": enterprises,
    }


LINE_HEADERS = [
    "구분",
    "공급주문/구매 ID",
    "주문 ID",
    "부서",
    "기업",
    "기업 유형",
    "인정일",
    "증빙",
    "증빙 번호",
    "범주",
    "품목",
    "품명",
    "수량(인정)",
    "불합격 수량",
    "단가",
    "공급가액(품목)",
    "부가세(건)",
    "합계(건)",
]


def line_rows(entries: Iterator[dict]) -> Iterator[list]:
    """One row per supplier-order line (or off-platform purchase); VAT and total are a
    supplier order's (one tax invoice), so they stand on its first line only."""
    for entry in entries:
        for index, line in enumerate(entry["lines"]):
            first = index == 0
            yield [
                SOURCES[entry["source"]],
                entry["id"],
                entry["order_id"],
                entry["department"],
                entry["enterprise_name"],
                ENTERPRISE_TYPE_LABELS.get(entry["enterprise_type"], entry["enterprise_type"]),
                entry["counted_on"],
                EVIDENCE[entry["evidence"]],
                entry["evidence_reference"],
                ", ".join(entry["categories"]),
                line["line_no"],
                line["name"],
                line.get("counted_quantity"),
                line.get("rejected_quantity"),
                line.get("unit_price"),
                line["supply"],
                entry["vat"] if first else None,
                entry["total"] if first else None,
            ]


def lines_table(entries: Iterator[dict]) -> Table:
    return Table(
        "실적 명세", LINE_HEADERS, line_rows(entries), won_columns=frozenset({14, 15, 16, 17})
    )


def export_csv(
    wiring: OrdersWiring, actor: Principal, institution_id: str, query: dict, view: str
) -> tuple[str, Iterator[bytes]]:
    """(file name, byte chunks) of one view; the lines view reads its rows as it streams."""
    if view == "lines":
        with wiring.db.reading() as session:  # fail before streaming: 404/403 as usual
            resolve_scope(session, actor, institution_id, query.get("department"))
        chunks = _streamed_lines(wiring, actor, institution_id, query)
    else:
        table = report_tables(build_report(wiring, actor, institution_id, query))[view]
        chunks = csv_chunks(table, query["encoding"])
    return f"priority-purchasing-{query['fiscal_year']}-{view}.csv", chunks


def _every_line(session, actor, institution_id, query) -> Iterator[dict]:
    """The entries behind the whole report, as the caller may see them, batch by batch."""
    scope = resolve_scope(session, actor, institution_id, query.get("department"))
    filters = filters_from(query, scope.department)
    settings = scope.settings
    return all_entries(
        session, institution_id, settings.basis, settings.amount_kind, filters, EXPORT_BATCH
    )


def _streamed_lines(wiring, actor, institution_id, query) -> Iterator[bytes]:
    with wiring.db.reading() as session:
        entries = _every_line(session, actor, institution_id, query)
        yield from csv_chunks(lines_table(entries), query["encoding"])


def write_workbook(
    wiring: OrdersWiring,
    actor: Principal,
    institution_id: str,
    query: dict,
    target: Path,
    progress=None,
) -> None:
    """Every view and the lines behind them in one .xlsx at `target`."""
    report = build_report(wiring, actor, institution_id, query)
    tables = list(report_tables(report).values())
    with wiring.db.reading() as session:
        entries = _every_line(session, actor, institution_id, query)
        write_xlsx([*tables, lines_table(entries)], target, progress)


def export_xlsx(
    wiring: OrdersWiring, actor: Principal, institution_id: str, query: dict
) -> tuple[str, Path]:
    """Written to a temporary file (never whole in memory), which the caller streams."""
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as handle:
        path = Path(handle.name)
    try:
        write_workbook(wiring, actor, institution_id, query, path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return f"priority-purchasing-{query['fiscal_year']}.xlsx", path


# -- export jobs (Celery) ----------------------------------------------------------------


def start_job(
    wiring: OrdersWiring, actor: Principal, institution_id: str, query: dict, enqueue
) -> ExportJob:
    with wiring.db.reading() as session:
        resolve_scope(session, actor, institution_id, query.get("department"))
    with wiring.db.transaction() as session:
        job = ExportJob(
            institution_id=institution_id,
            requested_by=actor.sub,
            requester_role=actor.role,
            requester_department=actor.dept,
            format="xlsx",
            query={k: v for k, v in query.items() if k in ("fiscal_year", "department", "source")},
            status="queued",
            progress=0,
        )
        session.add(job)
    enqueue(job.id)
    return job


def run_job(wiring: OrdersWiring, job_id: str) -> str:
    with wiring.db.reading() as session:
        job = session.get(ExportJob, job_id)
    if job is None or job.status != "queued":
        return "skipped"
    actor = Principal(
        sub=job.requested_by,
        role=job.requester_role,
        org=job.institution_id,
        dept=job.requester_department,
    )
    folder = Path(wiring.settings.exports_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{job.id}.xlsx"
    _update(wiring, job_id, status="running", progress=5)

    def progress(rows: int) -> None:
        _update(wiring, job_id, progress=min(95, 5 + rows // 5000))

    try:
        write_workbook(wiring, actor, job.institution_id, job.query, target, progress)
    except Exception as exc:  # recorded on the job for the requester; the log keeps the trace
        log.exception("performance_export_failed", job_id=job_id)
        _update(wiring, job_id, status="failed", error=str(exc)[:500], finished_at=utcnow())
        return "failed"
    name = f"priority-purchasing-{job.query['fiscal_year']}.xlsx"
    _update(wiring, job_id, status="done", progress=100, file_name=name, finished_at=utcnow())
    return "done"


def _update(wiring: OrdersWiring, job_id: str, **changes) -> None:
    with wiring.db.transaction() as session:
        job = session.get(ExportJob, job_id)
        for name, value in changes.items():
            setattr(job, name, value)


def get_job(wiring: OrdersWiring, actor: Principal, institution_id: str, job_id: str) -> ExportJob:
    with wiring.db.reading() as session:
        job = session.get(ExportJob, job_id)
    if (
        job is None
        or job.institution_id != institution_id
        or (actor.role != "admin" and job.requested_by != actor.sub)
    ):
        raise not_found("export", "내보내기")
    return job


def job_file(
    wiring: OrdersWiring, actor: Principal, institution_id: str, job_id: str
) -> tuple[str, Path]:
    job = get_job(wiring, actor, institution_id, job_id)
    path = Path(wiring.settings.exports_dir) / f"{job.id}.xlsx"
    if job.status != "done" or not path.exists():
        raise Problem(
            409, "export_not_ready", "아직 파일이 준비되지 않았습니다", f"진행률 {job.progress}%"
        )
    return job.file_name, path
