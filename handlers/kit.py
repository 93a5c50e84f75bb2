"""Block Kit, typed: the pieces the builders assemble messages and modals from (slack_sdk's
models, turned into JSON by slack_sdk and Bolt when they are sent), and the one way texts are
made to fit Slack's limits.

A text object holds at most 3,000 characters, a header 150, a button 75, a modal's title 24; a
message holds at most 50 blocks. What people write (titles, summaries, action items) has no
such limit, so every text put in a block goes through `fit`, which shortens it visibly ("…")
and never inside Slack markup. The models check the limits again when they are sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    InputInteractiveElement,
    InteractiveElement,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

TEXT_MAX = SectionBlock.text_max_length  # 3,000: a text object (section, context element)
HEADER_MAX = HeaderBlock.text_max_length  # 150
BUTTON_MAX = ButtonElement.text_max_length  # 75
LABEL_MAX = InputBlock.label_max_length  # 2,000
OPTION_MAX = Option.label_max_length  # 75
MODAL_TITLE_MAX = View.title_max_length  # 24: also a modal's submit and close buttons
MESSAGE_BLOCKS_MAX = 50
ELLIPSIS = "…"
# An unfinished mention, link or date (`<@U1`, `<https://…|label`) or escape (`&amp`) at the end.
_OPEN_MARKUP = re.compile(r"(<[^<>]*|&[a-z#0-9]*)$")


def fit(text: str, limit: int = TEXT_MAX, *, plain: bool = False) -> str:
    """`text`, or its beginning and "…" within `limit` characters. In mrkdwn (not `plain`) the
    cut never splits a `<…>` token or an `&…;` escape: a mention, link or date is kept whole
    or left out."""
    if len(text) <= limit:
        return text
    head = text[: limit - len(ELLIPSIS)]
    if not plain:
        head = _OPEN_MARKUP.sub("", head)
    return head.rstrip() + ELLIPSIS


def packed(lines: Iterable[str], limit: int = TEXT_MAX) -> list[str]:
    """Lines joined into as few texts of at most `limit` characters as hold them, each line
    whole (a line alone over the limit is `fit`)."""
    texts: list[str] = []
    for line in (fit(line, limit) for line in lines):
        if texts and len(texts[-1]) + 1 + len(line) <= limit:
            texts[-1] += "\n" + line
        else:
            texts.append(line)
    return texts


def mrkdwn(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=fit(text))


def plain(text: str, limit: int = TEXT_MAX) -> PlainTextObject:
    return PlainTextObject(text=fit(text, limit, plain=True))


def section(text: str) -> SectionBlock:
    return SectionBlock(text=mrkdwn(text))


def sections(lines: Iterable[str]) -> list[Block]:
    """A long list as consecutive sections (a section holds 3,000 characters), so no line is
    cut short; only past what a message holds (50 blocks, a few kept for others) is the rest
    left out, as "…"."""
    texts = packed(lines)
    room = MESSAGE_BLOCKS_MAX - 5
    if len(texts) > room:
        texts = [*texts[: room - 1], ELLIPSIS]
    return [section(text) for text in texts]


def context(text: str) -> ContextBlock:
    return ContextBlock(elements=[mrkdwn(text)])


def header(text: str) -> HeaderBlock:
    return HeaderBlock(text=plain(text, HEADER_MAX))


def button(action_id: str, text: str, value: int | str, style: str | None = None) -> ButtonElement:
    return ButtonElement(
        action_id=action_id, text=plain(text, BUTTON_MAX), value=str(value), style=style
    )


def actions(*elements: InteractiveElement) -> ActionsBlock:
    return ActionsBlock(elements=list(elements))


def option(value: str, text: str) -> Option:
    """A choice in a select or radio buttons: what it sends, and what it shows."""
    return Option(value=value, text=plain(text, OPTION_MAX))


def field(
    block_id: str, label: str, element: InputInteractiveElement, *, optional: bool | None = None
) -> InputBlock:
    """A modal's input; its element answers to the same id (`values[id][id]`)."""
    element.action_id = block_id
    return InputBlock(
        block_id=block_id, label=plain(label, LABEL_MAX), element=element, optional=optional
    )


def text_box(
    block_id: str,
    label: str,
    *,
    multiline: bool | None = True,
    max_length: int | None = None,
    initial: str | None = None,
    optional: bool | None = None,
) -> InputBlock:
    box = PlainTextInputElement(multiline=multiline, max_length=max_length, initial_value=initial)
    return field(block_id, label, box, optional=optional)


def modal(
    *,
    callback_id: str,
    title: str,
    submit: str,
    blocks: list[Block],
    close: str | None = None,
    private_metadata: str | None = None,
) -> View:
    return View(
        type="modal",
        callback_id=callback_id,
        private_metadata=private_metadata,
        title=plain(title, MODAL_TITLE_MAX),
        submit=plain(submit, MODAL_TITLE_MAX),
        close=plain(close, MODAL_TITLE_MAX) if close else None,
        blocks=blocks,
    )
