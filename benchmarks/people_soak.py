"""People soak: the people state machine over many random examples, not derandomised.

``tests/test_people.py::TestPeopleMachine`` runs random user operations,
cluster runs, re-indexing and new photos that bridge people, and checks after
every step that no decision is lost (a rejected face never again grouped with
the faces it was rejected from, named people untouched, undo exact). CI runs
it derandomised, always the same few cases; this runs thousands of fresh ones
in batches, each seeded from ``--seed``, so a failure is reproducible.

    python -m benchmarks.people_soak [--examples 2000] [--seed 0] [--batch 100] [--steps 20]

Prints examples run, failures (batches that failed: a batch stops at its
first failing example) and time; exits 1 on any failure, after printing each
failing program (shrunk with ``--shrink``) and how to replay it.
"""

import argparse
import sys
import time
import traceback

from hypothesis import HealthCheck, Phase, seed, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.test_people import PeopleMachine


class CountedMachine(PeopleMachine):
    runs = 0  # machines started: one per example, and one per replay of a failure

    def __init__(self):
        super().__init__()
        CountedMachine.runs += 1


def run_batch(batch_seed: int, examples: int, steps: int, shrink: bool) -> str | None:
    """Run one batch; the failing program and its error, or None if all examples passed."""
    phases = [Phase.explicit, Phase.generate] + ([Phase.shrink] if shrink else [])
    options = settings(max_examples=examples, stateful_step_count=steps, deadline=None, derandomize=False,
                       database=None, phases=phases, print_blob=True,
                       suppress_health_check=[HealthCheck.too_slow])
    try:
        run_state_machine_as_test(seed(batch_seed)(lambda: CountedMachine()), settings=options)
    except Exception:  # noqa: BLE001 - every failure is reported, then the next batch runs
        return traceback.format_exc()
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=2000, help="random examples in all (default 2000)")
    parser.add_argument("--seed", type=int, default=0, help="batch i runs with seed SEED * 1000003 + i")
    parser.add_argument("--batch", type=int, default=100, help="examples per batch (one seed each)")
    parser.add_argument("--steps", type=int, default=20, help="steps per example at most")
    parser.add_argument("--shrink", action="store_true", help="shrink failing programs (slower)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    failures = 0
    batches = -(-args.examples // args.batch)
    for index in range(batches):
        size = min(args.batch, args.examples - index * args.batch)
        batch_seed = args.seed * 1_000_003 + index
        failure = run_batch(batch_seed, size, args.steps, args.shrink)
        if failure:
            failures += 1
            print(f"batch {index} (seed {batch_seed}) failed:\n{failure}", flush=True)
        print(f"batch {index + 1}/{batches}: {CountedMachine.runs} examples run, {failures} failures, "
              f"{time.perf_counter() - started:.0f} s", flush=True)
    print(f"examples run: {CountedMachine.runs}, failures: {failures}, seed: {args.seed}, "
          f"time: {time.perf_counter() - started:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
