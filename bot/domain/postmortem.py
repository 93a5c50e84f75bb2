"""The postmortem document's free-text sections, in the order the template shows them.

The metadata (created, period, people, status) and the timeline are not sections: they come from
the incident, the postmortem record and the timeline entries.
"""

from __future__ import annotations

SECTION_KEYS: tuple[str, ...] = (
    "summary",
    "impact",
    "root_cause",
    "trigger",
    "response",
    "detection",
    "went_well",
    "went_wrong",
    "lucky",
    "action_items",
    "references",
)
