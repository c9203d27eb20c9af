"""RegistrableStage: self-registration by name, conflicts, reset, manifest."""

import pytest

from pipebench_pipeline.errors import RegistryError
from pipebench_pipeline.registry import (
    RegistrableStage,
    isolated_registry,
    manifest,
    registered_stages,
    render_manifest,
)


def test_reference_stages_are_registered():
    assert {"SyntheticSource", "ThresholdFilter", "WindowNormalizer", "ConsoleSink", "AsyncDeliverySink"} <= set(
        registered_stages()
    )


def test_named_subclasses_register_and_unnamed_ones_do_not():
    with isolated_registry() as registry:

        class Base(RegistrableStage):
            pass

        class Named(Base):
            STAGE_NAME = "Named"

        assert registry["Named"] is Named
        assert Base not in registry.values()


def test_a_different_class_under_a_taken_name_is_refused():
    with isolated_registry():

        class First(RegistrableStage):
            STAGE_NAME = "Taken"

        with pytest.raises(RegistryError, match="Taken"):

            class Second(RegistrableStage):
                STAGE_NAME = "Taken"


def test_the_same_class_defined_twice_replaces_itself():
    """dataclass(slots=True) builds a second class object with the same qualified name."""
    from dataclasses import dataclass

    with isolated_registry() as registry:

        @dataclass(slots=True)
        class Slotted(RegistrableStage):
            STAGE_NAME = "Slotted"
            size: int = 1

        assert registry["Slotted"] is Slotted


def test_isolated_registry_restores_the_original():
    before = registered_stages()
    with isolated_registry():

        class Temporary(RegistrableStage):
            STAGE_NAME = "Temporary"

    assert registered_stages() == before


def test_manifest_describes_parameters_and_docstrings():
    with isolated_registry():

        class Example(RegistrableStage):
            """Does an example thing.

            More detail that the manifest leaves out.
            """

            STAGE_NAME = "Example"

            def __init__(self, size, *, mode="fast"):
                pass

        class Bare(RegistrableStage):
            STAGE_NAME = "Bare"

        entries = {entry.name: entry for entry in manifest()}
    assert entries["Example"].parameters == "size, mode='fast'"
    assert entries["Example"].summary == "Does an example thing."
    assert entries["Example"].class_path.endswith("Example")
    assert entries["Bare"].parameters == "(none)"


def test_manifest_is_sorted_and_rendered():
    entries = manifest()
    assert [e.name for e in entries] == sorted(e.name for e in entries)
    text = render_manifest(entries)
    assert text.startswith("PIPELINE STAGE MANIFEST") and "Stage: ThresholdFilter" in text
