"""The audit trail's cost: verify a long chain, and replay a long case against its original run.

Verification: 100,000 events are written straight into case_events for one case (hashes chained
as the service chains them), then the whole chain is verified. Replay: a case of the looping
test process (tests/audit_diagrams.py: an Investigator's note, a script, a gateway back to the
note) is run through the command handlers, 249 rounds after its start (1,250 events, and at
the default AUDIT_CHECKPOINT_EVERY a checkpoint every sixth command), then replayed from its
recorded commands, each checkpoint compared with the case replayed to it; the ratio is replay
time / original run time, both measured here, on SQLite in a temporary folder. The replayed
case's own chain and checkpoints are verified too, for the figure.

Targets: at least 100,000 events/s verified; ratio at most 1.0. Exits non-zero when either is
missed; the last line holds the figures as key=value pairs.

    .venv/bin/python bench/audit.py [--events N] [--rounds R]
"""

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from service import create_app  # noqa: E402
from service.audit.chain import (  # noqa: E402
    GENESIS,
    canonical_json,
    event_hash,
    state_digest,
    time_text,
    verify_case,
)
from service.audit.models import CaseAuditHead, CaseEvent  # noqa: E402
from service.audit.replay import replay_case  # noqa: E402
from service.commands import CompleteTask, StartCase, complete_task, start_case  # noqa: E402
from service.db import db  # noqa: E402
from service.models import Case  # noqa: E402
from tests.audit_diagrams import LOOP, deploy_loop, investigator  # noqa: E402

TARGET_RATIO = 1.0  # replay time / original run time
TARGET_RATE = 100_000  # events verified a second


def original_run(actor, rounds: int) -> tuple[str, float]:
    started = time.perf_counter()
    changed = start_case(StartCase(LOOP, {"rounds": 0, "done": False}, actor))
    for number in range(rounds):
        task_id = changed.open_tasks[0].id
        changed = complete_task(CompleteTask(task_id, {"note": f"round {number}"}, actor))
    return changed.case.id, time.perf_counter() - started


def long_chain(template: Case, count: int) -> str:
    """A case with ``count`` events inserted directly, chained as the service chains them."""
    case = Case(
        process_id=template.process_id,
        definition_version_id=template.definition_version_id,
        status="running",
        state=template.state,
        library_version=template.library_version,
        serializer_version=template.serializer_version,
        data={},
    )
    db.session.add(case)
    db.session.flush()
    state_hash = state_digest(template.state)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    prev, batch = GENESIS, []
    for seq in range(1, count + 1):
        at = start + timedelta(seconds=seq)
        payload = canonical_json({"note": f"event {seq}", "fields": {"n": seq}})
        digest = event_hash(
            case.id, seq, "data_changed", 1, "bench", "Investigator", time_text(at), payload,
            state_hash, prev,
        )  # fmt: skip
        batch.append(
            {
                "case_id": case.id, "seq": seq, "type": "data_changed", "actor_id": 1,
                "actor_name": "bench", "actor_role": "Investigator", "at": at,
                "payload": payload, "state_hash": state_hash, "prev_hash": prev, "hash": digest,
            }
        )  # fmt: skip
        prev = digest
        if len(batch) == 10_000:
            db.session.execute(insert(CaseEvent.__table__), batch)
            batch = []
    if batch:
        db.session.execute(insert(CaseEvent.__table__), batch)
    db.session.execute(
        insert(CaseAuditHead.__table__),
        {"case_id": case.id, "seq": count, "hash": prev, "state_hash": state_hash},
    )
    db.session.commit()
    return case.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="events in the long chain")
    parser.add_argument("--rounds", type=int, default=249, help="rounds of the replayed case")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'audit.db'}"})
        with app.app_context():
            upgrade()
            deploy_loop()
            actor, _ = investigator("bench-investigator")

            case_id, original = original_run(actor, args.rounds)
            events = db.session.query(CaseEvent).filter_by(case_id=case_id).count()
            started = time.perf_counter()
            report = replay_case(case_id)
            replayed = time.perf_counter() - started
            assert report["match"], report
            started = time.perf_counter()
            own = verify_case(case_id)
            own_verified = time.perf_counter() - started
            assert own.ok, own

            chain_id = long_chain(db.session.get(Case, case_id), args.events)
            started = time.perf_counter()
            checked = verify_case(chain_id)
            verified = time.perf_counter() - started
            assert checked.ok and checked.events == args.events, checked

    ratio, rate = replayed / original, args.events / verified
    ok = ratio <= TARGET_RATIO and rate >= TARGET_RATE
    print(f"replay:  {events} events, {report['commands']} commands, {own.checkpoints} checkpoints")
    print(f"  original run {original:.3f} s ({events / original:,.0f} events/s)")
    print(f"  replay       {replayed:.3f} s ({events / replayed:,.0f} events/s)")
    print(f"  ratio replay / original: {ratio:.2f} (target at most {TARGET_RATIO})")
    print(f"  verifying its chain and checkpoints: {own_verified * 1000:.0f} ms")
    print(f"verify:  {args.events:,} events in {verified:.3f} s")
    print(f"  {rate:,.0f} events/s (target at least {TARGET_RATE:,})")
    print(
        f"replay_ratio={ratio:.2f} target_ratio={TARGET_RATIO} replay_s={replayed:.3f} "
        f"original_s={original:.3f} events={events} checkpoints={own.checkpoints} "
        f"case_verify_ms={own_verified * 1000:.0f} verify_events_per_s={rate:.0f} "
        f"target_events_per_s={TARGET_RATE} ok={int(ok)}"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
