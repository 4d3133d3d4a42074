"""Click parameter types for what the portal's schema asks: RFC 3339 times, decimal
quantities, positive ids."""

from datetime import datetime
from decimal import Decimal, InvalidOperation

import click


class DateTime(click.ParamType):
    """An ISO 8601 / RFC 3339 time (2026-12-01T09:00, …Z, …+01:00); a time without an
    offset is in the local time zone. Sent as RFC 3339 with its offset."""

    name = "TIME"

    def convert(self, value, param, ctx) -> str:
        if isinstance(value, datetime):
            moment = value
        else:
            text = str(value).strip()
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                self.fail(
                    f"{text!r} is not a time: use ISO 8601, e.g. 2026-12-01T09:00 or "
                    "2026-12-01T09:00:00+01:00.",
                    param,
                    ctx,
                )
        if moment.tzinfo is None:
            moment = moment.astimezone()  # the local zone
        return moment.isoformat()


class Quantity(click.ParamType):
    """A decimal quantity (up to 3 places), sent as a string as the schema says."""

    name = "QTY"

    def convert(self, value, param, ctx) -> str:
        text = str(value).strip()
        try:
            number = Decimal(text)
        except InvalidOperation:
            self.fail(f"{text!r} is not a number.", param, ctx)
        if not number.is_finite():
            self.fail(f"{text!r} is not a number.", param, ctx)
        return text


class Id(click.ParamType):
    """A positive whole number: an id of the portal."""

    name = "ID"

    def convert(self, value, param, ctx) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
        text = str(value).strip()
        if not text.isdigit() or int(text) < 1:
            self.fail(f"{text!r} is not an id (a whole number from 1).", param, ctx)
        return int(text)


DATETIME = DateTime()
QUANTITY = Quantity()
ID = Id()
