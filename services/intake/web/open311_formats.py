"""Open311 GeoReport v2's two formats: the same answer as JSON or as XML (the spec's required format).

Every answer is a list of records (or, for a service definition and discovery, one record); XML wraps them in the
element the spec names (`services`/`service`, `service_requests`/`request`, `errors`/`error`, ...), writes nested
lists as repeated elements (`attributes`/`attribute`, `values`/`value`, `endpoints`/`endpoint`, `formats`/`format`),
booleans as true/false and a missing value as an empty element. Written with xml.etree (nothing is parsed here).
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from werkzeug.wrappers import Response

from shared.web import SECURITY_HEADERS

FORMATS = ("xml", "json")
MEDIA_TYPES = {"xml": "text/xml", "json": "application/json"}
# the element of each item in a list, by the list's own name
ITEM_NAMES = {"services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
              "values": "value", "endpoints": "endpoint", "formats": "format", "fields": "field",
              "messages": "message"}


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, (list, tuple)):
        item = ITEM_NAMES.get(element.tag, "item")
        for child in value:
            _fill(ET.SubElement(element, item), child)
    else:
        element.text = _text(value)


def to_xml(root: str, body) -> bytes:
    """`body` (a list of records, or one record) as an XML document under `root`."""
    element = ET.Element(root)
    _fill(element, body)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def respond(fmt: str, status: int, root: str, body, headers: dict | None = None) -> Response:
    all_headers = dict(SECURITY_HEADERS)
    all_headers.update(headers or {})
    if fmt == "xml":
        data = to_xml(root, body)
    else:
        data = json.dumps(body, ensure_ascii=False, default=str).encode("utf-8")
    return Response(data, status=status, mimetype=MEDIA_TYPES[fmt], headers=all_headers)
