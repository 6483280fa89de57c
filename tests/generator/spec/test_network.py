"""Network specs: addresses are exact networks, and the API server is never "anywhere"."""

import pytest
from pydantic import ValidationError

from generator.spec.network import ApiServerAccess


def test_the_api_server_may_span_a_slash_8_and_no_more() -> None:
    access = ApiServerAccess(cidr="10.0.0.0/8", webhook_sources=["10.42.0.1/32"])
    assert (access.cidr, access.ports) == ("10.0.0.0/8", [6443])
    with pytest.raises(ValidationError) as raised:
        ApiServerAccess(cidr="10.0.0.0/7", webhook_sources=["10.42.0.1/32"])
    assert (
        "10.0.0.0/7 is wider than /8: the API server is a few node addresses, not the internet "
        "(external HTTPS is an external_egress rule)"
    ) in str(raised.value)


@pytest.mark.parametrize("cidr", ["10.42.0.1/24", "192.168.56.300/32", "10.42.0.0/33"])
def test_a_network_with_host_bits_or_out_of_range_is_refused(cidr: str) -> None:
    with pytest.raises(ValidationError, match=r"does not appear to be|has host bits set"):
        ApiServerAccess(cidr="10.42.0.0/16", webhook_sources=[cidr])
