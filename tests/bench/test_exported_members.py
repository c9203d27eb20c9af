"""The public API of the bench package is pinned."""

import bench


def test_all_names_exist_and_nothing_else_is_advertised():
    assert sorted(bench.__all__) == sorted(set(bench.__all__))
    for name in bench.__all__:
        assert getattr(bench, name, None) is not None, name


def test_public_api_is_stable():
    assert set(bench.__all__) == {"SUITES", "Case", "all_cases", "expand", "select"}
