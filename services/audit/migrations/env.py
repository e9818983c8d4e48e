from services.audit.models import Base
from shared.migrations import run_env

run_env("audit", Base.metadata)
