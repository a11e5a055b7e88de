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


def test_a_batched_request_keeps_its_retries_among_its_headers():
    from celery_batches import SimpleRequest

    def batched(retries, redelivered):
        return SimpleRequest(
            id="t",
            name="notify.handle_event",
            args=({},),
            kwargs={},
            delivery_info={"redelivered": redelivered},
            hostname="notify@h",
            ignore_result=True,
            reply_to=None,
            correlation_id=None,
            request_dict={"retries": retries, "task": "notify.handle_event"},
        )

    assert first_delivery(batched(0, False))
    assert not first_delivery(batched(1, False))
    assert not first_delivery(batched(0, True))
