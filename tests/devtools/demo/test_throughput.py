"""A job's sustained rate is the slope of its committed offsets inside the window."""

from devtools.demo.throughput import ConsumedOffsets


def offsets(samples: list[tuple[float, int]]) -> ConsumedOffsets:
    sampler = ConsumedOffsets("127.0.0.1:1", ["g"])  # not started: no broker needed
    sampler.samples["g"] = samples
    return sampler


def test_the_rate_is_the_slope_between_the_first_and_last_sample_in_the_window() -> None:
    sampler = offsets([(0.0, 0), (10.0, 5_000), (11.0, 6_000), (20.0, 15_000), (30.0, 15_000)])
    assert sampler.rate("g", 10.0, 20.0) == 1_000.0
    assert sampler.rate("g", 5.0, 25.0) == 1_000.0


def test_too_few_samples_give_no_rate() -> None:
    sampler = offsets([(0.0, 0), (10.0, 5_000), (10.5, 5_500)])
    assert sampler.rate("g", 9.0, 11.0) is None  # half a second apart
    assert sampler.rate("g", 20.0, 30.0) is None
