"""``core.sorting.natural_key``: numbers in numeric order, so 1号楼 comes before 10号楼."""

from core.sorting import natural_key


def test_buildings_in_numeric_order():
    buildings = ["10号楼", "2号楼", "1号楼", "1号楼"]
    assert sorted(buildings, key=natural_key) == ["1号楼", "1号楼", "2号楼", "10号楼"]
    # Plain text order would put 10 first: the key is what changes it.
    assert sorted(buildings)[0] == "10号楼"


def test_several_parts_compare_in_turn():
    homes = [("10号楼", "1单元"), ("1号楼", "10单元"), ("1号楼", "2单元"), ("", "")]
    assert sorted(homes, key=lambda home: natural_key(*home)) == [
        ("", ""),
        ("1号楼", "2单元"),
        ("1号楼", "10单元"),
        ("10号楼", "1单元"),
    ]


def test_mixed_text_and_missing_values_do_not_fail():
    values = ["B2", "b10", "A", None, "12", "楼"]
    assert sorted(values, key=natural_key) == [None, "12", "A", "B2", "b10", "楼"]
