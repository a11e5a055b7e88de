from alembic import context

from gachi_kit.config import Env
from gachi_kit.migrations import run_env
from orders.adapters import performance_models, quotation_models  # noqa: F401 (tables join the metadata)
from orders.adapters.models import Base
from orders.config import SERVICE

run_env(context, Base.metadata, Env().database_url(SERVICE))
