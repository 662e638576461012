"""The assertion the garbage-in tests share: bad input is refused with an error that names the problem."""

from collections.abc import Callable

import pytest


def refused(
    call: Callable[[], object], *names: str, errors: tuple[type[Exception], ...] = (TypeError, ValueError)
) -> str:
    """Call and require one of `errors` whose message names one of `names`; return the message."""
    with pytest.raises(errors) as caught:
        call()
    message = str(caught.value)
    assert any(name in message for name in names), f"the error does not name {names}: {caught.typename}: {message}"
    return message
