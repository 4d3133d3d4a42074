from django.db import models


class Effect(models.Model):
    """One row per subscriber run that committed: counting them shows exactly-once effects."""

    subscriber = models.CharField(max_length=100)
    event_id = models.UUIDField()
    event_type = models.CharField(max_length=200)

    def __str__(self):
        return f"{self.subscriber}:{self.event_id}"
