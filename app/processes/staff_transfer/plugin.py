"""The staff-transfer plug-in (人员调转): what ``bpmn/staff_transfer.bpmn`` may name, and how a transfer shows."""
from __future__ import annotations

from typing import Any

from flask import url_for

from ...domain import N_
from ...domain.idnumber import mask
from ...i18n import _l
from ...services import attachments
from ...services.actors import Actor
from ...services.plugins import Decision, Fact, NavLink, ProcessPlugin, Summary, org_reviewers
from . import api, pages, service
from .models import StaffTransfer
from .views import transfer_view

UNIT_STAFF = frozenset(service.STAFF_ROLES)


def _apply(host: Any, params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return service.move_person(host.record, host.actor, host.instance.process_key)


class StaffTransferPlugin(ProcessPlugin):
    name = "staff_transfer"
    order = 30
    record_type = service.RECORD_TYPE
    processes = {"staff_transfer": N_("人员调转")}
    model = StaffTransfer
    label = _l("Staff transfer")
    lanes = {"from_unit": org_reviewers("from_unit_id", service.STAFF_ROLES),
             "to_unit": org_reviewers("to_unit_id", service.STAFF_ROLES)}
    handlers = {"apply_transfer": _apply}
    decisions = {"accept": Decision(_l("Accept the transfer"), _l("Transfer accepted.")),
                 "refuse": Decision(_l("Refuse the transfer"), _l("Transfer refused."))}
    actions = {"file": _l("Transfer-out filed"), "transfer_review": _l("Target unit's decision"),
               "cancel": _l("Transfer cancelled by the filing unit")}
    record_template = "staff_transfer/_record.html"
    has_files = True
    nav = (NavLink("staff_transfer.incoming", _l("Transfers in"), UNIT_STAFF, frozenset({"unit"}), order=20),
           NavLink("staff_transfer.outgoing", _l("Transfers out"), UNIT_STAFF, frozenset({"unit"}), order=21),
           NavLink("staff_transfer.records", _l("Transfer records"), UNIT_STAFF, frozenset({"unit"}), order=22))

    def visible(self, record: StaffTransfer, actor: Actor) -> bool:
        return service.visible(record, actor)

    def summary(self, record: StaffTransfer) -> Summary:
        return Summary(subject=record.person.name, subject_id_number=mask(record.person.id_number),
                       title=f"{record.from_unit.name} → {record.to_unit.name}",
                       facts=(Fact(N_("Reason for the transfer"), record.reason),
                              Fact(N_("Contact"), f"{record.contact_name} {record.contact_phone}")))

    def subject_user_id(self, record: StaffTransfer) -> int | None:
        return record.person_id

    def year(self, record: StaffTransfer) -> int | None:
        return record.created_at.year if record.created_at else None

    def present(self, record: StaffTransfer, actor: Actor) -> dict[str, Any]:
        return transfer_view(record)

    def files(self, record: StaffTransfer) -> list[Any]:
        return attachments.files_of(self.record_type, record.id)

    def record_url(self, record: StaffTransfer, actor: Actor) -> str | None:
        return url_for("staff_transfer.detail", transfer_id=record.id) if service.my_units(actor) else None

    def check_record(self, report: Any, instance: Any, record: StaffTransfer, context: dict[str, Any]) -> None:
        if (record.moved_at is not None) != (record.status == "accepted"):
            report.add(instance.id, "record", f"transfer {record.id} status {record.status!r} "
                                              f"with moved_at={record.moved_at}")

    def blueprints(self) -> tuple[list[Any], list[Any]]:
        return [api.blp], [pages.blp]

    def demo(self, world: Any) -> None:
        """One finished transfer to look at: a trainee of 养护公司 moved to 工程公司."""
        person, from_unit, to_unit = world.transferred
        service.demo_transfer(person, from_unit, to_unit, world.reviewer_of(from_unit), world.reviewer_of(to_unit))


PLUGIN = StaffTransferPlugin()
