"""Which task sends which deliveries (`queues.tasks_for`)."""

from notify import queues


def test_deliveries_to_one_destination_go_together_and_each_receiver_alone():
    deliveries = [
        *((f"w{i}", "webhook", f"https://hooks.wanju.kr/orders/{i}") for i in range(12)),
        ("x1", "webhook", "https://erp.gwangmyeong.kr:8443/hook"),
        ("m1", "email", "buyer@wanju.go.kr"),
        ("s1", "sms", "01012345678"),
        ("a1", "alimtalk", "01098765432"),
        ("m2", "email", "coop@wanju.kr"),
    ]

    tasks = queues.tasks_for(deliveries)

    assert tasks == [
        # one receiver (scheme, host and port), whatever the path: ten to a task, in order
        (queues.WEBHOOK, [f"w{i}" for i in range(10)]),
        (queues.WEBHOOK, ["w10", "w11"]),
        # another receiver never shares a task with it
        (queues.WEBHOOK, ["x1"]),
        (queues.EMAIL, ["m1", "m2"]),  # one SMTP server
        (queues.TEXT, ["s1", "a1"]),  # texts: SMS and 알림톡, one provider's queue
    ]


def test_the_same_host_on_another_port_or_scheme_is_another_receiver():
    tasks = queues.tasks_for(
        [
            ("a", "webhook", "https://coop.example.kr/hook"),
            ("b", "webhook", "http://coop.example.kr/hook"),
            ("c", "webhook", "https://coop.example.kr:8443/hook"),
            ("d", "webhook", "https://COOP.example.kr/other"),
        ]
    )

    assert tasks == [(queues.WEBHOOK, ["a", "d"]), (queues.WEBHOOK, ["b"]), (queues.WEBHOOK, ["c"])]
