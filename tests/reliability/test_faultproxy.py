"""The fault proxy's schedule (pure logic, no server): transient faults are transient and
reproducible with the seed, whatever order concurrent requests arrive in."""
import random

from faultproxy import DEFAULT_CONFIG, FAULT_KINDS, Schedule


def config(**changes):
    conf = dict(DEFAULT_CONFIG, faults=list(FAULT_KINDS), rate=0.3, seed=8)
    conf.update(changes)
    return conf


def run(schedule, conf, keys):
    return [(key, schedule.decide(conf, key)) for key in keys]


def test_no_request_gets_more_faults_in_a_row_than_max_in_row():
    conf = config(rate=0.9, max_in_row=2)
    schedule = Schedule()
    for key in ("GET /a", "POST /b", "PATCH /c"):
        faults_in_row = 0
        for _attempt in range(50):
            if schedule.decide(conf, key):
                faults_in_row += 1
                assert faults_in_row <= 2
            else:
                faults_in_row = 0
    # so a client that sends a request max_in_row + 1 times always gets it through
    fresh = Schedule()
    assert any(fresh.decide(conf, "GET /d") is None for _attempt in range(3))


def test_the_schedule_is_the_same_for_the_same_seed_whatever_the_arrival_order():
    keys = ["GET /k%d" % (i % 7) for i in range(200)]
    first = run(Schedule(), config(), keys)
    shuffled = list(enumerate(keys))
    random.Random(1).shuffle(shuffled)
    schedule = Schedule()
    # Per key, the n-th arrival gets the same verdict, however keys interleave.
    per_key_first, per_key_second = {}, {}
    for key, fault in first:
        per_key_first.setdefault(key, []).append(fault)
    for _index, key in sorted(shuffled, key=lambda pair: (pair[1], pair[0])):
        per_key_second.setdefault(key, []).append(schedule.decide(config(), key))
    assert per_key_first == per_key_second
    other_seed = run(Schedule(), config(seed=9), keys)
    assert [f for _k, f in other_seed] != [f for _k, f in first]


def test_the_rate_is_roughly_kept_and_every_kind_occurs():
    schedule = Schedule()
    verdicts = [schedule.decide(config(max_in_row=1000), "GET /x%d" % i) for i in range(3000)]
    faults = [v for v in verdicts if v]
    assert 0.25 < len(faults) / len(verdicts) < 0.35
    assert set(faults) == set(FAULT_KINDS)


def test_no_faults_configured_means_none():
    schedule = Schedule()
    assert all(schedule.decide(dict(DEFAULT_CONFIG), "GET /x") is None for _attempt in range(20))
