"""Properties of the client limits' inputs: every valid address is counted in the right group, trusted proxies'
reports are believed and nobody else's, and every valid receipt (in any of the ways a tipster may type it) is
found by the same keyed hash."""
import ipaddress

from hypothesis import assume, given
from hypothesis import strategies as st

from services.intake import receipts
from shared.clients import ClientLimiter, client_address, group, settings

ipv4 = st.integers(min_value=0, max_value=2**32 - 1).map(lambda n: str(ipaddress.IPv4Address(n)))
ipv6 = st.integers(min_value=0, max_value=2**128 - 1).map(lambda n: ipaddress.IPv6Address(n)).filter(
    lambda a: a.ipv4_mapped is None).map(str)
PROXY = settings({"clients": {"trusted_proxies": ["10.0.0.0/8"], "client_address_header": "X-Forwarded-For"}})


@given(ipv6, st.integers(min_value=0, max_value=2**64 - 1))
def test_every_address_of_a_64_is_one_client(address, host):
    net = ipaddress.ip_network(f"{address}/64", strict=False)
    other = str(net.network_address + host)
    assume(ipaddress.IPv6Address(other).ipv4_mapped is None)  # ::/64 holds ::ffff:0:0/96, IPv4 by definition
    assert group(address) == group(other) == str(net)


@given(ipv4)
def test_ipv4_addresses_stand_alone_and_mapped_ones_are_the_same(address):
    assert group(address) == address == group(f"::ffff:{address}")


@given(ipv4 | ipv6, st.integers(min_value=1, max_value=2**24 - 2))
def test_a_trusted_proxy_is_believed_and_nobody_else(client, proxy_host):
    proxy = str(ipaddress.IPv4Address((10 << 24) + proxy_host))
    environ = {"REMOTE_ADDR": proxy, "HTTP_X_FORWARDED_FOR": f"192.0.2.1, {client}"}
    assert client_address(environ, PROXY) == str(ipaddress.ip_address(client))
    environ["REMOTE_ADDR"] = "203.0.113.9"
    assert client_address(environ, PROXY) == "203.0.113.9"


@given(st.lists(ipv4 | ipv6, min_size=1, max_size=30, unique=True))
def test_limits_are_per_client(addresses):
    limiter = ClientLimiter(2, 60)
    first = limiter.key(addresses[0])
    limiter.hit(first), limiter.hit(first)
    assert limiter.retry_after(first) > 0
    assert all(limiter.retry_after(limiter.key(a)) == 0 for a in addresses[1:] if group(a) != group(addresses[0]))


@given(st.text(alphabet="0123456789", min_size=16, max_size=16), st.sampled_from([" ", "-", ""]))
def test_every_receipt_as_typed_finds_the_same_keyed_hash(receipt, sep):
    key = receipts.ReceiptKey(b"k" * 32)
    typed = sep.join(receipt[i:i + 4] for i in range(0, 16, 4))
    assert receipts.normalise(typed) == receipt
    assert key.mac(receipts.normalise(typed)) == key.mac(receipt) and len(key.mac(receipt)) == 64


def test_an_ipv4_mapped_address_inside_the_first_64_counts_as_ipv4():
    assert group("::ffff:0.0.0.0") == "0.0.0.0" and group("::ffff:c000:201") == "192.0.2.1"
    assert group("::1") == "::/64"
