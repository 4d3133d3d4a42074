"""procrastinate's side of the relay figure (found by its autodiscovery of `tasks`)."""

from procrastinate.contrib.django import app


@app.task(name="bench.noop")
def noop() -> None:
    """Nothing: the figure is what the queue costs per job."""
