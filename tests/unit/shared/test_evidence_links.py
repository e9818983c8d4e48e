"""The desk's signed links to a tip's files: exactly one file, one office, one user, for a short time."""
from urllib.parse import parse_qs, urlsplit

import pytest

from shared import evidence_links

CONFIG = {"evidence": {"link_key": "k" * 40, "link_seconds": 60, "intake_url": "https://tips.example.org/"},
          "intake": {"http": "127.0.0.1:8000"}, "data_dir": "/nonexistent"}


def _parts(url):
    split = urlsplit(url)
    _, _, reference, attachment = split.path.split("/")
    query = {k: v[0] for k, v in parse_qs(split.query).items()}
    return reference, attachment, query


def _verify(key, reference, attachment, q, now=1000):
    return evidence_links.verify(key, reference, attachment, q.get("office"), q.get("user"), q.get("exp"),
                                 q.get("sig"), now=now)


def test_a_link_works_for_what_it_names_until_it_expires():
    url = evidence_links.signed_url(CONFIG, "SS-AAAA-BBBB", "att-1", "PACC-R2", "user-1", now=1000)
    assert url.startswith("https://tips.example.org/evidence/SS-AAAA-BBBB/att-1?")
    reference, attachment, q = _parts(url)
    key = evidence_links.link_key(CONFIG)
    assert _verify(key, reference, attachment, q)
    assert _verify(key, reference, attachment, q, now=1060)
    assert not _verify(key, reference, attachment, q, now=1061)


@pytest.mark.parametrize("change", [
    {"reference": "SS-AAAA-CCCC"}, {"attachment": "att-2"}, {"office": "NACC-TRT"}, {"user": "user-2"},
    {"exp": "999999999999"}, {"sig": "0" * 64}, {"sig": None}, {"exp": "soon"},
])
def test_changing_anything_breaks_the_link(change):
    url = evidence_links.signed_url(CONFIG, "SS-AAAA-BBBB", "att-1", "PACC-R2", "user-1", now=1000)
    reference, attachment, q = _parts(url)
    reference = change.pop("reference", reference)
    attachment = change.pop("attachment", attachment)
    q.update(change)
    assert not _verify(evidence_links.link_key(CONFIG), reference, attachment, q)


def test_another_key_does_not_verify_and_short_keys_are_refused():
    url = evidence_links.signed_url(CONFIG, "SS-AAAA-BBBB", "att-1", "PACC-R2", "user-1", now=1000)
    reference, attachment, q = _parts(url)
    other = evidence_links.link_key({"evidence": {"link_key": "z" * 40}})
    assert not _verify(other, reference, attachment, q)
    with pytest.raises(ValueError):
        evidence_links.link_key({"evidence": {"link_key": "short"}})


def test_without_a_configured_key_processes_sharing_a_data_dir_share_one(tmp_path):
    config = {"evidence": {}, "data_dir": str(tmp_path / "data")}
    first = evidence_links.link_key(config)
    assert len(first) == 32 and evidence_links.link_key(config) == first
    # kept with the other keys, apart from the data
    assert (tmp_path / "data-keys" / evidence_links.KEY_FILE_NAME).stat().st_mode & 0o077 == 0
    assert not (tmp_path / "data" / evidence_links.KEY_FILE_NAME).exists()
    assert evidence_links.intake_url({"evidence": {}, "intake": {"http": "127.0.0.1:8000"}}) == "http://127.0.0.1:8000"
