"""One workflow written in each of the three shapes upstream used, and the definition
the loader stores for all of them."""

from __future__ import annotations

from typing import Any

# One workflow in the three shapes: a map of tasks with `on-success` lists; a list of
# named tasks with on_success/on_failure names; a list with `next`. vars both ways.
_HEADER = """
    description: Deploy and report
    version: 1.0.0
    vars:
{vars}    tasks:"""
_VARS_LIST = "      - attempts: 0\n      - target: null\n"
_VARS_MAP = "      attempts: 0\n      target: null\n"
TASK_MAP = (
    _HEADER.format(vars=_VARS_LIST)
    + """
      prepare:
        action: core.noop
        publish:
          - target: "{{ result().host }}"
        on-success: [deploy]
      deploy:
        action: core.echo
        input: {message: "deploying to {{ workflow.target }}"}
        on-success: [report]
        on-failure: [rollback]
      rollback:
        action: core.echo
      report:
        action: core.echo
"""
)
TASK_LIST = (
    _HEADER.format(vars=_VARS_MAP)
    + """
      - name: prepare
        action: core.noop
        publish:
          target: "{{ result().host }}"
        on_success: deploy
      - name: deploy
        action: core.echo
        input: {message: "deploying to {{ workflow.target }}"}
        on_success: report
        on_failure: rollback
      - name: rollback
        action: core.echo
      - name: report
        action: core.echo
"""
)
TASK_NEXT = (
    _HEADER.format(vars=_VARS_LIST)
    + """
      - name: prepare
        action: core.noop
        next:
          - when: "{{ succeeded() }}"
            publish:
              - target: "{{ result().host }}"
            do: [deploy]
      - name: deploy
        action: core.echo
        input: {message: "deploying to {{ workflow.target }}"}
        next:
          - when: "{{ succeeded() }}"
            do: report
          - when: "{{ failed() }}"
            do: [rollback]
      - name: rollback
        action: core.echo
      - name: report
        action: core.echo
"""
)
SHAPES = {"task-map": TASK_MAP, "task-list": TASK_LIST, "task-next": TASK_NEXT}

EXPECTED_DEFINITION: dict[str, Any] = {
    "description": "Deploy and report",
    "version": "1.0.0",
    "vars": {"attempts": 0, "target": None},
    "tasks": [
        {
            "name": "prepare",
            "action": "core.noop",
            "next": [
                {
                    "when": "{{ succeeded() }}",
                    "publish": [{"target": "{{ result().host }}"}],
                    "do": ["deploy"],
                }
            ],
        },
        {
            "name": "deploy",
            "action": "core.echo",
            "input": {"message": "deploying to {{ workflow.target }}"},
            "next": [
                {"when": "{{ succeeded() }}", "do": ["report"]},
                {"when": "{{ failed() }}", "do": ["rollback"]},
            ],
        },
        {"name": "rollback", "action": "core.echo", "next": []},
        {"name": "report", "action": "core.echo", "next": []},
    ],
}
