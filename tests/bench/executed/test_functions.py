"""Lines are named by the function that owns them, nested functions and class bodies as Python runs them."""

import textwrap

from pipebench.executed.functions import MODULE, units, units_at

SOURCE = textwrap.dedent(
    '''\
    """A module."""
    LIMIT = 3                      # 2


    @decorated                     # 5
    def top(a=LIMIT):              # 6
        """Its docstring."""       # 7
        x = a + 1                  # 8

        def inner():               # 10
            return x               # 11

        return inner               # 13


    class Box:                     # 16
        size = 2                   # 17

        def method(self):          # 19
            return self.size       # 20

        class Inner:               # 22
            def deep(self):        # 23
                pass               # 24
    '''
)


def test_each_line_is_owned_by_exactly_one_unit():
    owned = [line for unit in units(SOURCE) for line in unit.lines]
    assert len(owned) == len(set(owned))


def test_a_function_owns_its_body_but_not_its_def_decorators_docstring_or_nested_functions():
    by_name = {unit.name: unit.lines for unit in units(SOURCE)}
    assert by_name["top"] == {8, 9, 12, 13}  # blank lines inside count with it
    assert by_name["top.inner"] == {11}
    assert not by_name["top"] & {5, 6, 7, 10}


def test_methods_are_qualified_by_their_classes_and_class_bodies_run_with_the_module():
    assert units_at(SOURCE, [20]) == {"Box.method"}
    assert units_at(SOURCE, [24]) == {"Box.Inner.deep"}
    assert units_at(SOURCE, [17, 2, 6, 5]) == {MODULE}


def test_lines_of_several_units_name_each():
    assert units_at(SOURCE, [11, 8, 20, 2]) == {"top.inner", "top", "Box.method", MODULE}
    assert units_at(SOURCE, []) == set()


def test_a_function_of_a_docstring_alone_owns_that_line():
    assert units_at('def described():\n    """A protocol method: its docstring is its body."""\n', [2]) == {"described"}
