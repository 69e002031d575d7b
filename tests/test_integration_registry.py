"""The integration registry: each list's columns serve its table and its exports."""

from __future__ import annotations

from adminui.integrations.registry import BROWSERS, RESOURCES


def test_every_list_exports_ids_and_names_first():
    for resource in RESOURCES.values():
        fields = [column.field for column in resource.export_columns]
        assert fields[:2] == ["id", "name"], resource.slug


def test_every_browsed_kind_names_lists_the_registry_has():
    assert {slug for slugs in BROWSERS.values() for slug in slugs} == set(RESOURCES)
