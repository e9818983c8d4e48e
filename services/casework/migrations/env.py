from services.casework.models import Base
from shared.migrations import run_env

run_env("casework", Base.metadata)
