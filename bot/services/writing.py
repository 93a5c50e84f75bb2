"""Writing the postmortem: saving sections (with revisions and conflict detection), readers'
feedback, and the blameless check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain import completeness
from bot.domain.errors import BadCommand, IncidentNotFound
from bot.domain.messages import N_
from bot.domain.model import Feedback, Incident, Postmortem, SectionRevision
from bot.domain.policy import Policy
from bot.domain.postmortem import SECTION_KEYS
from bot.domain.postmortem_states import Event, Step, step
from bot.domain.review import review_of
from bot.services.common import GONE, roles_in
from bot.services.ports import Storage, UnitOfWork
from bot.services.review import back_to_review

MAX_ATTEMPTS = 5  # saves of *other* sections that may slip in between before we give up


@dataclass(frozen=True)
class Saved:
    """The outcome of a save: saved, or not because someone changed the same section first."""

    incident: Incident
    postmortem: Postmortem
    conflict: SectionRevision | None = None  # their change, when there is one
    back_to_review: bool = False  # it was approved: its reviewers must look again
    amendment: bool = False  # it was published: the change is shown as an amendment

    @property
    def saved(self) -> bool:
        return self.conflict is None


async def postmortem_by_id(*, uow: UnitOfWork, postmortem_id: int) -> tuple[Incident, Postmortem]:
    """The postmortem and its incident, by the id a button or modal carries."""
    async with uow:
        pm = await uow.postmortems.get(postmortem_id)
        incident = await uow.incidents.get(pm.incident_id) if pm else None
    if pm is None or incident is None:
        raise IncidentNotFound(GONE)
    return incident, pm


async def editable(
    *, uow: UnitOfWork, postmortem_id: int, by: str, member: bool
) -> tuple[Incident, Postmortem]:
    """Before a form opens: the postmortem, if `by` may edit it as it stands."""
    async with uow:
        incident, pm = await _found(uow, postmortem_id)
        await _edit_step(uow, incident, pm, by, member)
    return incident, pm


async def save_section(
    *,
    storage: Storage,
    postmortem_id: int,
    section: str,
    text: str,
    by: str,
    member: bool,
    base_version: int,
    policy: Policy,
    now: datetime,
    placeholders: frozenset[str],
) -> Saved:
    """Save one section edited from `base_version`, under the postmortem's lock. Saves of other
    sections in between are kept (merged); a save of the same section in between is a conflict,
    and nothing is lost: the caller shows both texts. The state machine decides who may edit:
    an approved text that changes goes back to review; a published one is amended; once it has
    left the draft, a required section can't be emptied (`placeholders`: the draft's hints)."""
    if section not in SECTION_KEYS:
        raise BadCommand(N_("There is no section '%(section)s'."), section=section)
    for _ in range(MAX_ATTEMPTS):
        async with storage.uow() as uow:
            incident, pm = await _found(uow, postmortem_id, lock=True)
            after = {**pm.sections, section: text}
            emptied = await _emptied(uow, incident, pm.sections, after, policy, placeholders)
            moved = await _edit_step(uow, incident, pm, by, member, emptied)
            theirs = await uow.writing.revisions(pm.id, after_version=base_version, section=section)
            if theirs and theirs[-1].after != text:
                return Saved(incident, pm, conflict=theirs[-1])
            before = pm.sections.get(section, "")
            if before == text:
                return Saved(incident, pm)
            revision = SectionRevision(
                pm.id, pm.version + 1, section, before, text, by, now, amendment=moved.amendment
            )
            if await uow.writing.save_section(
                pm.id, sections=after, expected_version=pm.version, revision=revision
            ):
                saved = await uow.postmortems.get(pm.id)
                assert saved is not None
                if moved.back_to_review:
                    saved = await back_to_review(uow, saved, policy, now, by=by)
                await uow.commit()
                return Saved(
                    incident,
                    saved,
                    back_to_review=moved.back_to_review,
                    amendment=moved.amendment,
                )
    raise BadCommand(N_("The postmortem is being edited very busily; please save again."))


async def feedback_form(
    *, uow: UnitOfWork, postmortem_id: int, user: str, reader: bool
) -> tuple[Incident, Postmortem]:
    """Before the feedback form (which names the incident) opens: the postmortem, if `user`
    may answer it (see `add_feedback`)."""
    async with uow:
        incident, pm = await _found(uow, postmortem_id)
        await _may_answer(uow, incident, pm, user, reader)
    return incident, pm


async def add_feedback(
    *,
    uow: UnitOfWork,
    postmortem_id: int,
    user: str,
    kind: str,
    text: str | None,
    reader: bool,
    now: datetime,
) -> bool:
    """A reader found it helpful, or left a comment; False for a repeated "helpful". `reader`:
    `user` is in a channel where it is shown (for a private incident, whose readers are its
    own people; Slack's member lists, read again on every click and form)."""
    async with uow:
        incident, pm = await _found(uow, postmortem_id)
        await _may_answer(uow, incident, pm, user, reader)
        added = await uow.writing.add_feedback(Feedback(postmortem_id, user, kind, now, text))
        await uow.commit()
    return added


async def _may_answer(
    uow: UnitOfWork, incident: Incident, pm: Postmortem, user: str, reader: bool
) -> None:
    # Only a published postmortem is answered, by those who may read it (a button's id is
    # untrusted): anyone's, or a private incident's people.
    roles = await roles_in(uow, incident, user, postmortem=pm, member=reader)
    step(review_of(pm, (), None), Event.FEEDBACK, roles, actor=user)


async def _found(
    uow: UnitOfWork, postmortem_id: int, *, lock: bool = False
) -> tuple[Incident, Postmortem]:
    pm = await uow.postmortems.get(postmortem_id, for_update=lock)
    incident = await uow.incidents.get(pm.incident_id) if pm else None
    if pm is None or incident is None:
        raise IncidentNotFound(GONE)
    return incident, pm


async def _edit_step(
    uow: UnitOfWork,
    incident: Incident,
    pm: Postmortem,
    by: str,
    member: bool,
    emptied: tuple[str, ...] = (),
) -> Step:
    roles = await roles_in(uow, incident, by, postmortem=pm, member=member)
    return step(review_of(pm, [], None), Event.EDIT, roles, actor=by, emptied=emptied)


async def _emptied(
    uow: UnitOfWork,
    incident: Incident,
    before: dict[str, str],
    after: dict[str, str],
    policy: Policy,
    placeholders: frozenset[str],
) -> tuple[str, ...]:
    """The required sections this edit would leave unwritten (the state machine decides)."""
    actions = await uow.writing.actions(incident.id)
    return completeness.emptied(
        before,
        after,
        action_items=len(actions),
        required=policy.required_sections,
        placeholders=placeholders,
    )
