"""Every form of ``/incident``, with an example and what it does: the help text, and the usage
and examples that the parser's error messages quote.

The command words stay English in every language; an example's free text, what a line does and
the placeholders of its usage (``<title>``) are messages, said in the reader's language.
"""

from __future__ import annotations

from typing import NamedTuple

from bot.domain.actions import PRIORITIES
from bot.domain.lifecycle import MARKS, ROLES, STATUSES
from bot.domain.messages import N_, Message
from bot.domain.model import DETECTIONS, INTERVENTIONS


class HelpLine(NamedTuple):
    usage: str  # the syntax, command words in English
    example: str  # a message id: an example that parses, in each language
    what: str  # a message id: what it does


# The placeholders in the usage lines, translated where the help is shown.
PLACEHOLDERS = (
    N_("<title>"),
    N_("<what happened>"),
    N_("<text>"),
    N_("<reason>"),
    N_("[what]"),
    N_("[notes]"),
    N_("[section]"),
    N_("[command]"),
    N_("@person"),
)

HELP_LINES: tuple[HelpLine, ...] = (
    HelpLine(
        "/incident start <title> [--sev 1-4] [--at TIME] [--private]",
        N_("/incident start Kafka brokers down --sev 2"),
        N_("Declares an incident: its own channel, you invited, a pinned summary."),
    ),
    HelpLine(
        "/incident start --private <title>",
        N_("/incident start --private Leaked deploy keys"),
        N_(
            "Declares a private incident (security, HR): a private channel, announced and "
            "listed nowhere else; only its people see it or act on it."
        ),
    ),
    HelpLine(
        "/incident note [TIME] <what happened>",
        N_("/incident note 10:42 Rolled back deploy 1234"),
        N_("Adds a note to the timeline (in the incident channel)."),
    ),
    HelpLine(
        "/incident close [--at TIME] [--impact DURATION|none] [--data-loss yes|no] "
        f"[--intervention {'|'.join(INTERVENTIONS)}] [--detected-by {'|'.join(DETECTIONS)}] "
        "[--reviewers @a @b]",
        N_(
            "/incident close --impact 27m --data-loss no --intervention rollback "
            "--detected-by monitoring"
        ),
        N_("Closes it, says which postmortem triggers fired, and opens the draft."),
    ),
    HelpLine(
        f"/incident status {'|'.join(STATUSES)} [TIME]",
        N_("/incident status monitoring 10:42"),
        N_("Moves the incident along; resolved ends the time to resolve."),
    ),
    HelpLine(
        "/incident sev 1-4 [TIME]",
        N_("/incident sev 2"),
        N_("Changes the severity (1 is the worst)."),
    ),
    HelpLine(
        f"/incident role [{'|'.join(ROLES)} @person]",
        N_("/incident role commander @alice"),
        N_("Hands out a role, or lists who has which."),
    ),
    HelpLine(
        f"/incident mark {'|'.join(MARKS)} [TIME] [what]",
        N_("/incident mark mitigated 10:58 Failover to the replica done"),
        N_("Marks a key moment: the metrics come from these."),
    ),
    HelpLine(
        "/incident timeline [check | N]",
        N_("/incident timeline check"),
        N_(
            "Lists the timeline in your time zone (page N of it), or checks it for moments "
            "out of order."
        ),
    ),
    HelpLine(
        "/incident note edit N <text> | note move N TIME | note delete N",
        N_("/incident note move 3 10:40"),
        N_("Corrects entry #N (its author or the commander); every change is kept."),
    ),
    HelpLine(
        "/incident action add <text> [--owner @person] [--due YYYY-MM-DD|2w|10d] "
        f"[--priority {'|'.join(PRIORITIES)}]",
        N_("/incident action add Alert on replica lag --owner @alice --due 2w --priority high"),
        N_("Adds an action item that prevents a recurrence."),
    ),
    HelpLine(
        "/incident action [list] | action done N",
        N_("/incident action done 2"),
        N_("Lists the action items, or marks one done."),
    ),
    HelpLine(
        "/incident action drop N <reason>",
        N_("/incident action drop 3 Duplicate of action #1"),
        N_("Drops an action item, saying why."),
    ),
    HelpLine(
        "/incident action owner N @person | action due N YYYY-MM-DD|2w",
        N_("/incident action owner 2 @alice"),
        N_("Changes an action item's owner or due date."),
    ),
    HelpLine(
        "/incident postmortem [author @person | reviewers @a @b | ready]",
        N_("/incident postmortem author @alice"),
        N_("Where the postmortem stands; hands it over, names reviewers, asks for review."),
    ),
    HelpLine(
        "/incident postmortem waive <reason>",
        N_("/incident postmortem waive Duplicate of INC-6"),
        N_("Records the team's decision not to write one."),
    ),
    HelpLine(
        "/incident postmortem edit [section]",
        N_("/incident postmortem edit root-cause"),
        N_("Edits a section of the postmortem in a form."),
    ),
    HelpLine(
        "/incident postmortem check",
        N_("/incident postmortem check"),
        N_("Checks that the postmortem reads blameless (only you see the answer)."),
    ),
    HelpLine(
        "/incident retro held [notes]",
        N_("/incident retro held Walked the timeline, 3 actions"),
        N_("Records that the retrospective took place."),
    ),
    HelpLine(
        "/incident help [command]",
        N_("/incident help close"),
        N_("This list, or one command's."),
    ),
)
# The first line of each subcommand; "note" is the note itself, not its corrections.
# Its example is a Message, so an error quoting it says it in the reader's language.
USAGE: dict[str, tuple[str, Message]] = {
    line.usage.split()[1]: (line.usage, Message(line.example)) for line in reversed(HELP_LINES)
}

OPTION_EXAMPLES = {
    "sev": "--sev 2",
    "private": "/incident start --private <title>",
    "at": '--at 10:42 or --at "2021-12-28 10:42"',
    "impact": "--impact 25m (or --impact none)",
    "data-loss": "--data-loss no (or yes)",
    "intervention": f"--intervention rollback (one of {', '.join(INTERVENTIONS)})",
    "detected-by": f"--detected-by monitoring (one of {', '.join(DETECTIONS)})",
    "reviewers": "--reviewers @alice @bob",
    "owner": "--owner @alice",
    "due": "--due 2021-12-31 (or --due 10d, --due 2w)",
    "priority": f"--priority high (one of {', '.join(PRIORITIES)})",
}
