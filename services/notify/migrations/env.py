from alembic import context

from gachi_kit.config import Env
from gachi_kit.migrations import run_env
from notify.adapters.models import Base
from notify.config import SERVICE

run_env(context, Base.metadata, Env().database_url(SERVICE))
