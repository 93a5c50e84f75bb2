"""Every form of ``/incident``, with an example: the help text, and the usage and examples that
the parser's error messages quote."""

from __future__ import annotations

from bot.domain.actions import PRIORITIES
from bot.domain.lifecycle import MARKS, ROLES, STATUSES
from bot.domain.model import DETECTIONS, INTERVENTIONS

HELP_LINES: tuple[tuple[str, str], ...] = (
    (
        "/incident start <title> [--sev 1-4] [--at TIME]",
        "/incident start Kafka brokers down --sev 2",
    ),
    (
        "/incident note [TIME] <what happened>",
        "/incident note 10:42 Rolled back deploy 1234",
    ),
    (
        "/incident close [--at TIME] [--impact DURATION|none] [--data-loss yes|no] "
        f"[--intervention {'|'.join(INTERVENTIONS)}] [--detected-by {'|'.join(DETECTIONS)}] "
        "[--reviewers @a @b]",
        "/incident close --impact 27m --data-loss no --intervention rollback "
        "--detected-by monitoring",
    ),
    (f"/incident status {'|'.join(STATUSES)} [TIME]", "/incident status monitoring 10:42"),
    ("/incident sev 1-4 [TIME]", "/incident sev 2"),
    (f"/incident role [{'|'.join(ROLES)} @person]", "/incident role commander @alice"),
    (
        f"/incident mark {'|'.join(MARKS)} [TIME] [what]",
        "/incident mark mitigated 10:58 Failover to the replica done",
    ),
    ("/incident timeline [check]", "/incident timeline check"),
    (
        "/incident note edit N <text> | note move N TIME | note delete N",
        "/incident note move 3 10:40",
    ),
    (
        "/incident action add <text> [--owner @person] [--due YYYY-MM-DD|2w|10d] "
        f"[--priority {'|'.join(PRIORITIES)}]",
        "/incident action add Alert on replica lag --owner @alice --due 2w --priority high",
    ),
    ("/incident action [list] | action done N", "/incident action done 2"),
    ("/incident action drop N <reason>", "/incident action drop 3 Duplicate of action #1"),
    (
        "/incident action owner N @person | action due N YYYY-MM-DD|2w",
        "/incident action owner 2 @alice",
    ),
    (
        "/incident postmortem [author @person | reviewers @a @b | ready]",
        "/incident postmortem author @alice",
    ),
    ("/incident postmortem waive <reason>", "/incident postmortem waive Duplicate of INC-6"),
    ("/incident postmortem edit [section]", "/incident postmortem edit root-cause"),
    ("/incident postmortem check", "/incident postmortem check"),
    ("/incident retro held [notes]", "/incident retro held Walked the timeline, 3 actions"),
    ("/incident help [command]", "/incident help close"),
)
# The first line of each subcommand; "note" is the note itself, not its corrections.
USAGE = {line[0].split()[1]: line for line in reversed(HELP_LINES)}

OPTION_EXAMPLES = {
    "sev": "--sev 2",
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
