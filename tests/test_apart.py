"""A build loads, catalogues and makes its outputs in a forked process of its own (irev/apart.py),
so that the engine's process, which then writes the pages beside Pagefind, never holds the
catalogue. Each test runs in a fresh interpreter: only a process of one thread forks."""

from conftest import MINIMAL, markdown_settings, run_alone


def test_the_build_process_never_holds_the_catalogue(tmp_path):
    extensions, configs = markdown_settings()
    found = run_alone(f"""
        import gc, json
        from pathlib import Path
        from irev.loading import Entry
        from irev.site import Options, Session

        def entries():
            return sum(isinstance(o, Entry) for o in gc.get_objects())

        session = Session()
        problems = session.prepare(Options(Path({str(MINIMAL)!r}), Path({str(tmp_path / "cache")!r}),
                                           {extensions!r}, {configs!r}))
        prepared = {{"entries": entries(), "catalogue": session.catalogue is not None,
                    "errors": [str(p) for p in problems if not p.warning]}}
        session.make()
        print(json.dumps({{"prepared": prepared, "pages": sorted(p.src_uri for p in session.pages),
                          "downloads": sorted(session.downloads), "latest": len(session.latest.records)}}))
    """)
    assert found["prepared"] == {"entries": 0, "catalogue": False, "errors": []}
    assert "reunions/2022-03-01-reunion-test.md" in found["pages"]
    assert "reunions/2022-03-01-reunion-test.md" in found["downloads"]
    assert found["latest"] > 0  # what hand-written pages need came back with the pages


def test_results_and_errors_come_back_from_the_process_apart():
    found = run_alone("""
        import json, os
        from irev.apart import Apart

        class Odd(Exception):
            def __init__(self, a, b):  # pickled with one argument only: it cannot come back as it is
                super().__init__(a)

        def fails(error):
            raise error

        outcome = {}
        made = Apart(lambda: os.getpid(), lambda: [1, "deux"])
        outcome["elsewhere"] = made.first() != os.getpid()
        outcome["then"] = made.then()
        failing = Apart(lambda: 1, lambda: fails(ValueError("valeur refusée")))
        failing.first()
        try:
            failing.then()
        except ValueError as error:
            outcome["error"] = str(error)
        odd = Apart(lambda: fails(Odd("a", "b")), lambda: None)
        try:
            odd.first()
        except RuntimeError as error:
            outcome["odd"] = "Odd" in str(error)
        killed = Apart(lambda: os.kill(os.getpid(), 9), lambda: None)
        try:
            killed.first()
        except RuntimeError as error:
            outcome["killed"] = str(error)
        left = Apart(lambda: 1, lambda: fails(AssertionError("jamais")))
        left.first()
        left.close()  # told to stop: `then` never runs
        outcome["left"] = left._process.exitcode
        print(json.dumps(outcome))
    """)
    assert found == {"elsewhere": True, "then": [1, "deux"], "error": "valeur refusée", "odd": True,
                     "killed": "le processus de construction s'est arrêté (code -9)", "left": 0}
