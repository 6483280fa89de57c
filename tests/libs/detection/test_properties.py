"""Property tests of the scoring core: every accepted transaction scores and can alert.

Any sequence of valid transactions of one customer — extreme amounts, any
place on the globe, any order in time, any category — goes through ``detect``
and ``to_alert`` without an exception, with scores in [0, 1] and a state that
round-trips through its bytes. Derandomized; 10 000 examples (fewer under mutation).
"""

import os
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from libs.detection.config import load_rules
from libs.detection.core import DetectorContext, detect, to_alert
from libs.detection.transaction import Txn
from libs.models.events import Category, Channel, Transaction
from libs.models.state import CustomerFraudState

CONTEXT = DetectorContext(load_rules(), frozenset({"C-black"}), frozenset({"S-black"}),
                          population_amounts={"grocery": 180.0, "travel": 4200.0})  # fmt: skip
# 10 000 examples (~35 s). `make mutation` asks for fewer (scripts/mutation.py sets
# PROPERTY_EXAMPLES_VARIABLE): the first failing example kills a mutant, and the full
# count for each of the ~700 mutants this test reaches would take hours. Fewer examples
# can only kill fewer mutants, so the score it reports is a lower bound.
PROPERTY_EXAMPLES_VARIABLE = "STREAMFLOW_PROPERTY_EXAMPLES"
EXAMPLES = settings(max_examples=int(os.environ.get(PROPERTY_EXAMPLES_VARIABLE, "10000")),
                    derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])  # fmt: skip

transactions = st.builds(
    Transaction,
    transaction_id=st.uuids().map(str),
    customer_id=st.sampled_from(["C1", "C-black"]),
    store_id=st.sampled_from(["S1", "S-black"]),
    amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999999.99"), places=2),
    currency=st.sampled_from(["EUR", "USD", "BRL"]),
    timestamp=st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2199, 12, 30),
                           timezones=st.sampled_from([UTC])),
    latitude=st.floats(min_value=-90, max_value=90),
    longitude=st.floats(min_value=-180, max_value=180),
    channel=st.sampled_from(Channel),
    category=st.sampled_from(Category),
)  # fmt: skip


@EXAMPLES
@given(st.lists(transactions, min_size=1, max_size=12), st.sampled_from([0, 1, 60_000]))
def test_every_accepted_transaction_scores_and_builds_an_alert(
    history: list[Transaction], spacing_ms: int
) -> None:
    state = CustomerFraudState()
    for index, transaction in enumerate(history):
        txn = Txn.of(transaction)
        if spacing_ms:  # a burst in event time, whatever the generated timestamps
            txn = txn._replace(timestamp_ms=1_700_000_000_000 + index * spacing_ms)
        state, decision = detect(state, txn, CONTEXT)
        assert 0.0 <= decision.score <= 1.0 and 0.0 <= decision.rules.combined <= 1.0
        alert = to_alert(txn, decision, CONTEXT, detected_at=datetime.now(UTC) + timedelta(0))
        assert alert.transaction_id == txn.transaction_id
        assert CustomerFraudState.from_bytes(state.to_bytes()) == state
