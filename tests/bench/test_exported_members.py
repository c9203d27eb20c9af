"""The public API of the bench package is pinned."""

import pipebench


def test_all_names_exist_and_nothing_else_is_advertised():
    assert sorted(pipebench.__all__) == sorted(set(pipebench.__all__))
    for name in pipebench.__all__:
        assert getattr(pipebench, name, None) is not None, name


def test_public_api_is_stable():
    assert set(pipebench.__all__) == {"SUITES", "Case", "all_cases", "expand", "select"}
