"""Reading the CSV files people save from Korean Excel: Korean headers and typed cells (the
file itself, its encoding and row numbers, is read by gachi_kit.spreadsheet).

Pure code, no database: the import use case (services/imports.py) passes in the managed
lists (categories, product groups) and decides what to write. Every message is Korean and
names the row as a spreadsheet user counts it (the header is row 1) and the column by its
header.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from catalog.domain import regions
from catalog.domain.enterprise import ENTERPRISE_STATUS_LABELS, ENTERPRISE_TYPES
from catalog.domain.product import (
    MAX_IMAGE_URLS,
    PRODUCT_STATUSES,
    TAX_TYPES,
    image_url_problem,
)
from gachi_kit.brn import InvalidBRN, normalize_brn
from gachi_kit.spreadsheet import (
    MAX_ROWS,
    NO_ROWS,
    Record,
    SpreadsheetError,
    header_key,
    read_csv,
)

SKU_RE = re.compile(r"[A-Za-z0-9._\-]{1,40}")
PHONE_RE = re.compile(r"[0-9\-+ ]{7,20}")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
DATE_RE = re.compile(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})")
INTEGER_RE = re.compile(r"\d{1,3}(,\d{3})+|\d+")


class CellError(ValueError):
    """One cell's value is wrong; the message is for the person who typed it."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    parse: Callable[[str], Any]
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: str = ""


@dataclass
class RowError:
    column: str
    message: str


@dataclass
class Row:
    number: int  # as a spreadsheet counts it: the header is row 1
    values: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)

    def fail(self, column: str, message: str) -> None:
        self.errors.append(RowError(column, message))


@dataclass
class Table:
    columns: list[Column]  # the known columns present in the file, in file order
    ignored: list[str]  # headers we do not know (left alone, listed in the report)
    rows: list[Row]
    encoding: str = "utf-8"  # the one the file was read with

    def has(self, key: str) -> bool:
        return any(c.key == key for c in self.columns)


# -- the table -------------------------------------------------------------------------------


def parse_table(
    data: bytes, columns: list[Column], *, encoding: str = "auto", max_rows: int = MAX_ROWS
) -> Table:
    """Read the file (gachi_kit.spreadsheet: encoding, header, row numbers) and parse every
    row's known cells. The file as a whole unreadable, a required column missing or no rows:
    SpreadsheetError; a wrong cell: an error on its row."""
    sheet = read_csv(data, encoding=encoding, max_rows=max_rows)
    located = sheet.locate({c.key: (c.header, *c.aliases) for c in columns})
    missing = [c.header for c in columns if c.required and c.key not in located.positions]
    if missing:
        raise SpreadsheetError(
            "csv_missing_columns",
            "필수 열이 없습니다: "
            + ", ".join(missing)
            + ". 머리글(1행)의 열 이름을 확인해 주세요.",
        )
    if not sheet.records:
        raise SpreadsheetError("csv_empty", NO_ROWS)
    by_key = {c.key: c for c in columns}
    present = sorted(
        ((index, by_key[key]) for key, index in located.positions.items()), key=lambda p: p[0]
    )
    rows = [_parse_row(record, len(sheet.header), present) for record in sheet.records]
    return Table(
        columns=[column for _index, column in present],
        ignored=located.ignored,
        rows=rows,
        encoding=sheet.encoding,
    )


def _parse_row(record: Record, width: int, present: list[tuple[int, Column]]) -> Row:
    row = Row(number=record.number, values={})
    if record.extra_cells(width):
        row.fail("", f"칸 수({len(record.cells)})가 머리글의 열 수({width})보다 많습니다.")
    for index, column in present:
        try:
            row.values[column.key] = column.parse(record.cell(index))
        except CellError as exc:
            row.fail(column.header, str(exc))
    return row


# -- cell parsers ----------------------------------------------------------------------------


def text(max_length: int, *, required: bool = False, blank: Any = "") -> Callable[[str], Any]:
    def parse(raw: str) -> Any:
        if not raw:
            if required:
                raise CellError("값이 비어 있습니다.")
            return blank
        if len(raw) > max_length:
            raise CellError(f"{max_length}자 이하로 적어 주세요 (지금 {len(raw)}자).")
        return raw

    return parse


def integer(
    low: int, high: int, *, required: bool = False, blank: Any = None, what: str = "값"
) -> Callable[[str], Any]:
    """Whole numbers only; `3,500` (Excel's thousands separators) is fine, `3500.5`,
    `3.5e3` or `-1` are not: money is whole KRW."""

    def parse(raw: str) -> Any:
        if not raw:
            if required:
                raise CellError("값이 비어 있습니다.")
            return blank
        if not INTEGER_RE.fullmatch(raw):
            if raw.startswith("-") and INTEGER_RE.fullmatch(raw[1:]):
                raise CellError(f"{what}은(는) {low:,} 이상이어야 합니다: '{raw}'")
            raise CellError(f"{what}은(는) 정수로 적어 주세요 (소수·문자 불가): '{raw}'")
        value = int(raw.replace(",", ""))
        if not low <= value <= high:
            raise CellError(f"{what}은(는) {low:,}~{high:,} 사이여야 합니다: '{raw}'")
        return value

    return parse


