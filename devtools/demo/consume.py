"""``python -m devtools.demo.consume BOOTSTRAP TOPIC``: print committed records until ^C."""

import contextlib
import sys

from confluent_kafka import Consumer, TopicPartition

from devtools.testing.topics import platform_topics


def main(argv: list[str] | None = None) -> int:
    """Print every record from the beginning, then follow."""
    servers, topic = (argv if argv is not None else sys.argv[1:])[:2]
    consumer = Consumer(
        {
            "bootstrap.servers": servers,
            "group.id": "demo-console",
            "isolation.level": "read_committed",
            "enable.auto.commit": False,
        }
    )
    consumer.assign([TopicPartition(topic, p, 0) for p in range(platform_topics()[topic])])
    with contextlib.suppress(KeyboardInterrupt):
        while True:
            message = consumer.poll(1.0)
            if message is not None and message.error() is None:
                print((message.value() or b"").decode(errors="replace"), flush=True)
    consumer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
