"""Workflow files in the three shapes upstream wrote them, found by folder or through
an action, normalised into one definition, with their companion actions and the
checks on their transitions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from loader.packs.model import Component
from loader.packs.pipeline import CheckResult
from loader.report import codes
from tests.helpers.packs import check_with_core, codes_of, under, write_pack
from tests.helpers.workflows import EXPECTED_DEFINITION, SHAPES, TASK_LIST, TASK_MAP, TASK_NEXT


def _check(tmp_path: Path, files: dict[str, str]) -> tuple[CheckResult, Path]:
    pack = write_pack(tmp_path / "demo", files)
    return check_with_core(pack), pack


def _components(result: CheckResult, kind: str) -> dict[str, Component]:
    return {
        c.ref: c
        for p in result.packs
        if p.ref == "demo"
        for c in p.components
        if c.kind.name == kind
    }


def _definition(result: CheckResult, ref: str) -> Any:
    return _components(result, "workflow")[ref].values["definition"]


@pytest.mark.parametrize("shape", SHAPES)
def test_each_shape_is_stored_in_the_one_normalised_form(tmp_path: Path, shape: str) -> None:
    """A task map with on-success lists, a task list with on_success names and a task
    list with `next` give the same definition; vars as a list or a map alike."""
    result, pack = _check(tmp_path, {"workflows/deploy.yaml": SHAPES[shape]})
    assert under(result, pack) == []
    assert _definition(result, "demo.deploy") == EXPECTED_DEFINITION


def test_branches_of_legacy_transitions_join_their_conditions(tmp_path: Path) -> None:
    """on_success/on_failure as lists of {when, do} (and a `do` of {when, next}
    decisions, as upstream's install_packs writes) become `next` entries whose `when`
    joins the outcome with each branch's condition; the same graph written with `next`
    is stored the same."""
    legacy = """
        version: 1.0.0
        tasks:
          - name: build
            action: core.noop
            on_success:
              - when: "{{ parameters.fast }}"
                do: ship
              - when: "{{ not parameters.fast }}"
                do: [test, notify]
            on_failure:
              - when: "{{ parameters.force }}"
                do:
                  - when: "{{ parameters.fast }}"
                    next: ship
                  - when: "{{ not parameters.fast }}"
                    next: test
              - notify
          - {name: test, action: core.noop}
          - {name: ship, action: core.noop}
          - {name: notify, action: core.echo}
    """
    written = """
        version: 1.0.0
        tasks:
          - name: build
            action: core.noop
            next:
              - when: "{{ succeeded() and parameters.fast }}"
                do: [ship]
              - when: "{{ succeeded() and (not parameters.fast) }}"
                do: [test, notify]
              - when: "{{ failed() }}"
                do: [notify]
              - when: "{{ failed() and parameters.force and parameters.fast }}"
                do: [ship]
              - when: "{{ failed() and parameters.force and (not parameters.fast) }}"
                do: [test]
          - {name: test, action: core.noop}
          - {name: ship, action: core.noop}
          - {name: notify, action: core.echo}
    """
    result, pack = _check(
        tmp_path, {"workflows/legacy.yaml": legacy, "workflows/written.yaml": written}
    )
    assert under(result, pack) == []
    assert _definition(result, "demo.legacy") == _definition(result, "demo.written")


def test_other_upstream_keys_are_kept_and_metadata_is_not(tmp_path: Path) -> None:
    """output_map, cancellation_policy and the task keys of upstream's parser stay in
    the definition; metadata is accepted and stored nowhere; a task-level publish
    without a plain success transition gets a publish-only one."""
    text = """
        version: "1.0"
        cancellation_policy: cancel_running
        output_map: {summary: "{{ workflow.summary }}"}
        metadata: {examples: [{name: first, input: {}}]}
        tasks:
          - name: fan_out
            type: parallel
            tasks:
              - {name: left, action: core.noop, on_complete: right}
              - {name: right, action: core.noop}
            on_timeout: tidy
          - name: tidy
            action: core.echo
            with_items: "{{ workflow.items }}"
            concurrency: 2
            retry: {count: 3, delay: 5, backoff: exponential}
            __chart_meta__: {x: 10, y: 20}
            publish: [done]
            on_failure: fan_out
    """
    result, pack = _check(tmp_path, {"workflows/fan.yaml": text})
    assert under(result, pack) == []
    definition = _definition(result, "demo.fan")
    assert "metadata" not in definition
    assert definition["cancellation_policy"] == "cancel_running"
    assert definition["output_map"] == {"summary": "{{ workflow.summary }}"}
    fan_out, tidy = definition["tasks"]
    assert fan_out["tasks"] == [
        {"name": "left", "action": "core.noop", "next": [{"do": ["right"]}]},
        {"name": "right", "action": "core.noop", "next": []},
    ]
    assert fan_out["next"] == [{"when": "{{ timed_out() }}", "do": ["tidy"]}]
    assert tidy["__chart_meta__"] == {"x": 10, "y": 20}
    assert tidy["next"] == [
        {"when": "{{ succeeded() }}", "publish": ["done"], "do": []},
        {"when": "{{ failed() }}", "do": ["fan_out"]},
    ]


def test_workflows_are_found_by_folder_with_a_companion_action(tmp_path: Path) -> None:
    """Files in workflows/ and actions/workflows/ are workflows named after the file
    (`.workflow` dropped), each with the action upstream registers beside it; the file
    an action names is that action's workflow, once, with no companion."""
    result, pack = _check(
        tmp_path,
        {
            "workflows/nightly.yaml": TASK_NEXT.replace(
                "description", "label: Nightly run\n    description"
            ),
            "actions/workflows/deploy.workflow.yaml": TASK_LIST,
            "actions/workflows/linked.workflow.yaml": TASK_MAP,
            "actions/linked.yaml": """
                ref: demo.linked
                label: Linked flow
                description: Runs the linked workflow
                workflow_file: workflows/linked.workflow.yaml
            """,
        },
    )
    assert under(result, pack) == []
    workflows = _components(result, "workflow")
    assert sorted(workflows) == ["demo.deploy", "demo.linked", "demo.nightly"]
    assert workflows["demo.nightly"].values["label"] == "Nightly run"
    assert workflows["demo.deploy"].values["label"] == "Deploy"
    assert workflows["demo.linked"].values["label"] == "Linked flow"  # the action's
    actions = _components(result, "action")
    assert sorted(actions) == ["demo.deploy", "demo.linked", "demo.nightly"]
    assert actions["demo.linked"].source.display.endswith("actions/linked.yaml")
    assert actions["demo.nightly"].row() == {
        "ref": "demo.nightly",
        "pack_ref": "demo",
        "label": "Nightly run",
        "description": "Deploy and report",
        "entrypoint": "workflows/nightly.yaml",
        "param_schema": None,
        "out_schema": None,
        "is_workflow": True,
        "runtime@ref": None,
        "workflow_def@ref": "demo.nightly",
    }
    assert actions["demo.deploy"].values["entrypoint"] == "workflows/deploy.workflow.yaml"


def test_workflow_parameters_and_output_schemas(tmp_path: Path) -> None:
    """Flat parameters and output_schema are stored in JSON Schema form, on the
    workflow and its companion; `output` is the output schema when it is one (as
    upstream reads it) and result templates otherwise (kept in the definition)."""
    flat = """
        version: 1.0.0
        parameters:
          packs: {type: array, items: {type: string}, required: true}
        {output}
        tasks:
          - {name: only, action: core.noop}
    """
    schema = {
        "type": "object",
        "properties": {"count": {"type": "integer"}},
        "required": ["count"],
    }
    result, pack = _check(
        tmp_path,
        {
            "workflows/a.yaml": flat.replace(
                "{output}", "output_schema: {count: {type: integer, required: true}}"
            ),
            "workflows/b.yaml": flat.replace(
                "{output}", "output: {count: {type: integer, required: true}}"
            ),
            "workflows/c.yaml": flat.replace("{output}", 'output: {count: "{{ workflow.n }}"}'),
        },
    )
    assert under(result, pack) == []
    workflows, actions = _components(result, "workflow"), _components(result, "action")
    params = {
        "type": "object",
        "properties": {"packs": {"type": "array", "items": {"type": "string"}}},
        "required": ["packs"],
    }
    for ref in ("demo.a", "demo.b", "demo.c"):
        assert workflows[ref].values["param_schema"] == params
        assert actions[ref].values["param_schema"] == params
    assert workflows["demo.a"].values["out_schema"] == schema
    assert workflows["demo.b"].values["out_schema"] == schema
    assert actions["demo.b"].values["out_schema"] == schema
    assert workflows["demo.c"].values["out_schema"] is None
    assert _definition(result, "demo.c")["output"] == {"count": "{{ workflow.n }}"}


@pytest.mark.parametrize(
    ("shape", "name", "where"),
    [
        ("task-map", "on-success: [deploy]", (11, 18)),
        ("task-list", "on_success: deploy", (11, 17)),
        ("task-next", "do: [deploy]", (13, 14)),
    ],
)
def test_a_transition_to_an_unknown_task_is_a_located_error(
    tmp_path: Path, shape: str, name: str, where: tuple[int, int]
) -> None:
    """The error points at the misspelt name in the file, with a did-you-mean."""
    assert name in SHAPES[shape]
    text = SHAPES[shape].replace(name, name.replace("deploy", "deplyo"))
    result, pack = _check(tmp_path, {"workflows/deploy.yaml": text})
    found = under(result, pack)
    assert codes_of(found) == [codes.WORKFLOW_UNKNOWN_TASK]
    assert found[0].file.endswith("workflows/deploy.yaml")
    assert (found[0].line, found[0].column) == where
    assert "'deplyo'" in found[0].message and "did you mean 'deploy'?" in found[0].message
    assert not result.ok


def test_duplicate_task_names_and_empty_task_lists_are_errors(tmp_path: Path) -> None:
    result, pack = _check(
        tmp_path,
        {
            "workflows/twice.yaml": """
                tasks:
                  - {name: a, action: core.noop}
                  - {name: a, action: core.echo}
            """,
            "workflows/empty.yaml": "tasks: []\n",
        },
    )
    found = {d.file.rsplit("/", 1)[-1]: d for d in under(result, pack)}
    assert found["twice.yaml"].code == codes.WORKFLOW_DUPLICATE_TASK
    assert (found["twice.yaml"].line, found["twice.yaml"].column) == (3, 12)
    assert found["empty.yaml"].code == codes.SCHEMA_RANGE


def test_unresolved_task_actions_stay_warnings_and_mixed_forms_are_refused(
    tmp_path: Path,
) -> None:
    """A task action found nowhere is a warning (it may be installed later); a task
    with both `next` and a legacy transition is an error, as upstream would silently
    drop the legacy one."""
    result, pack = _check(
        tmp_path,
        {
            "workflows/later.yaml": """
                tasks:
                  - {name: a, action: core.run_pack_tests}
            """,
            "workflows/mixed.yaml": """
                tasks:
                  - name: a
                    action: core.noop
                    on_success: b
                    next: [{do: [b]}]
                  - {name: b, action: core.noop}
            """,
        },
    )
    found = under(result, pack)
    assert codes_of(found) == [codes.REF_TASK_ACTION, codes.SCHEMA_CONFLICT]
    assert [d.line for d in found] == [2, 4]
    assert not found[0].is_error


def test_no_stray_folder_warning_for_workflows(tmp_path: Path) -> None:
    result, pack = _check(tmp_path, {"workflows/deploy.yaml": TASK_MAP})
    assert codes.FILE_STRAY_FOLDER not in codes_of(under(result, pack))
