"""Summarise a py-spy raw profile (`py-spy record -f raw`): where the samples are.

    .venv/bin/python -m bench.profile_top /tmp/bench-logs/profile-sqlite-c20.txt [--top 25]

Prints the share of samples spent in each package's own code (the innermost frame's package:
sqlalchemy, asyncio, aiohttp, slack_bolt, handlers…), then the frames with the most samples of
their own (self) and those on the most stacks (inclusive); `--match TEXT` filters frames.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter

PACKAGE = re.compile(r"\(([^/:)]+)")
FRAME = re.compile(r"^(?:process \d+:\"[^\"]*\";)?(?:thread \(0x[0-9A-F]+\);)?")


def summarise(path: str) -> tuple[int, Counter, Counter]:
    total, own, inclusive = 0, Counter(), Counter()
    with open(path) as raw:
        for line in raw:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if not stack:
                continue
            frames = [f for f in FRAME.sub("", stack).split(";") if f]
            n = int(count)
            total += n
            if frames:
                own[frames[-1]] += n
            for frame in set(frames):
                inclusive[frame] += n
    return total, own, inclusive


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("profile")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--match", default="")
    args = parser.parse_args()
    total, own, inclusive = summarise(args.profile)
    print(f"{total} samples\n\n-- self samples by package --")
    packages = Counter()
    for frame, n in own.items():
        match = PACKAGE.search(frame)
        packages[match.group(1).removesuffix(".py") if match else frame] += n
    for package, n in packages.most_common(args.top):
        print(f"{100 * n / total:5.1f}%  {package}")
    for title, counter in (("self", own), ("inclusive", inclusive)):
        print(f"\n-- top {args.top} frames by {title} samples --")
        shown = [(f, n) for f, n in counter.most_common() if args.match in f][: args.top]
        for frame, n in shown:
            print(f"{100 * n / total:5.1f}%  {frame}")


if __name__ == "__main__":
    main()
