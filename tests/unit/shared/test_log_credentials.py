"""No broker or database password reaches a log line, even inside a multi-host URL that kombu prints whole."""
import io
import json
import logging

from shared import logging as logging_mod


def test_passwords_in_urls_are_masked_in_foreign_and_own_log_lines():
    stream = io.StringIO()
    logging_mod.configure("INFO", stream=stream)
    uri = "amqp://svc:s3cr%40t@node1:5672/sodsong;amqp://svc:s3cr%40t@node2:5672/sodsong"
    logging.getLogger("nameko.messaging").warning("Error connecting to broker at %s", uri)
    logging_mod.get_logger("shared.test").warning("db.unreachable", url="postgresql://app:hunter2@db:5432/sodsong")
    try:
        raise ConnectionError(f"cannot reach {uri}")
    except ConnectionError:
        logging_mod.get_logger("shared.test").exception("broker.failed")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    text = stream.getvalue()
    assert "s3cr" not in text and "hunter2" not in text
    assert "amqp://svc:********@node2:5672/sodsong" in lines[0]["event"]
    assert lines[1]["url"] == "postgresql://app:********@db:5432/sodsong"
    assert "ConnectionError" in lines[2]["exception"]
