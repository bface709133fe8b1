"""The publish storm's and the benchmark's own arithmetic and tables (scripts/storm.py, scripts/bench.py), checked
cheaply: the storm itself starts Varnish, gunicorn, a Celery worker and wrk for a minute (`make loadtest`)."""

import argparse
import time

import pytest

from scripts import bench, loadtest, storm

WRK_OUTPUT = """Running 1m test @ http://127.0.0.1:40000
  1 threads and 200 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.10ms   12.00ms 401.00ms   98.00%
  Latency Distribution
     50%  512.00us
     75%    1.10ms
     90%    2.40ms
     99%  154.20ms
  2652001 requests in 1.00m, 66.00GB read
  Socket errors: connect 0, read 3, write 0, timeout 1
  Non-2xx or 3xx responses: 7
Requests/sec:  44155.31
Transfer/sec:      1.10GB
"""


def counters(hits, misses, passes, **others):
    return {"hits": hits, "misses": misses, "passes": passes, **others}


def test_hit_ratio_counts_only_what_happened_between_the_two_readings():
    before = counters(1_000, 500, 100, bans=1)
    after = counters(1_000 + 9_500, 500 + 300, 100 + 200, bans=31)
    assert storm.hit_ratio(before, after) == 9_500 / 10_000
    assert storm.counter_delta(before, after)["bans"] == 30


def test_hit_ratio_is_none_when_nothing_was_looked_up():
    assert storm.hit_ratio(counters(5, 5, 5), counters(5, 5, 5)) is None


def test_nearest_rank_percentile():
    values = [0.1 * n for n in range(1, 21)]  # 0.1 … 2.0
    assert storm.percentile(values, 95) == pytest.approx(1.9)
    assert storm.percentile(values, 100) == pytest.approx(2.0)
    assert storm.percentile([0.4], 95) == 0.4
    assert storm.percentile([], 95) is None


class FakeClock:
    """A clock that moves only when the poller sleeps."""

    def __init__(self, start: float) -> None:
        self.now = start
        self.sleeps = 0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        self.now += seconds


def test_the_poller_returns_the_time_of_the_first_answer_showing_the_title():
    pages = iter(["<h2>Older release</h2>", "<h2>Older release</h2>", "<h2>Storm release 120000 03</h2>"])
    clock = FakeClock(100.0)
    seen = storm.first_visible(
        lambda: next(pages), "Storm release 120000 03", deadline=110.0, interval=0.05, clock=clock, sleep=clock.sleep
    )
    assert seen == pytest.approx(100.1)
    assert clock.sleeps == 2


def test_the_poller_counts_a_failed_request_as_not_shown_yet():
    answers = iter([ConnectionResetError(), "Storm release 1"])

    def fetch():
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    clock = FakeClock(0.0)
    assert storm.first_visible(fetch, "Storm release 1", deadline=5, interval=1, clock=clock, sleep=clock.sleep) == 1


def test_the_poller_gives_up_at_its_deadline():
    clock = FakeClock(0.0)
    seen = storm.first_visible(
        lambda: "nothing new", "Storm", deadline=1.0, interval=0.25, clock=clock, sleep=clock.sleep
    )
    assert seen is None
    assert clock.now == 1.0


def test_a_release_is_visible_once_every_watched_page_shows_it():
    publication = storm.Publication(title="Storm release 1", committed=50.0)
    publication.seen = {"home": 50.2, "all events p1": 50.7, "section page": 50.4}
    assert publication.delay == pytest.approx(0.7)
    publication.seen["section page"] = None
    assert publication.delay is None
    assert storm.Publication(title="Storm release 2", committed=1.0).delay is None


def result(**changes):
    figures = {
        "non_2xx": 0,
        "socket_errors": [0, 0, 0, 0],
        "p99_ms": 154.2,
        "hit_ratio": 0.995,
        "delays": [0.3, 0.8, 0.5],
        "published_at": [1.0, 3.0, 5.1],
        "readers_seconds": 60,
        "published": 3,
        "planned": 3,
    }
    return {**figures, **changes}


def verdicts(figures):
    return {goal.name: goal.passed for goal in storm.judge(figures)}


def test_every_goal_passes_on_good_figures():
    assert verdicts(result()) == {
        "errors = 0": True,
        "p99 <= 300 ms": True,
        "hit ratio >= 90%": True,
        "every release published during the readers and shown within 15 s": True,
        "every release visible within 1 s": True,
    }


