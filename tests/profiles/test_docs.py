"""docs/profiles/ is rendered from profiles/ and in sync; alignment covers every profile."""

from __future__ import annotations

import importlib.util
import re

import pytest

from tests.profiles.loading import ROOT, constraints, of_type, rule_ids_of_description

DOCS = ROOT / "docs" / "profiles"
STRUCTURES = of_type("StructureDefinition")


def load_script():
    spec = importlib.util.spec_from_file_location("profile_docs", ROOT / "scripts/profile_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


profile_docs = load_script()


def test_committed_pages_match_the_rendered_ones():
    assert profile_docs.stale_pages(profile_docs.render_pages()) == []


def test_check_mode_reports_a_stale_page(tmp_path):
    pages = profile_docs.render_pages()
    for name, text in pages.items():
        (tmp_path / name).write_text(text, "utf-8")
    (tmp_path / "ltsc-offer-task.md").write_text("edited by hand\n", "utf-8")
    (tmp_path / "orphan.md").write_text("no longer generated\n", "utf-8")
    assert profile_docs.stale_pages(pages, tmp_path) == ["ltsc-offer-task.md", "orphan.md"]


@pytest.mark.parametrize("sd", STRUCTURES, ids=lambda sd: sd["id"])
def test_page_states_rule_ids_invariants_and_examples(sd):
    page = (DOCS / f"{sd['id']}.md").read_text("utf-8")
    for rule in rule_ids_of_description(sd["description"]):
        assert rule in page
    for constraint in constraints(sd):
        assert f"`{constraint['key']}`" in page
    if sd["kind"] == "resource":
        assert "(valid)" in page


def test_index_links_every_artifact_page():
    index = (DOCS / "README.md").read_text("utf-8")
    for sd in STRUCTURES:
        assert f"]({sd['id']}.md)" in index


def test_alignment_page_has_a_section_per_structure_definition():
    alignment = (DOCS / "alignment.md").read_text("utf-8")
    anchors = set(re.findall(r'<a id="([a-z-]+)"></a>', alignment))
    assert {sd["id"] for sd in STRUCTURES} <= anchors
    for guide in ("US Core", "Gravity", "eLTSS", "MCC"):
        assert guide in alignment
