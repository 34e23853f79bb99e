"""Gunicorn settings for `bench/throughput.py --profile`: each request thread of each worker is
profiled (cProfile) once the worker has answered its first SKIP requests (the catalog parsed,
engine processes started), and the profiles are written to GWARCHOD_BENCH_PROFILE_DIR when the
worker stops. Only the bench loads this file; the Procfile's own settings stay as they are."""

import cProfile
import itertools
import os
import threading

SKIP = int(os.environ.get("GWARCHOD_BENCH_PROFILE_SKIP", "100"))
_profiles: list[cProfile.Profile] = []
_local = threading.local()
_answered = itertools.count()


def post_worker_init(worker):
    application = worker.wsgi

    def profiled(environ, start_response):
        if next(_answered) < SKIP:
            return list(application(environ, start_response))
        profile = getattr(_local, "profile", None)
        if profile is None:
            profile = _local.profile = cProfile.Profile()
            _profiles.append(profile)
        profile.enable()
        try:
            return list(application(environ, start_response))
        finally:
            profile.disable()

    worker.wsgi = profiled


def worker_exit(_server, worker):
    folder = os.environ["GWARCHOD_BENCH_PROFILE_DIR"]
    for number, profile in enumerate(_profiles):
        profile.dump_stats(os.path.join(folder, f"{worker.pid}-{number}.prof"))
