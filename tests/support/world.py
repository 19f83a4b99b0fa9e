"""The demo organisations and people, as ids the tests can use."""
from __future__ import annotations

from dataclasses import dataclass, field

from app.cli import demo
from app.db import transaction

PASSWORD = demo.DEMO_PASSWORD
T1, T2, T3 = (t[0] for t in demo.TRAINEES[:3])  # T1, T2 in unit 1; T3 in unit 2
T4 = demo.TRANSFERRED[0]  # enrolled in unit 2, transferred to unit 1 by the demo data


@dataclass
class World:
    org: dict[str, int] = field(default_factory=dict)
    user: dict[str, int] = field(default_factory=dict)

    @property
    def unit1(self) -> int:
        return self.org[demo.UNIT_1]

    @property
    def unit2(self) -> int:
        return self.org[demo.UNIT_2]

    @property
    def city(self) -> int:
        return self.org[demo.CITY]

    @property
    def city_b(self) -> int:
        return self.org[demo.CITY_B]

    @property
    def province(self) -> int:
        return self.org[demo.PROVINCE]


def build_world() -> World:
    with transaction():
        made = demo.load_demo()
    return World(org={name: o.id for name, o in made.orgs.items()},
                 user={name: u.id for name, u in made.users.items()})
