"""The conditions of a run: load and speed sampled over it, and when two runs' times cannot be compared."""

import threading

from pipebench import conditions


def test_calibration_is_a_positive_time_per_iteration_of_its_loop():
    ticks = iter(range(0, 100, 2))
    assert conditions.calibrate(clock=lambda: next(ticks) * 0.001, repeats=3) == 2e-3 * 1e9 / conditions._LOOP


def test_a_watch_samples_until_it_is_left_and_once_more_at_the_end():
    samples = iter([(0.5, 10.0), (3.5, 20.0), (4.0, 30.0), (9.0, 99.0)])
    waits = iter([False, True])

    with conditions.Watch(sample=lambda: next(samples), wait=lambda event, seconds: next(waits)) as watched:
        pass
    summary = watched.summary()
    loads = {"samples": 3, "load_min": 0.5, "load_median": 3.5, "load_max": 4.0}
    assert summary == {**loads, "calibration_ns": 20.0, "calibrated_by": conditions.THREAD}
    # Where the run timed, its timing processes' figure stands for the machine's speed.
    assert watched.summary(31.5) == {**loads, "calibration_ns": 31.5, "calibrated_by": conditions.WORKERS}


def test_speeds_are_compared_only_when_both_runs_have_them_and_differ_past_half_again():
    fast, slow = {"conditions": {"calibration_ns": 10.0}}, {"conditions": {"calibration_ns": 29.0}}
    assert conditions.speed_ratio(fast, slow) == 2.9
    assert conditions.differ(2.9) and conditions.differ(1 / 2.9)
    assert not conditions.differ(1.4) and not conditions.differ(None)
    assert conditions.speed_ratio({}, slow) is None
    assert conditions.speed_ratio({"conditions": {"calibration_ns": "x"}}, slow) is None


def test_calibrations_taken_in_different_places_are_not_compared():
    workers = {"conditions": {"calibration_ns": 10.0, "calibrated_by": conditions.WORKERS}}
    thread = {"conditions": {"calibration_ns": 29.0}}  # written before the workers calibrated
    assert conditions.speed_ratio(workers, thread) is None
    assert (
        conditions.speed_ratio(
            workers, {"conditions": {**thread["conditions"], **{"calibrated_by": conditions.WORKERS}}}
        )
        == 2.9
    )


def runs_at(load, cores=2, calibration=10.0):
    return {"cpu_count": cores, "conditions": {"load_median": load, "calibration_ns": calibration}}


def test_runs_whose_loads_per_core_differ_past_half_a_core_are_apart_whatever_their_calibrations():
    # The calibration says alike (0.7x), the loads do not: 0.25 against 1.8 a core.
    why = conditions.apart(runs_at(0.5), runs_at(3.6, calibration=7.0))
    assert why == "CURRENT ran under a median load of 3.6 on 2 cores, BASE under 0.5 on 2"
    assert conditions.apart(runs_at(0.5), runs_at(1.4)) is None  # 0.45 a core apart
    assert conditions.apart(runs_at(1.0, cores=8), runs_at(4.0, cores=8)) is None  # 0.375 a core
    assert conditions.apart(runs_at(0.5), {"conditions": {"load_median": 3.6}}) is None  # cores unknown
    assert conditions.apart(runs_at(0.5), runs_at(0.6, calibration=29.0)).startswith("CURRENT ran 2.9x slower")


def test_the_watch_thread_ends_when_the_block_does():
    with conditions.Watch(interval=0.01, sample=lambda: (None, 1.0)) as watched:
        pass
    assert not any(t is watched._thread for t in threading.enumerate())
