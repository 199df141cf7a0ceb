// The Python harness that runs assert-style tests against a solution, one test at a time, so one failing
// assert does not hide the others. Results go back as token-marked lines (marked-results.ts).
import { PYTHON_EMIT } from "./marked-results.js";

export const SPEC_FILE = "_spec.json";

export interface AssertTestSpec {
  token: string;
  solution: string;
  /** Run after the solution, in its namespace (MBPP `test_setup_code`). */
  setup: string;
  /** Each is run in the solution's namespace; passing means raising nothing. */
  tests: string[];
}

/**
 * The harness reads and deletes the spec, keeps the program's own prints off stdout, then compiles and
 * runs the solution as module `solution`, the setup, and each test. Records: `compile`/`load`/`setup`
 * (failures that stop everything), one per test index, and `done` (with the first 2 KB of the program's
 * prints) when the harness got to the end.
 */
export const ASSERT_HARNESS = String.raw`import io, os, sys
${PYTHON_EMIT}

class _Sink(io.TextIOBase):
    # The program's prints while tests run: the first 2 KB kept for diagnostics, the rest dropped.
    def __init__(self):
        self.kept = ""
    def writable(self):
        return True
    def write(self, s):
        if len(self.kept) < 2048:
            self.kept += str(s)[: 2048 - len(self.kept)]
        return len(s)

def _main(_exec=exec, _compile=compile, _enumerate=enumerate, _BaseException=BaseException):
    spec = _read_spec("${SPEC_FILE}")
    os.unlink("${SPEC_FILE}")
    emit = _make_emit(spec["token"])
    describe = _describe
    tests = spec["tests"]
    setup = spec["setup"]
    solution = spec["solution"]
    del spec
    sink = _Sink()
    sys.stdout = sink
    try:
        code = _compile(solution, "solution.py", "exec")
    except _BaseException as e:
        emit("compile", False, describe(e))
        return
    ns = {"__name__": "solution", "__builtins__": __builtins__}
    try:
        _exec(code, ns)
    except _BaseException as e:
        emit("load", False, describe(e))
        return
    if setup:
        try:
            _exec(_compile(setup, "setup", "exec"), ns)
        except _BaseException as e:
            emit("setup", False, describe(e))
            return
    for i, test in _enumerate(tests):
        try:
            _exec(_compile(test, "test_%d" % i, "exec"), ns)
            emit("%d" % i, True)
        except _BaseException as e:
            emit("%d" % i, False, describe(e))
    emit("done", True, sink.kept)

_main()
`;
