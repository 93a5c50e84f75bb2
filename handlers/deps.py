"""What listeners need, put into Bolt's context by the composition root's middleware."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.domain.policy import Policy
from bot.i18n import Translator
from bot.render import Renderer
from bot.services.channels import IncidentChannels
from bot.services.notes import NoteWriter
from bot.services.ports import Storage
from handlers.background import Background
from handlers.people import People


@dataclass
class Deps:
    storage: Storage
    policy: Policy
    renderer: Renderer
    people: People
    channels: IncidentChannels
    notes: NoteWriter
    clock: Callable[[], datetime]
    background: Background
    translator: Translator  # messages in the workspace's language: the policy's locale
