"""Every curl example of the integrator guide, replayed against the adapter's real server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests

from adapter.config import PROJECT_ROOT
from tests.testkit.conftest import SERVER_TOKENS
from tests.testkit.curl_blocks import guide_examples

GUIDE = PROJECT_ROOT / "docs" / "integrator-guide.md"


def answer_text(response: requests.Response, include_headers: bool) -> str:
    head = "".join(f"{k}: {v}\n" for k, v in response.headers.items()) if include_headers else ""
    return head + response.text


def test_guide_has_an_example_for_every_common_task():
    examples = guide_examples(GUIDE, PROJECT_ROOT, "http://server/fhir")
    requests_made = {
        (e.method, e.url.split("?")[0].removeprefix("http://server/fhir")) for e in examples
    }
    assert ("GET", "/CarePlan") in requests_made  # care plan with includes
    assert ("GET", "/Task") in requests_made  # open offers by owner
    assert ("PUT", "/Task/offer-m100010-agency-dds-affiliation") in requests_made  # accept
    assert ("POST", "/Task/$validate") in requests_made
    assert ("POST", "") in requests_made  # transaction
    assert any("If-Match" in e.headers for e in examples)


def test_guide_links_point_at_existing_files():
    targets = re.findall(r"\]\(([^)#]+)\)", GUIDE.read_text())
    assert "profiles/README.md" in targets
    assert "../docker/README.md" in targets
    missing = [t for t in targets if not (GUIDE.parent / t).exists()]
    assert missing == []


@pytest.mark.slow
def test_guide_examples_answer_as_documented(sample_server):
    examples = guide_examples(GUIDE, PROJECT_ROOT, sample_server, SERVER_TOKENS[sample_server])
    assert all(e.headers.get("Authorization", "").startswith("Bearer ey") for e in examples)
    assert len(examples) >= 10
    for example in examples:
        response = requests.request(
            example.method, example.url, headers=example.headers, data=example.body, timeout=30
        )
        where = f"{example.method} {example.url}"
        assert response.status_code == example.expect_status, f"{where}: {response.text[:300]}"
        text = answer_text(response, example.include_headers)
        missing = [needle for needle in example.expect_text if needle not in text]
        assert missing == [], f"{where}: {text[:300]}"


def test_parser_reads_methods_headers_and_files(tmp_path: Path):
    guide = tmp_path / "guide.md"
    (tmp_path / "b.json").write_text('{"resourceType": "Bundle"}')
    guide.write_text(
        '```sh\n# expect: 412 conflict\ncurl -s -X PUT "$FHIR/Task/t1" \\\n'
        "  -H 'If-Match: W/\"1\"' \\\n  --data-binary @b.json\n```\n"
    )
    [example] = guide_examples(guide, tmp_path, "http://h/fhir")
    assert (example.method, example.url) == ("PUT", "http://h/fhir/Task/t1")
    assert example.headers == {"If-Match": 'W/"1"'}
    assert example.body == b'{"resourceType": "Bundle"}'
    assert (example.expect_status, example.expect_text) == (412, ["conflict"])
