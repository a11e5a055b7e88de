"""Korean administrative regions: 시도 and 시군구 with 행정안전부 법정동코드 (LAWD_CD).

Data comes from the bundled ``catalog/data/regions.csv`` (a verbatim copy of the
shared reference file), loaded once on first use. Notes on the data:

* Codes are the post-2024 ones: 강원특별자치도 is ``51`` and 전북특별자치도 is ``52``;
  the old names (강원도, 전라북도) and codes (42xxx, 45xxx) are not present.
* Cities with non-autonomous 구 appear once per 구, e.g. ``41111`` "수원시 장안구".
* 세종특별자치시 has no 시군구 level: one row ``36110`` with an empty ``sigungu_name``.
* 시군구 names repeat across 시도 (중구, 고성군, ...), so look names up with their 시도.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = [
    "Region",
    "all_regions",
    "find_sigungu",
    "get_sigungu",
    "is_valid_sigungu",
    "sido_codes",
    "sigungu_in_sido",
]


@dataclass(frozen=True, slots=True)
class Region:
    sido_code: str  # 2 digits, e.g. "41"
    sido_name: str  # e.g. "경기도"
    sigungu_code: str  # 5 digits, starts with sido_code, e.g. "41210"
    sigungu_name: str  # e.g. "광명시"; "" for 세종특별자치시


@dataclass(frozen=True, slots=True)
class _Index:
    regions: tuple[Region, ...]
    by_code: dict[str, Region]
    by_name: dict[tuple[str, str], Region]
    sido: dict[str, str]


def _clean(name: str) -> str:
    # User input may be NFD (macOS) or carry stray spaces; the CSV is NFC, single-spaced.
    return " ".join(unicodedata.normalize("NFC", name).split())


@cache
def _index() -> _Index:
    source = resources.files("catalog.data").joinpath("regions.csv")
    # utf-8-sig tolerates a BOM should the file ever be re-saved from a spreadsheet.
    with source.open("r", encoding="utf-8-sig", newline="") as f:
        regions = tuple(
            Region(
                sido_code=row["sido_code"].strip(),
                sido_name=row["sido_name"].strip(),
                sigungu_code=row["sigungu_code"].strip(),
                sigungu_name=row["sigungu_name"].strip(),
            )
            for row in csv.DictReader(f)
        )
    return _Index(
        regions=regions,
        by_code={r.sigungu_code: r for r in regions},
        by_name={(r.sido_name, r.sigungu_name): r for r in regions},
        sido={r.sido_code: r.sido_name for r in regions},
    )


def all_regions() -> tuple[Region, ...]:
    """Every 시군구 in file order (grouped by 시도), e.g. for select boxes."""
    return _index().regions


def get_sigungu(code: str) -> Region | None:
    """The region with this 5-digit 시군구 code, or None."""
    return _index().by_code.get(code.strip())


def find_sigungu(sido_name: str, sigungu_name: str) -> Region | None:
    """Look up by full names, e.g. ("경기도", "광명시") or ("경기도", "수원시 장안구")."""
    return _index().by_name.get((_clean(sido_name), _clean(sigungu_name)))


def sido_codes() -> dict[str, str]:
    """시도 code -> name, in file order. A fresh dict, so callers may modify it."""
    return dict(_index().sido)


def is_valid_sigungu(code: str) -> bool:
    return get_sigungu(code) is not None


def sigungu_in_sido(sigungu_code: str, sido_code: str) -> bool:
    """True when the 시군구 exists and belongs to that 시도."""
    region = get_sigungu(sigungu_code)
    return region is not None and region.sido_code == sido_code.strip()
