"""Demo data that fixtures cannot express (bookings in the current week, made through the
services so they also have their events). Apps declare steps in their `demo.py`;
`load_demo_data` runs each once, after the fixtures."""

from collections.abc import Callable

_steps: dict[str, Callable[[], str]] = {}


def demo_step(name: str):
    """Declare a function as the demo step `name`; it returns a line saying what it did."""

    def register(function: Callable[[], str]) -> Callable[[], str]:
        _steps[name] = function
        return function

    return register


def demo_steps() -> list[tuple[str, Callable[[], str]]]:
    return sorted(_steps.items())
