"""The command line parses every documented command."""

import pytest

from adapter.cli import build_parser


@pytest.mark.parametrize(
    "argv",
    [
        ["map", "samples/plan-export.json", "-o", "out"],
        ["validate", "x.json", "--output", "json"],
        ["generate", "--members", "10", "-o", "x.json"],
        ["serve", "--load-samples"],
        ["load", "b.json"],
        ["compliance", "samples/plan-export.json", "--as-of", "2026-11-01"],
    ],
)
def test_commands_parse(argv):
    args = build_parser().parse_args(argv)
    assert args.command == argv[0]
    assert callable(args.handler)


def test_unknown_command_exits_with_usage(capsys):
    with pytest.raises(SystemExit) as caught:
        build_parser().parse_args(["frobnicate"])
    assert caught.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
