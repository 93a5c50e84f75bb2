"""``/incident postmortem …`` and ``/incident retro held``, parsed into typed commands (see
``bot.domain.commands`` for the grammar as a whole)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.command_help import USAGE
from bot.domain.errors import BadCommand
from bot.domain.messages import N_, Message
from bot.domain.postmortem import EDIT_WORDS
from bot.domain.tokens import first_word, listing, nothing_more, tokenize
from bot.domain.values import read_people


@dataclass(frozen=True)
class PostmortemShow:
    pass


@dataclass(frozen=True)
class PostmortemAuthor:
    user: str  # Slack user id


@dataclass(frozen=True)
class PostmortemReviewers:
    users: tuple[str, ...]  # Slack user ids, at least one, in order, without repeats


@dataclass(frozen=True)
class PostmortemReady:
    pass


@dataclass(frozen=True)
class PostmortemWaive:
    reason: str  # exactly as typed, minus outer whitespace; never empty


@dataclass(frozen=True)
class PostmortemEdit:
    section: str | None = None  # one of EDITABLE_SECTIONS; None: pick one in the form


@dataclass(frozen=True)
class PostmortemCheck:
    pass


@dataclass(frozen=True)
class RetroHeld:
    notes: str  # exactly as typed, minus outer whitespace; may be empty


PostmortemCommand = (
    PostmortemShow
    | PostmortemAuthor
    | PostmortemReviewers
    | PostmortemReady
    | PostmortemWaive
    | PostmortemEdit
    | PostmortemCheck
)


_POSTMORTEM = "/incident postmortem"
_POSTMORTEM_FORMS = (
    "author @alice",
    "reviewers @alice @bob",
    "ready",
    "waive <reason>",
    "edit [section]",
    "check",
)
# The sections written in Slack, by the words people use (`root-cause`, also `root_cause`;
# `action-items` is the reason none is needed: the items themselves have their own commands).
EDITABLE_SECTIONS = {word: key for key, word in EDIT_WORDS.items()} | {
    word.replace("-", "_"): key for key, word in EDIT_WORDS.items()
}


def _people(
    rest: str, *, question: str, wanted: Message, example: str | Message
) -> tuple[str, ...]:
    users = read_people([t.text for t in tokenize(rest)], wanted=wanted, example=example)
    if not users:
        raise BadCommand(question, example=example)
    return users


def parse_postmortem(rest: str) -> PostmortemCommand:
    word, rest = first_word(rest)
    verb = word.lower()
    if not verb:
        return PostmortemShow()
    if verb == "author":
        example = f"{_POSTMORTEM} author @alice"
        users = _people(
            rest,
            question=N_("Who writes the postmortem? Try %(example)s"),
            wanted=Message(N_("The author is a person")),
            example=example,
        )
        if len(users) > 1:
            raise BadCommand(
                N_("One author, please (reviewers can be several): %(example)s"), example=example
            )
        return PostmortemAuthor(user=users[0])
    if verb == "reviewers":
        example = f"{_POSTMORTEM} reviewers @alice @bob"
        users = _people(
            rest,
            question=N_("Who should review the postmortem? Try %(example)s"),
            wanted=Message(N_("Reviewers are people")),
            example=example,
        )
        return PostmortemReviewers(users=users)
    if verb == "ready":
        nothing_more(rest, "postmortem ready", f"{_POSTMORTEM} ready")
        return PostmortemReady()
    if verb == "edit":
        name = rest.strip().lower().replace(" ", "-")
        if name and name not in EDITABLE_SECTIONS:
            sections = ", ".join(sorted({k for k in EDITABLE_SECTIONS if "_" not in k}))
            raise BadCommand(
                N_("There is no section %(name)r. Sections: %(sections)s."),
                name=name[:30],
                sections=sections,
            )
        return PostmortemEdit(section=EDITABLE_SECTIONS[name] if name else None)
    if verb == "check":
        nothing_more(rest, "postmortem check", f"{_POSTMORTEM} check")
        return PostmortemCheck()
    if verb == "waive":
        if not rest.strip():
            raise BadCommand(
                N_("A waiver needs a reason everyone can read later, e.g. %(example)s"),
                example=f"{_POSTMORTEM} waive Duplicate of INC-6",
            )
        return PostmortemWaive(reason=rest.strip())
    raise BadCommand(
        N_(
            "I don't know postmortem %(word)r. Try %(command)s to see where it stands, "
            "or postmortem %(forms)s."
        ),
        word=word[:30],
        command=_POSTMORTEM,
        forms=listing(_POSTMORTEM_FORMS),
    )


def parse_retro(rest: str) -> RetroHeld:
    word, notes = first_word(rest)
    if word.lower() != "held":
        usage, example = USAGE["retro"]
        record = Message(
            N_("Once the retro has been held, record it: %(usage)s, e.g. %(example)s"),
            {"usage": usage, "example": example},
        )
        if word:
            raise BadCommand(
                N_("I didn't understand %(word)r. %(record)s"), word=word[:30], record=record
            )
        raise BadCommand(record)
    return RetroHeld(notes=notes.strip())
