"""Semantic checks: refs, duplicates, references through the database seam, parameters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from loader import CORE_PACK_DIR
from loader.kinds import KINDS_BY_NAME, PACK
from loader.packs.model import Pack, ParsedFile
from loader.packs.normalise import normalise
from loader.packs.pipeline import check_packs
from loader.packs.read import parse_text
from loader.packs.semantics import identity_problems
from loader.report import codes
from tests.helpers.packs import SCRIPT, codes_of, under, write_pack


class MemoryRefs:
    """An ExternalRefs answered from a dict, recording what it was asked."""

    def __init__(self, rows: dict[str, dict[str, dict[str, Any]]]) -> None:
        self.rows = rows
        self.asked: list[tuple[str, set[str]]] = []

    def find(self, kind: str, refs: set[str]) -> dict[str, dict[str, Any]]:
        self.asked.append((kind, set(refs)))
        return {r: row for r, row in self.rows.get(kind, {}).items() if r in refs}


def _component(kind: str, text: str, pack: str = "demo") -> Pack:
    parsed = parse_text(text, f"{kind}.yaml")
    assert isinstance(parsed, ParsedFile)
    manifest = parse_text(f"ref: {pack}\nlabel: X\nversion: 1.0.0\n", "pack.yaml")
    assert isinstance(manifest, ParsedFile)
    return Pack(
        pack,
        Path("."),
        normalise(manifest, PACK, pack),
        [normalise(parsed, KINDS_BY_NAME[kind], pack)],
    )


@pytest.mark.parametrize(
    ("kind", "ref", "code"),
    [
        ("trigger", "demo.a.b", codes.REF_FORMAT),
        ("action", "demo.Hello", codes.REF_FORMAT),
        ("action", "other.hello", codes.REF_PREFIX),
        ("runtime", "demo.sensor.builtin", None),
        ("runtime", "demo.Lua", codes.REF_FORMAT),
        ("rule", "demo." + "x" * 300, codes.REF_FORMAT),
    ],
)
def test_ref_rules_of_the_database(kind: str, ref: str, code: str | None) -> None:
    """Refs follow the database's CHECKs: lowercase, one dot (runtimes: more allowed)."""
    pack = _component(kind, f"ref: {ref}\n")
    found = identity_problems(pack.components[0], pack)
    assert codes_of(found) == ([code] if code else [])


def test_pack_version_and_ref_follow_the_database() -> None:
    """The manifest's ref and version are checked against the database's rules too."""
    manifest = parse_text('ref: x\nversion: "1.0"\n', "pack.yaml")
    assert isinstance(manifest, ParsedFile)
    pack = Pack("x", Path("."), normalise(manifest, PACK, "x"))
    assert codes_of(identity_problems(pack.manifest, pack)) == [
        codes.REF_FORMAT,
        codes.SCHEMA_FORMAT,
    ]


def test_references_resolve_through_the_database_seam(tmp_path: Path) -> None:
    """Refs a pack does not declare are looked up once per kind in ExternalRefs."""
    pack = write_pack(
        tmp_path / "demo",
        {
            "actions/hello.yaml": "ref: demo.hello\nrunner_type: shell\nentry_point: hello.sh\n",
            "actions/hello.sh": SCRIPT,
            "rules/tick.yaml": "ref: demo.tick\ntrigger: core.intervaltimer\n"
            "trigger_params: {interval: ten}\naction: demo.hello\n",
        },
    )
    interval = {"type": "object", "properties": {"interval": {"type": "integer"}}}
    refs = MemoryRefs(
        {
            "runtime": {"core.shell": {}},
            "trigger": {"core.intervaltimer": {"param_schema": interval}},
        }
    )
    found = under(check_packs([pack], external=refs), pack)
    assert codes_of(found) == [codes.PARAMS_VALUES]
    assert (found[0].line, found[0].column) == (3, 28)
    assert sorted(refs.asked) == [("runtime", {"core.shell"}), ("trigger", {"core.intervaltimer"})]


def test_without_the_database_unknown_refs_are_errors(tmp_path: Path) -> None:
    """Alone, a pack using another pack's runtime gets an error saying where to look."""
    pack = write_pack(
        tmp_path / "demo",
        {
            "actions/hello.yaml": "ref: demo.hello\nruntime: acme.lua\nentry_point: hello.sh\n",
            "actions/hello.sh": SCRIPT,
        },
    )
    (d,) = under(check_packs([pack]), pack)
    assert d.code == codes.REF_UNRESOLVED and "acme.lua" in d.message
    assert d.hint and "packs/acme" in d.hint


def test_alone_core_refs_resolve_from_the_packaged_core_pack(tmp_path: Path) -> None:
    """Without a core pack, core's runtimes and triggers come from the packaged one:
    one note says so (and rule parameters are checked against its triggers)."""
    pack = write_pack(
        tmp_path / "demo",
        {
            "actions/hello.yaml": "ref: demo.hello\nrunner_type: shell\nentry_point: hello.sh\n",
            "actions/hello.sh": SCRIPT,
            "rules/r.yaml": "ref: demo.r\ntrigger: core.intervaltimer\n"
            "trigger_params: {unit: weeks, interval: 5}\naction: demo.hello\n",
        },
    )
    result = check_packs([pack])
    assert codes_of(under(result, pack)) == [codes.PARAMS_VALUES]
    (note,) = [d for d in result.diagnostics if d.code == codes.REF_PACKAGED_CORE]
    assert note.is_note and note.file == str(CORE_PACK_DIR)
    assert "runtime core.shell" in note.message and "trigger core.intervaltimer" in note.message


