"""Extract the OpenAPI v3 schemas of the custom resources Sodsong's manifests use from the operators' own CRDs.

    python vendor.py <path of an operators' git checkout> <repo> <tag> <crd path inside the repo> ...

Writes <group>/<kind>.<version>.json (the `openAPIV3Schema` of each served version) and records where each came
from in sources.json (repository, tag, commit, path). The tests validate every custom resource against these.
"""
import json
import subprocess
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent


def main(checkout: str, repo: str, tag: str, *paths: str) -> None:
    sources_file = HERE / "sources.json"
    sources = json.loads(sources_file.read_text()) if sources_file.exists() else {}
    commit = subprocess.run(["git", "-C", checkout, "rev-parse", tag + "^{commit}"], capture_output=True, text=True,
                            check=True).stdout.strip()
    for path in paths:
        text = subprocess.run(["git", "-C", checkout, "show", f"{commit}:{path}"], capture_output=True, text=True,
                              check=True).stdout
        crd = yaml.safe_load(text)
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            if not version.get("served", True):
                continue
            out = HERE / group / f"{kind}.{version['name']}.json"
            out.parent.mkdir(exist_ok=True)
            out.write_text(json.dumps(version["schema"]["openAPIV3Schema"], sort_keys=True) + "\n")
            sources[f"{group}/{kind}.{version['name']}"] = {"repository": repo, "tag": tag, "commit": commit,
                                                             "path": path}
    sources_file.write_text(json.dumps(dict(sorted(sources.items())), indent=2) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
