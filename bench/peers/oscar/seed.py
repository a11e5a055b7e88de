"""Runs inside the peer's own virtual environment: recreates its PostgreSQL database,
migrates, and seeds the catalogue gachi's order-flow benchmark uses (5 partners x 4
products, prices in KRW, no stock tracking) and the one shipping country.

    <oscar venv>/bin/python seed.py catalogue.json   # prints {"product_ids": [...]} as JSON

Called by prepare.py; the catalogue comes from bench/seeded_platform.py's ENTERPRISES.
"""

import json
import os
import sys
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")


def recreate_database() -> None:
    import psycopg
    from settings import DATABASES

    db = DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db["NAME"]}"')


def seed(catalogue: list) -> list[int]:
    from django.contrib.sites.models import Site
    from oscar.core.loading import get_model

    Country = get_model("address", "Country")
    Partner = get_model("partner", "Partner")
    ProductClass = get_model("catalogue", "ProductClass")
    Product = get_model("catalogue", "Product")
    StockRecord = get_model("partner", "StockRecord")

    Site.objects.update_or_create(id=1, defaults={"domain": "127.0.0.1", "name": "oscar"})
    Country.objects.create(
        iso_3166_1_a2="KR",
        iso_3166_1_a3="KOR",
        iso_3166_1_numeric="410",
        printable_name="대한민국",
        name="Republic of Korea",
        is_shipping_country=True,
    )
    kind = ProductClass.objects.create(name="상품", requires_shipping=True, track_stock=False)
    ids = []
    for enterprise, products in catalogue:
        partner = Partner.objects.create(name=enterprise)
        for n, (title, price) in enumerate(products):
            product = Product.objects.create(
                structure="standalone", title=title, product_class=kind, is_public=True
            )
            StockRecord.objects.create(
                product=product,
                partner=partner,
                partner_sku=f"{partner.id}-{n}",
                price=Decimal(price),
                price_currency="KRW",
            )
            ids.append(product.id)
    return ids


def main() -> None:
    catalogue = json.loads(Path(sys.argv[1]).read_text())
    recreate_database()
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    print(json.dumps({"product_ids": seed(catalogue)}))


if __name__ == "__main__":
    main()
