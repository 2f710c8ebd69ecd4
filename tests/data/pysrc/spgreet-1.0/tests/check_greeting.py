import spgreet


def test_greeting():
    assert spgreet.greeting() == "hello from spgreet"