def choice(options: Mapping[str, str], *, required: bool = False) -> Callable[[str], Any]:
    """A code or its Korean label (`과세` or `taxable`) -> the code."""
    lookup = {header_key(code): code for code in options}
    lookup.update({header_key(label): code for code, label in options.items()})
    shown = ", ".join(options.values())

    def parse(raw: str) -> Any:
        if not raw:
            if required:
                raise CellError(f"값이 비어 있습니다 ({shown} 중 하나).")
            return None
        code = lookup.get(header_key(raw))
        if code is None:
            raise CellError(f"'{raw}'은(는) 쓸 수 없습니다. {shown} 중 하나로 적어 주세요.")
        return code

    return parse


def brn(raw: str) -> str:
    if not raw:
        raise CellError("값이 비어 있습니다.")
    try:
        return normalize_brn(raw)
    except InvalidBRN as exc:
        raise CellError(f"{exc}: '{raw}'") from exc


def sigungu(raw: str) -> str:
    if not raw:
        raise CellError("값이 비어 있습니다.")
    if regions.get_sigungu(raw) is None:
        raise CellError(f"알 수 없는 시군구 코드입니다: '{raw}' (5자리 법정동 코드, 예: 41210)")
    return raw


def phone(raw: str) -> str | None:
    if not raw:
        return None
    if not PHONE_RE.fullmatch(raw):
        raise CellError(f"전화번호 형식이 올바르지 않습니다: '{raw}'")
    return raw


def email(raw: str) -> str | None:
    if not raw:
        return None
    if len(raw) > 200 or not EMAIL_RE.fullmatch(raw):
        raise CellError(f"이메일 형식이 올바르지 않습니다: '{raw}'")
    return raw


def day(raw: str) -> date | None:
    if not raw:
        return None
    match = DATE_RE.fullmatch(raw)
    try:
        if match is None:
            raise ValueError(raw)
        return date(*(int(g) for g in match.groups()))
    except ValueError as exc:
        raise CellError(f"날짜는 2025-03-01 형식으로 적어 주세요: '{raw}'") from exc


def sku(raw: str) -> str:
    if not raw:
        raise CellError("값이 비어 있습니다.")
    if not SKU_RE.fullmatch(raw):
        raise CellError(f"상품코드는 영문·숫자·.-_ 로 40자까지 쓸 수 있습니다: '{raw}'")
    return raw


def tags(raw: str) -> list[str]:
    items = [t.strip() for t in re.split(r"[,;|]", raw) if t.strip()]
    if len(items) > 20:
        raise CellError("태그는 20개까지 쓸 수 있습니다.")
    long = [t for t in items if len(t) > 30]
    if long:
        raise CellError(f"태그는 30자 이하여야 합니다: '{long[0]}'")
    return list(dict.fromkeys(items))


def image_urls(raw: str) -> list[str]:
    urls = [u for u in re.split(r"[\s|;]+", raw) if u]
    if len(urls) > MAX_IMAGE_URLS:
        raise CellError(f"이미지 주소는 {MAX_IMAGE_URLS}개까지 쓸 수 있습니다.")
    for url in urls:
        problem = image_url_problem(url)
        if problem:
            raise CellError(f"{problem} '{url}'")
    return urls


def code_in(known: Mapping[str, str], what: str) -> Callable[[str], Any]:
    """A code of a managed list (product group): blank means none."""

    def parse(raw: str) -> Any:
        if not raw:
            return None
        if raw not in known:
            raise CellError(f"등록되지 않은 {what}입니다: '{raw}'")
        return raw

    return parse


# -- the two files ---------------------------------------------------------------------------

CERTIFICATION_KEYS = (
    "cert_kind",
    "cert_number",
    "cert_issuer",
    "cert_valid_from",
    "cert_valid_to",
)


def enterprise_columns() -> list[Column]:
    return [
        Column("name", "상호", text(100, required=True), True, ("기업명", "상호명")),
        Column(
            "enterprise_type",
            "기업유형",
            choice(ENTERPRISE_TYPES, required=True),
            True,
            ("유형",),
            help="사회적기업, 예비사회적기업, 협동조합, 사회적협동조합, 마을기업, 자활기업, "
            "자활근로사업단 (또는 API 코드)",
        ),
        Column(
            "brn",
            "사업자등록번호",
            brn,
            True,
            ("사업자번호",),
            help="123-45-67890 또는 1234567890; 같은 번호의 기업이 있으면 그 기업을 고칩니다",
        ),
        Column("representative", "대표자", text(50, required=True), True, ("대표자명",)),
        Column("sigungu_code", "시군구코드", sigungu, True, help="5자리 법정동 코드, 예: 41210"),
        Column("address", "주소", text(200)),
        Column("phone", "전화번호", phone, aliases=("연락처", "전화")),
        Column("email", "이메일", email, aliases=("전자우편", "email")),
        Column("contact_person", "담당자", text(50, blank=None), aliases=("담당자명",)),
        Column(
            "status",
            "상태",
            choice(ENTERPRISE_STATUS_LABELS),
            help="정상, 거래정지, 폐업; 비우면 새 기업은 정상, 있던 기업은 그대로",
        ),
        Column("cert_kind", "인증구분", text(40, blank=None), aliases=("인증종류",)),
        Column("cert_number", "인증번호", text(40, blank=None)),
        Column("cert_issuer", "인증기관", text(100, blank=None), aliases=("발급기관",)),
        Column("cert_valid_from", "인증시작일", day, help="2025-03-01 형식"),
        Column("cert_valid_to", "인증종료일", day, help="2025-03-01 형식"),
    ]


