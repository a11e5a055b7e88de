"""What goes into the normalised search columns of products and enterprises.

The folding itself is `search_text.py`; this module only decides which fields are indexed
and in which order (the order matters: the first two fields get a 초성 section).
"""

from __future__ import annotations

from collections.abc import Iterable

from catalog.domain.search_text import SECTION_SEP, choseong, index_text, normalize


def product_search_text(
    *,
    name: str,
    enterprise_name: str,
    sku: str,
    category_label: str,
    group_name: str | None,
    tags: Iterable[str],
    description: str,
) -> str:
    """`name|enterprise|sku|category|group|tags…|description#초성(name)|초성(enterprise)`."""
    return index_text(
        name,
        enterprise_name,
        sku,
        category_label,
        group_name or "",
        *tags,
        description,
        choseong_fields=2,
    )


def product_search_name(name: str) -> str:
    """`normalize(name) # choseong(name)`: relevance ranks a match here above other fields."""
    return f"{normalize(name)}{SECTION_SEP}{choseong(name)}"


def enterprise_search_text(name: str, representative: str) -> str:
    return index_text(name, representative, choseong_fields=1)
