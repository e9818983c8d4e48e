"""shared.clients: what a per-client limit counts."""


def test_a_channel_client_counts_as_itself_and_garbage_as_unknown():
    from shared.clients import group

    assert group("line:3f2a") == "line:3f2a" and group("line:3f2a") != group("line:77aa")
    assert group("not an address") == "unknown" and group("::1") == "::/64" and group(None) == "unknown"