_ENTERPRISE_HEADERS = {c.key: c.header for c in enterprise_columns()}  # built once, not per row


def check_enterprise_row(row: Row) -> None:
    """Cross-field rules: the certification columns go together, and end after they start."""
    headers = _ENTERPRISE_HEADERS
    given = [k for k in CERTIFICATION_KEYS if row.values.get(k) is not None]
    if given and len(given) < len(CERTIFICATION_KEYS):
        for key in CERTIFICATION_KEYS:
            if row.values.get(key) is None and not any(
                e.column == headers[key] for e in row.errors
            ):
                row.fail(
                    headers[key],
                    "인증 정보를 적으려면 인증구분·인증번호·인증기관·인증시작일·인증종료일을 "
                    "모두 적어 주세요.",
                )
    start, end = row.values.get("cert_valid_from"), row.values.get("cert_valid_to")
    if start and end and end < start:
        row.fail(headers["cert_valid_to"], "인증종료일이 인증시작일보다 빠릅니다.")


def product_columns(categories: Mapping[str, str], groups: Mapping[str, str]) -> list[Column]:
    return [
        Column(
            "sku",
            "상품코드(SKU)",
            sku,
            True,
            ("상품코드", "SKU", "품번"),
            help="기업 안에서 겹치지 않는 코드; 같은 코드의 상품이 있으면 그 상품을 고칩니다",
        ),
        Column("name", "상품명", text(200, required=True), True),
        Column(
            "category",
            "분류",
            choice(categories, required=True),
            True,
            ("카테고리",),
            help="GET /v1/categories 의 이름(식품, 생활용품 …) 또는 코드",
        ),
        Column("unit", "단위", text(20, required=True), True, help="봉, 박스, 권, 회 …"),
        Column(
            "unit_price",
            "단가",
            integer(0, 10_000_000_000, required=True, what="단가"),
            True,
            ("가격", "판매가"),
            help="원 단위 정수 (3500 또는 3,500)",
        ),
        Column(
            "tax_type",
            "과세구분",
            choice(TAX_TYPES, required=True),
            True,
            ("과세여부",),
            help="과세 또는 면세",
        ),
        Column(
            "min_order_qty",
            "최소주문수량",
            integer(1, 1_000_000, blank=1, what="최소주문수량"),
            help="비우면 1",
        ),
        Column(
            "lead_time_days",
            "납기일수",
            integer(0, 365, blank=3, what="납기일수"),
            aliases=("리드타임", "리드타임(일)"),
            help="주문 후 납품까지 걸리는 날 수; 비우면 3",
        ),
        Column(
            "weekly_capacity",
            "주간공급능력",
            integer(1, 10_000_000, what="주간공급능력"),
            help="한 주에 공급할 수 있는 수량; 비우면 제한 없음",
        ),
        Column(
            "stock",
            "재고",
            integer(0, 1_000_000_000, what="재고"),
            help="비우면 재고를 관리하지 않음",
        ),
        Column("description", "상품설명", text(5000), aliases=("설명",)),
        Column("tags", "태그", tags, help="쉼표(,)로 구분"),
        Column(
            "image_urls",
            "이미지URL",
            image_urls,
            aliases=("이미지",),
            help="https:// 주소, 여러 개는 공백이나 | 로 구분",
        ),
        Column(
            "group_code",
            "상품군코드",
            code_in(groups, "상품군 코드"),
            help="GET /v1/product-groups 의 코드, 예: KIMCHI-POGI-10KG",
        ),
        Column(
            "status",
            "판매상태",
            choice(PRODUCT_STATUSES),
            aliases=("상태",),
            help="판매중, 준비중, 판매중지; 비우면 새 상품은 판매중, 있던 상품은 그대로",
        ),
    ]


def describe(columns: list[Column]) -> str:
    """A Markdown table of the columns, for the OpenAPI description."""
    lines = ["| 열 이름 | 필수 | 다른 이름 | 설명 |", "|---|---|---|---|"]
    for c in columns:
        aliases = ", ".join(c.aliases)
        lines.append(f"| {c.header} | {'예' if c.required else ''} | {aliases} | {c.help} |")
    return "\n".join(lines)