@pytest.mark.parametrize(
    ("changes", "failed"),
    [
        ({"non_2xx": 1}, "errors = 0"),
        ({"socket_errors": [0, 0, 0, 2]}, "errors = 0"),
        ({"p99_ms": 300.5}, "p99 <= 300 ms"),
        ({"p99_ms": None}, "p99 <= 300 ms"),
        ({"hit_ratio": 0.899}, "hit ratio >= 90%"),
        ({"hit_ratio": None}, "hit ratio >= 90%"),
        ({"delays": [0.3, 1.01, 0.5]}, "every release visible within 1 s"),
    ],
)
def test_a_missed_goal_fails_that_goal_alone(changes, failed):
    outcome = verdicts(result(**changes))
    assert [name for name, passed in outcome.items() if not passed] == [failed]


@pytest.mark.parametrize(
    "changes",
    [
        {"delays": [0.3, None, 0.5]},
        {"published": 2, "delays": [0.3, 0.5], "published_at": [1.0, 3.0]},
        # Published only after the readers had stopped: no storm was measured.
        {"published_at": [1.0, 61.0, 61.2]},
    ],
)
def test_a_release_not_shown_or_not_published_during_the_readers_fails_both_visibility_goals(changes):
    outcome = verdicts(result(**changes))
    assert [name for name, passed in outcome.items() if not passed] == [
        "every release published during the readers and shown within 15 s",
        "every release visible within 1 s",
    ]


def test_only_a_missed_timing_goal_passes_the_run_unless_strict():
    slow = storm.judge(result(p99_ms=412.0, delays=[0.3, 1.4, 0.5]))
    assert not storm.run_failed(slow, strict=False)
    assert storm.run_failed(slow, strict=True)
    for broken in (result(non_2xx=3), result(hit_ratio=0.5), result(delays=[0.3, None, 0.5])):
        assert storm.run_failed(storm.judge(broken), strict=False)


def test_the_goal_lines_say_pass_or_fail_with_the_figure():
    lines = [goal.line for goal in storm.judge(result(p99_ms=412.0))]
    assert "PASS  errors = 0: 0 non-2xx/3xx, socket errors 0/0/0/0" in lines
    assert "FAIL  p99 <= 300 ms (timing goal): 412 ms" in lines
    shown = "every release published during the readers and shown within 15 s"
    assert f"PASS  {shown}: 3/3 published while the readers ran, all seen" in lines
    assert "PASS  every release visible within 1 s (timing goal): max 0.80 s" in lines


def test_the_storm_section_replaces_its_previous_version_and_keeps_the_rest():
    first = storm.replace_block("# Load test\n\n| table |\n", ["## Publish storm", "run 1"])
    assert first == (f"# Load test\n\n| table |\n\n{storm.STORM_START}\n## Publish storm\nrun 1\n{storm.STORM_END}\n")
    second = storm.replace_block(first, ["## Publish storm", "run 2"])
    assert "run 1" not in second
    assert second.startswith("# Load test\n\n| table |\n\n") and "run 2" in second
    assert second.count(storm.STORM_START) == 1


def test_the_load_test_keeps_the_storm_section_when_it_rewrites_the_file():
    text = storm.replace_block("# Load test\n", ["## Publish storm", "figures"])
    assert (
        loadtest.STORM_BLOCK.search(text).group(0)
        == f"{storm.STORM_START}\n## Publish storm\nfigures\n{storm.STORM_END}"
    )


def test_wrk_output_is_read_with_its_errors():
    assert loadtest.parse_wrk(WRK_OUTPUT) == {
        "requests": 2652001,
        "rps": 44155.31,
        "p50_ms": 0.512,
        "p99_ms": 154.2,
        "non_2xx": 7,
        "socket_errors": [0, 3, 0, 1],
    }


