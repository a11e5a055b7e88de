-- One database per service (docs: "a database per service"). The postgres image runs this
-- once, as POSTGRES_USER, on the first start with an empty data volume; that user owns all
-- of them. Each service only ever receives the URL of its own database
-- (WEB_DATABASE_URL, CATALOG_DATABASE_URL, ORDERS_DATABASE_URL, NOTIFY_DATABASE_URL in
-- docker-compose.yml).
CREATE DATABASE catalog ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE orders ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE notify ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE web ENCODING 'UTF8' TEMPLATE template0;
