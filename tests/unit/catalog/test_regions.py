import dataclasses
import re
import unicodedata

import pytest

from catalog.domain.regions import (
    Region,
    all_regions,
    find_sigungu,
    get_sigungu,
    is_valid_sigungu,
    sido_codes,
    sigungu_in_sido,
)

GWANGMYEONG = Region("41", "경기도", "41210", "광명시")
# The bundled data uses the 2024 name and code: 전북특별자치도 (52), not 전라북도 (45).
WANJU = Region("52", "전북특별자치도", "52710", "완주군")


def test_get_sigungu() -> None:
    assert get_sigungu("41210") == GWANGMYEONG
    assert get_sigungu("52710") == WANJU
    assert get_sigungu(" 41210 ") == GWANGMYEONG


@pytest.mark.parametrize("code", ["99999", "", "4121", "412100", "abcde", "45710", "42110"])
def test_unknown_codes(code: str) -> None:
    # 45710 / 42110 are the pre-2024 codes of 완주군 / 춘천시.
    assert get_sigungu(code) is None
    assert not is_valid_sigungu(code)


def test_find_sigungu() -> None:
    assert find_sigungu("경기도", "광명시") == GWANGMYEONG
    assert find_sigungu("전북특별자치도", "완주군") == WANJU
    suwon_jangan = Region("41", "경기도", "41111", "수원시 장안구")
    assert find_sigungu("경기도", "수원시 장안구") == suwon_jangan


def test_find_sigungu_tolerates_spacing_and_nfd_input() -> None:
    nfd = unicodedata.normalize("NFD", "광명시")
    assert nfd != "광명시"
    assert find_sigungu(" 경기도", nfd) == GWANGMYEONG
    assert find_sigungu("경기도", "수원시  장안구 ").sigungu_code == "41111"


def test_find_sigungu_misses() -> None:
    assert find_sigungu("경기도", "완주군") is None  # wrong 시도
    assert find_sigungu("전라북도", "완주군") is None  # legacy 시도 name is not aliased
    assert find_sigungu("경기", "광명시") is None  # abbreviations are not supported
    assert find_sigungu("경기도", "없는시") is None


def test_repeated_sigungu_names_are_distinguished_by_sido() -> None:
    assert find_sigungu("서울특별시", "중구").sigungu_code == "11140"
    assert find_sigungu("부산광역시", "중구").sido_code == "26"
    assert find_sigungu("강원특별자치도", "고성군").sigungu_code == "51820"
    assert find_sigungu("경상남도", "고성군").sido_code == "48"


def test_sejong_has_no_sigungu_name() -> None:
    sejong = get_sigungu("36110")
    assert sejong == Region("36", "세종특별자치시", "36110", "")
    assert find_sigungu("세종특별자치시", "") == sejong


def test_sido_codes() -> None:
    codes = sido_codes()
    assert len(codes) == 17
    assert codes["41"] == "경기도"
    assert codes["52"] == "전북특별자치도"
    assert codes["51"] == "강원특별자치도"
    assert "45" not in codes  # pre-2024 전라북도
    assert "42" not in codes  # pre-2023 강원도
    codes.clear()  # a copy: mutating it must not affect the module
    assert len(sido_codes()) == 17


def test_sigungu_in_sido() -> None:
    assert sigungu_in_sido("41210", "41")
    assert sigungu_in_sido("52710", "52")
    assert not sigungu_in_sido("41210", "52")
    assert not sigungu_in_sido("99999", "41")
    assert not sigungu_in_sido("52710", "45")


def test_region_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        GWANGMYEONG.sigungu_name = "광명"  # type: ignore[misc]


def test_data_is_consistent() -> None:
    regions = all_regions()
    codes = [r.sigungu_code for r in regions]
    assert len(codes) == len(set(codes))
    sido = sido_codes()
    for r in regions:
        assert re.fullmatch(r"[0-9]{2}", r.sido_code)
        assert re.fullmatch(r"[0-9]{5}", r.sigungu_code)
        assert r.sigungu_code.startswith(r.sido_code)
        assert sido[r.sido_code] == r.sido_name
        assert r.sigungu_name == r.sigungu_name.strip()
        assert unicodedata.is_normalized("NFC", r.sido_name + r.sigungu_name)
        assert find_sigungu(r.sido_name, r.sigungu_name) == r
    # Only 세종 lacks a 시군구 name.
    assert [r.sido_name for r in regions if not r.sigungu_name] == ["세종특별자치시"]


def test_loaded_once() -> None:
    assert all_regions() is all_regions()
    assert get_sigungu("41210") is get_sigungu("41210")
