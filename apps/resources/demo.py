"""A week of bookings at the demo plant, around today."""

import zoneinfo
from datetime import datetime, time, timedelta

from django.utils import timezone

from apps.resources.models import Project, Resource
from apps.resources.services import AllocationItem, allocate

PLANT = zoneinfo.ZoneInfo("Europe/Berlin")

# (weekday, project code, [resource names], start hour, hours)
WEEK = [
    (0, "ORD-1001", ["CNC mill 1", "Anna Keller"], 7, 8),
    (0, "MNT-2026-11", ["CNC mill 2", "Lea Brandt"], 12, 4),
    (1, "ORD-1001", ["CNC mill 1", "CNC mill 2", "Anna Keller"], 7, 8),
    (1, "FLD-314", ["Truck HH-FO 42", "Tomasz Wójcik", "Jonas Weber"], 6, 9),
    (2, "ORD-1001", ["Welding bay", "Jonas Weber", "Mira Novak"], 8, 6),
    (2, "ORD-1001", ["Forklift F3"], 14, 2),
    (3, "FLD-314", ["Truck HH-FO 42", "Tomasz Wójcik", "Lea Brandt"], 10, 8),
    (3, "ORD-1001", ["CNC mill 1", "Anna Keller"], 7, 6),
    (4, "MNT-2026-11", ["CNC mill 1", "Anna Keller", "Lea Brandt"], 10, 5),
    (4, "ORD-1001", ["Welding bay", "Mira Novak"], 8, 4),
]


def book_demo_week() -> str:
    """Book the plant's week (Monday to Friday of the current week) through the service."""
    monday = timezone.localdate(timezone=PLANT)
    monday -= timedelta(days=monday.weekday())
    resources = dict(Resource.objects.values_list("name", "pk"))
    projects = {project.code: project for project in Project.objects.all()}
    booked = 0
    for weekday, code, names, hour, hours in WEEK:
        if code not in projects or not all(name in resources for name in names):
            continue  # the demo catalogue was edited: book what still exists
        start = datetime.combine(monday + timedelta(days=weekday), time(hour), tzinfo=PLANT)
        booked += len(
            allocate(
                project_id=projects[code].pk,
                items=[
                    AllocationItem(resources[n], start, start + timedelta(hours=hours))
                    for n in names
                ],
                note="Demo booking",
                actor=None,
            )
        )
    return f"Booked {booked} demo allocations for the week of {monday:%Y-%m-%d}."


# Run once each by load_demo_data, under these names.
STEPS = {"resources.week_of_bookings": book_demo_week}
