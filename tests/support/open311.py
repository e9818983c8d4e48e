"""Reading intake's Open311 XML as a partner would: parsed with defusedxml (no entities, no network) and checked
against the schemas of what GeoReport v2 answers look like (georeport_v2*.xsd beside this file)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import defusedxml.ElementTree as SafeET
import xmlschema

HERE = Path(__file__).parent


@lru_cache(maxsize=2)
def schema(post: bool = False) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(HERE / ("georeport_v2_post.xsd" if post else "georeport_v2.xsd")))


def valid_xml(data: bytes, *, post: bool = False):
    """The document's root element, after checking it is well-formed, safe and valid; raises otherwise."""
    assert data.startswith(b"<?xml"), data[:80]
    root = SafeET.fromstring(data)
    schema(post).validate(data.decode("utf-8"))
    return root


def records(root) -> list[dict]:
    """A list answer (services, service_requests) as dicts of element text ('' for an empty element)."""
    return [{child.tag: (child.text or "") for child in item} for item in root]
