"""What each outbox effect does in Slack. Every function may run again after an unknown outcome
(a crash, a hang-up, a timeout), so each looks before it acts: messages are posted once
(handlers/effect_posting.py), the channel is never created twice (handlers/channel_setup.py),
and what was done is recorded step by step (document, publication) so a retry resumes.
"""

from __future__ import annotations

from typing import Any

from bot.domain.model import Incident
from bot.domain.outbox import Effect, Moot
from bot.domain.visibility import publication_channel, share_skipped
from bot.i18n import Translator
from bot.services import effects as svc
from bot.services import timeline
from bot.services.lifecycle import overview
from handlers import blocks, review_blocks
from handlers.channel_setup import channel_setup
from handlers.closing import invite_to_retro, publish_draft
from handlers.deps import Deps
from handlers.effect_posting import Slack, post_once
from handlers.kit import section
from handlers.publishing import refresh_summary

# ---- close ------------------------------------------------------------------------------------


async def close_outcome(slack: Slack, effect: Effect) -> None:
    """Which triggers fired (or that none did), in the incident channel."""
    deps, t = slack.deps, slack.deps.translator
    incident, pm = await svc.incident_and_postmortem(
        uow=deps.storage.uow(), incident_id=effect.subject_id
    )
    if incident is None or incident.channel_id is None:
        return
    triggers = list(pm.triggers) if pm else []
    findings = await timeline.closing_findings(uow=deps.storage.uow(), incident_id=incident.id)
    await post_once(
        slack,
        effect,
        incident.channel_id,
        "outcome",
        text=blocks.outcome_fallback(t, incident, triggers),
        blocks=blocks.outcome_blocks(t, incident, triggers, pm, findings),
    )


async def summary_refresh(slack: Slack, effect: Effect) -> None:
    """The pinned summary, brought up to date (an update: doing it twice is harmless)."""
    view = await overview(uow=slack.deps.storage.uow(), incident_id=effect.subject_id)
    await refresh_summary(slack.client, slack.deps, view, strict=True)


async def draft_share(slack: Slack, effect: Effect) -> None:
    """Render the draft and share it (a canvas, else a file); resumes after the document."""
    deps = slack.deps
    incident, pm = await svc.incident_and_postmortem(
        uow=deps.storage.uow(), incident_id=effect.subject_id
    )
    if incident is None or pm is None or incident.channel_id is None:
        return

    async def announce(**message: Any) -> None:
        await post_once(slack, effect, str(incident.channel_id), "draft", **message)

    await publish_draft(slack.client, deps, incident, pm, announce=announce)


async def retro_invite(slack: Slack, effect: Effect) -> None:
    """The retro invitation with its .ics (a file: after an unknown outcome it may come twice)."""
    deps = slack.deps
    incident, pm = await svc.incident_and_postmortem(
        uow=deps.storage.uow(), incident_id=effect.subject_id
    )
    if incident is not None and pm is not None:
        await invite_to_retro(slack.client, deps, incident, pm)


# ---- review -----------------------------------------------------------------------------------


async def review_request(slack: Slack, effect: Effect) -> None:
    """One reviewer's DM with Approve and Request changes, while it still asks for them."""
    deps = slack.deps
    incident, pm = await svc.incident_and_postmortem(
        uow=deps.storage.uow(), incident_id=effect.subject_id
    )
    reviewer = str(effect.payload.get("reviewer", ""))
    if (
        incident is None
        or pm is None
        or pm.status != "in_review"
        or pm.review_round != effect.payload.get("round")
        or reviewer not in pm.reviewers
    ):
        raise Moot("no longer asked: the review round or its reviewers changed")
    t = deps.translator
    text, body = review_blocks.review_request(t, incident, pm)
    changed_by = effect.payload.get("changed_by")
    if isinstance(changed_by, str):  # an approved text changed: say why they are asked again
        said = t.gettext(
            "<@%(by)s> changed the %(ref)s postmortem after it was approved, so its approvals "
            "were cleared; please review it again.",
            by=changed_by,
            ref=incident.ref,
        )
        text, body = said + "\n" + text, [section(said), *body]
    await post_once(slack, effect, reviewer, "review", text=text, blocks=body)


async def publication(slack: Slack, effect: Effect) -> None:
    """Post it company-wide (a private incident's: only where the policy allows), record it
    published (once), thank its people."""
    deps, t = slack.deps, slack.deps.translator
    found = await svc.publishable(uow=deps.storage.uow(), incident_id=effect.subject_id)
    round_ = effect.payload.get("round")
    if found is None or (round_ is not None and found[1].review_round != round_):
        raise Moot("no longer approved: it went back to review (a later approval publishes it)")
    incident, pm, items = found
    channel = publication_channel(incident, deps.policy)
    if pm.status == "approved":
        text, body = review_blocks.publication(t, incident, pm, items)
        _, ts = await post_once(slack, effect, channel, "publish", text=text, blocks=body)
        await svc.record_published(
            uow=deps.storage.uow(), postmortem_id=pm.id, round_=pm.review_round, ts=ts,
            now=deps.clock(),
        )
    if incident.channel_id and channel != incident.channel_id:
        thanks = t.gettext(
            "The postmortem is approved and published in <#%(channel)s>. "
            "Thank you <@%(author)s> and %(reviewers)s!",
            channel=channel,
            author=pm.author,
            reviewers=review_blocks.people(t, pm.reviewers),
        )
        await post_once(slack, effect, incident.channel_id, "thanks", text=thanks)
    if share_skipped(incident, deps.policy):
        await post_once(slack, effect, pm.author, "kept_private", text=_kept_private(t, incident))


def _kept_private(t: Translator, incident: Incident) -> str:
    """Why a private incident's postmortem was not shared company-wide (to its author)."""
    return t.gettext(
        "The %(ref)s postmortem is published in <#%(channel)s> only: %(ref)s is private, so it "
        "is not shared company-wide. To share private postmortems somewhere, the policy names "
        "a channel in `review.private_publish_channel`.",
        ref=incident.ref,
        channel=incident.channel_id,
    )


DELIVER = {
    "channel_setup": channel_setup,
    "close_outcome": close_outcome,
    "summary_refresh": summary_refresh,
    "draft_share": draft_share,
    "retro_invite": retro_invite,
    "review_request": review_request,
    "publication": publication,
}


def target_channel(deps: Deps, effect: Effect, incident: Incident) -> str | None:
    """Where the effect posts (to tell a person where to invite the bot)."""
    if effect.kind == "publication":
        return publication_channel(incident, deps.policy)
    return incident.channel_id