def test_purge_times_come_from_the_workers_log_and_match_the_commit_before_them():
    log = (
        "[2026-12-06 13:21:49,210: INFO/MainProcess] Task cache.purge_tags[c28a] received\n"
        "[2026-12-06 13:21:49,232: INFO/ForkPoolWorker-2] Purged 11 cache tags at 1 addresses.\n"
        "[2026-12-06 13:21:51,005: INFO/ForkPoolWorker-1] Purged 12 cache tags at 1 addresses.\n"
    )
    first, second = storm.purge_times(log)
    assert first == pytest.approx(time.mktime(time.strptime("2026-12-06 13:21:49", "%Y-%m-%d %H:%M:%S")) + 0.232)
    assert second - first == pytest.approx(1.773)
    commits = [first - 0.1, first + 0.5, second + 1]
    assert storm.purge_delays(commits, [second, first]) == [pytest.approx(0.1), pytest.approx(1.273), None]


def front_row(page, rps, bare_rps, hits, misses, passes=0):
    return {
        "config": bench.FRONT,
        "page": page,
        "rps": rps,
        "p50_ms": 0.1,
        "p99_ms": 3.31,
        "non_2xx": 0,
        "ratio": round(rps / bare_rps, 3),
        "varnish": {"hits": hits, "misses": misses, "passes": passes, "bans": 0},
    }


def test_front_rows_are_in_the_table_with_their_ratio_to_the_bare_view():
    row = front_row("home", 33122.0, 1437.3, hits=66_276, misses=0)
    assert bench.table_row(row) == "| front | home | 33122 | 0.1 | 3.3 | 23.045 | 0 |"


def test_the_front_hit_ratio_adds_up_every_front_run():
    rows = [
        front_row("home", 30000.0, 1500.0, hits=59_999, misses=1),
        front_row("RSS feed", 50000.0, 1500.0, hits=99_990, misses=5, passes=5),
        {"config": "cached", "page": "home", "rps": 700.0, "ratio": 0.5},
    ]
    assert bench.front_hit_ratio(rows) == pytest.approx((59_999 + 99_990) / 160_000)
    assert "Varnish hit ratio over the front runs: 99.99%" in bench.front_lines(rows)[-1]
    assert bench.front_hit_ratio(rows[2:]) is None
    assert bench.front_lines(rows[2:]) == []


def test_without_varnishd_the_front_rows_say_so(capsys):
    pages = [("bare view", "/bench/bare/"), ("home", "/en/"), ("static file (WhiteNoise)", "/static/css/a.css")]
    rows = bench.not_measured(bench.FRONT, pages, "not measured (varnishd not installed)")
    assert [bench.table_row(row) for row in rows] == [
        "| front | home | not measured (varnishd not installed) | – | – | – | – |",
        "| front | static file (WhiteNoise) | not measured (varnishd not installed) | – | – | – | – |",
    ]
    assert "front home" in capsys.readouterr().out


def test_the_report_shows_the_figures_each_delay_and_each_goal():
    figures = result(
        written="2026-12-06 14:00 UTC",
        varnish_version="varnishd (varnish-7.1.1)",
        paths=["/en/", "/en/events/"],
        watched=["home", "all events p1", "section page"],
        requests=2652001,
        rps=44155.3,
        p50_ms=0.5,
        varnish={"hits": 2651000, "misses": 90, "passes": 0, "bans": 30, "backend_requests": 90},
        purge_delays=[0.05, None, 0.2],
        commits=[10.0, 12.0, 14.0],
        seen=[
            {"home": 10.1, "section page": 10.3},
            {"home": 12.8, "section page": 12.2},
            {"home": 14.1, "section page": 14.5},
        ],
        load_before="1.0, 1.0, 1.0",
        load="2.0, 1.5, 1.0",
    )
    args = argparse.Namespace(
        threads=1, connections=200, duration=60, count=20_000, interval=2, purge_worker=False, workers=2
    )
    lines = storm.report_lines(figures, storm.judge(figures), args)
    assert "| 2652001 | 44155 | 0 | 154 | 0 | 0/0/0/0 | 99.50% | 2651000 | 90 | 0 | 30 | 90 |" in lines
    assert "Each delay in seconds, in publishing order: 0.30, 0.80, 0.50." in lines
    assert any("3 of 3 published, max 0.80 s, p95 0.80 s." in line for line in lines)
    assert "| p99 <= 300 ms | 154 ms | PASS |" in lines
    assert "Slowest on each page alone: home 0.80 s, section page 0.50 s." in lines


def test_a_page_that_never_showed_a_release_is_the_slowest():
    figures = {"commits": [0.0, 2.0], "seen": [{"home": 0.4}, {"home": None}]}
    assert storm.per_page_worst(figures) == "home never"