def test_duplicate_packs(tmp_path: Path) -> None:
    """Two directories declaring the same pack: the second is named as a duplicate."""
    first = write_pack(tmp_path / "a", {"triggers/t.yaml": "ref: demo.t\n"})
    second = write_pack(tmp_path / "b", {"triggers/t.yaml": "ref: demo.t\n"})
    result = check_packs([first, second])
    assert codes_of(under(result, second)) == [codes.PACK_DUPLICATE, codes.REF_DUPLICATE]
    assert str(first / "pack.yaml") in under(result, second)[0].message


def test_references_to_broken_files_are_not_reported_again(tmp_path: Path) -> None:
    """A rule naming an action whose file is invalid gets no second error for it."""
    pack = write_pack(
        tmp_path / "demo",
        {
            "actions/hello.yaml": "ref: demo.hello\nrunner_type: 5\nentry_point: hello.sh\n",
            "actions/hello.sh": SCRIPT,
            "triggers/t.yaml": "ref: demo.t\n",
            "rules/r.yaml": "ref: demo.r\ntrigger: t\naction: hello\n",
        },
    )
    found = under(check_packs([pack]), pack)
    assert [d.file.rsplit("/", 1)[-1] for d in found] == ["hello.yaml"]


def test_components_of_a_pack_with_a_broken_manifest_are_still_checked(tmp_path: Path) -> None:
    """An invalid pack.yaml does not hide the mistakes of the other files."""
    pack = write_pack(
        tmp_path / "demo",
        {
            "pack.yaml": "ref: demo\nlabel: Demo\n",
            "rules/r.yaml": "ref: demo.r\ntrigger: nope\naction: core.noop\n",
        },
    )
    result = check_packs([pack])
    assert result.packs == []
    assert codes_of(under(result, pack)) == [
        codes.SCHEMA_REQUIRED,
        codes.REF_UNRESOLVED,
    ]


def test_templates_in_rule_parameters_are_not_checked(tmp_path: Path) -> None:
    """A templated value is known only when the rule fires: its type is not checked."""
    pack = write_pack(
        tmp_path / "demo",
        {
            "rules/r.yaml": "ref: demo.r\ntrigger: core.intervaltimer\naction: core.sleep\n"
            "action_params: {seconds: '{{ event.payload.n }}'}\n",
        },
    )
    refs = MemoryRefs(
        {
            "trigger": {"core.intervaltimer": {"param_schema": {}}},
            "action": {
                "core.sleep": {"param_schema": {"properties": {"seconds": {"type": "integer"}}}}
            },
        }
    )
    assert under(check_packs([pack], external=refs), pack) == []


def test_a_bug_becomes_a_diagnostic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure inside the validator is reported on its pack; the other packs go on."""
    broken = write_pack(tmp_path / "broken", {"triggers/t.yaml": "ref: demo.t\n"})
    fine = write_pack(tmp_path / "fine", {"pack.yaml": "ref: fine\nlabel: F\nversion: 1.0.0\n"})

    def explode(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr("loader.packs.pipeline.stray_folders", explode)
    result = check_packs([broken, fine])
    assert codes_of(result.diagnostics) == [codes.INTERNAL_ERROR, codes.INTERNAL_ERROR]
    assert "boom" in result.diagnostics[0].message


def test_the_same_pack_twice_is_read_once(tmp_path: Path) -> None:
    """Naming a pack twice (or through a symlink) is not a duplicate."""
    pack = write_pack(tmp_path / "demo", {"triggers/t.yaml": "ref: demo.t\n"})
    (tmp_path / "again").symlink_to(pack)
    result = check_packs([pack, tmp_path / "again", pack])
    assert result.diagnostics == [] and [p.ref for p in result.packs] == ["demo"]


def test_rule_parameters_are_checked_in_the_pack_across_packs_and_in_the_database(
    tmp_path: Path,
) -> None:
    """A rule's parameters must fit its action's schema wherever the action is: in the
    rule's own pack (checked with the pack), in another pack of the load, or in the
    database; each mismatch is reported once, at the value."""
    schema = "parameters:\n  n: {type: integer}\n"
    other = write_pack(
        tmp_path / "other",
        {
            "pack.yaml": "ref: other\nlabel: Other\nversion: 1.0.0\n",
            "actions/act.yaml": f"ref: other.act\nrunner_type: shell\nentry_point: a.sh\n{schema}",
            "actions/a.sh": SCRIPT,
        },
    )
    rules = {
        f"rules/{name}.yaml": f"ref: demo.{name}\ntrigger: core.intervaltimer\n"
        "trigger_params: {unit: seconds, interval: 10}\n"
        f"action: {target}\naction_params:\n  n: text\n"
        for name, target in (("local", "demo.act"), ("across", "other.act"), ("db", "db.act"))
    }
    demo = write_pack(
        tmp_path / "demo",
        {
            "actions/act.yaml": f"ref: demo.act\nrunner_type: shell\nentry_point: a.sh\n{schema}",
            "actions/a.sh": SCRIPT,
            **rules,
        },
    )
    refs = MemoryRefs(
        {"action": {"db.act": {"param_schema": {"properties": {"n": {"type": "integer"}}}}}}
    )
    found = under(check_packs([CORE_PACK_DIR, other, demo], external=refs), demo)
    assert sorted((Path(d.file).name, d.line, d.column, d.code) for d in found) == [
        (f"{name}.yaml", 6, 6, codes.PARAMS_VALUES) for name in ("across", "db", "local")
    ]
