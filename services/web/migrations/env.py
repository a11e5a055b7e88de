from alembic import context

from gachi_kit.config import Env
from gachi_kit.migrations import run_env
from web.config import SERVICE
from web.identity.models import Base

run_env(context, Base.metadata, Env().database_url(SERVICE))
