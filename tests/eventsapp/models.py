from django.db import models


class Effect(models.Model):
    """One row per subscriber run that committed: counting them shows exactly-once effects."""

    subscriber = models.CharField(max_length=100)
    event_id = models.UUIDField()
    event_type = models.CharField(max_length=200)

    def __str__(self):
        return f"{self.subscriber}:{self.event_id}"


class Note(models.Model):
    """A row with a foreign key, for subscribers that break it."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE)

    def __str__(self):
        return f"note for {self.user_id}"
