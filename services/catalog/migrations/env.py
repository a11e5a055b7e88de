from alembic import context

from catalog.adapters.models import Base
from catalog.config import SERVICE
from gachi_kit.config import Env
from gachi_kit.migrations import run_env

run_env(context, Base.metadata, Env().database_url(SERVICE))
