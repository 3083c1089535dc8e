"""The README's commands exist with the options it shows (docs that can be checked, are)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from hipstride.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_commands() -> list[list[str]]:
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", README.read_text(), flags=re.S):
        for line in block.splitlines():
            line = line.split(" # ")[0].strip()
            words = shlex.split(line.split("&&")[-1])
            while words and not words[0].endswith("hipstride"):
                words.pop(0)
            if words:
                lines.append(words[1:])
    return lines


def test_the_first_two_lines_are_setup_plus_demo_and_setup_plus_tests() -> None:
    first = README.read_text().split("```sh\n", 1)[1].splitlines()[:2]
    assert "pip install" in first[0]
    assert first[0].endswith("hipstride demo --out hipstride-demo.html")
    assert "pip install" in first[1]
    assert first[1].endswith("python -m pytest")
    assert "python -m pytest" in (README.parent / ".ci" / "run").read_text()


@pytest.mark.parametrize("words", readme_commands(), ids=lambda w: " ".join(w[:2]))
def test_readme_command_exists_with_its_options(words: list[str]) -> None:
    command: click.Command = main
    rest = list(words)
    while isinstance(command, click.Group) and rest:
        sub = command.get_command(click.Context(command), rest[0])
        if sub is None:
            break
        command = sub
        rest.pop(0)
    # a group runs by itself only when it says so (`hipstride runs` lists, `runs delete` deletes)
    assert not isinstance(command, click.Group) or command.invoke_without_command, \
        f"{words}: no such command"
    known = {opt for p in command.params for opt in getattr(p, "opts", [])}
    for word in rest:
        if word.startswith("--"):
            assert word.split("=")[0] in known, f"{' '.join(words)}: unknown option {word}"
