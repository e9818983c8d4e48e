"""Every setting of Sodsong, assembled: shared's and each service's declarations (services/<svc>/settings.py),
registered with shared.config so that `load()` knows their defaults and types.

    python -m sodsong.settings          # write docs/settings.md and deploy/sodsong.example.yaml from them
    python -m sodsong.settings --check  # exit 1 if either file differs from what the declarations give
"""
from __future__ import annotations

import sys
from pathlib import Path

from services.audit.settings import SETTINGS as AUDIT
from services.casework.settings import SETTINGS as CASEWORK
from services.intake.settings import SETTINGS as INTAKE
from services.notify.settings import SETTINGS as NOTIFY
from services.routing.settings import SETTINGS as ROUTING
from shared import config
from shared.config import SHARED

GROUPS = (SHARED, INTAKE, ROUTING, CASEWORK, NOTIFY, AUDIT)
config.register(*GROUPS)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_YAML = ROOT / "deploy" / "sodsong.example.yaml"
REFERENCE_MD = ROOT / "docs" / "settings.md"

YAML_HEADER = """\
Sodsong configuration for a real deployment: every setting, with what it means. Values like ${VAR:default} are
read from the environment; SODSONG__<section>__<key>=<yaml value> overrides any setting (docs/settings.md).
Settings written out are the ones a deployment usually sets; the commented ones show their defaults.
Generated from the declarations (shared/config.py, services/*/settings.py): `python -m sodsong.settings`."""

MD_HEADER = """\
# Settings

Every setting of Sodsong, generated from its declaration (`shared/config.py` for the shared ones,
`services/<service>/settings.py` for each service's) by `python -m sodsong.settings`; a unit test keeps this
file and [deploy/sodsong.example.yaml](../deploy/sodsong.example.yaml) equal to what the declarations give.

Each value comes from, in order: the declared default, the YAML file (`--config FILE` or `SODSONG_CONFIG`;
`${VAR}` and `${VAR:default}` are read from the environment), then environment variables:
`SODSONG_AMQP_URI`, `SODSONG_AMQP_URI_<SERVICE>` (one service's broker user), `SODSONG_DB_URL`,
`SODSONG_DB_URL_<SERVICE>` (one service's database), `SODSONG_DATA_DIR`, `SODSONG_KEYS_DIR`, `SODSONG_LOG_LEVEL`,
and `SODSONG__<section>__<key>=<yaml value>` for any setting below (`SODSONG__intake__http=0.0.0.0:8000`). A part
of such a name that matches a known key whatever its case is that key; any other part keeps its case, so
`SODSONG__casework__deadlines__agencies__PACC-R3__acknowledge_days=5` sets office PACC-R3's deadline. A value of
the wrong type stops the process at start-up, naming the setting.
"""


def load(path=None, env=None) -> dict:
    """The configuration with every declared setting."""
    return config.load(path, env, GROUPS)


def generated() -> dict[Path, str]:
    return {EXAMPLE_YAML: config.render_yaml(GROUPS, YAML_HEADER),
            REFERENCE_MD: config.render_markdown(GROUPS, MD_HEADER)}


def main(argv: list[str]) -> int:
    stale = [path for path, text in generated().items()
             if not path.exists() or path.read_text(encoding="utf-8") != text]
    if "--check" in argv:
        for path in stale:
            print(f"{path.relative_to(ROOT)} differs from the declarations: python -m sodsong.settings")
        return 1 if stale else 0
    for path, text in generated().items():
        path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
