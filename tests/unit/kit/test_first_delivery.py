"""Which task messages may be recorded and applied in one transaction (`consumer`)."""

from celery.app.task import Context

from gachi_kit.celery import first_delivery


def test_a_message_on_its_first_hand_over():
    assert first_delivery(Context(retries=0, delivery_info={"redelivered": False}))
    assert first_delivery(Context(retries=0, delivery_info=None))  # eager or unknown


def test_a_retry_or_a_message_the_broker_put_back_is_not():
    assert not first_delivery(Context(retries=1, delivery_info={"redelivered": False}))
    # kombu's Redis transport marks what it restores from `unacked`; RabbitMQ its requeues
    assert not first_delivery(Context(retries=0, delivery_info={"redelivered": True}))
