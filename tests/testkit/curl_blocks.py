"""The curl examples of docs/integrator-guide.md, parsed so the tests can replay them."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

BLOCK = re.compile(r"```sh\n(.*?)```", re.DOTALL)


@dataclass
class CurlExample:
    """One guide example: the request curl would send and what the answer must hold."""

    method: str
    url: str
    expect_status: int
    expect_text: list[str]
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    include_headers: bool = False


def guide_examples(guide: Path, root: Path, base_url: str, token: str = "") -> list[CurlExample]:
    blocks = BLOCK.findall(guide.read_text())
    return [parse_block(text, root, base_url, token) for text in blocks]


def parse_block(text: str, root: Path, base_url: str, token: str = "") -> CurlExample:
    expect, command = text.split("\n", 1)
    status, *needles = expect.removeprefix("# expect:").split()
    args = shlex.split(command.replace("\\\n", " "))
    assert args[0] == "curl", f"not a curl command: {command}"
    example = CurlExample("GET", "", int(status), needles)
    options = iter(args[1:])
    for arg in options:
        if arg in ("-X", "--request"):
            example.method = next(options)
        elif arg in ("-H", "--header"):
            name, _, value = next(options).partition(":")
            example.headers[name.strip()] = value.strip().replace("$TOKEN", token)
        elif arg == "--data-binary":
            example.body = (root / next(options).removeprefix("@")).read_bytes()
        elif arg in ("-d", "--data"):
            example.body = next(options).encode()
        elif arg == "-i":
            example.include_headers = True
        elif arg == "-s":
            continue
        elif arg.startswith("$FHIR"):
            example.url = base_url + arg.removeprefix("$FHIR")
        else:
            raise AssertionError(
                f"the guide's examples use an option the test cannot replay: {arg}"
            )
    if example.body is not None and example.method == "GET":
        example.method = "POST"
    return example
