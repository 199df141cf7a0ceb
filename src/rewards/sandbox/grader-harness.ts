// The Python harness for OpenAI-style python graders: `def grade(sample, item) -> float`.
import { PYTHON_EMIT } from "./marked-results.js";
import { SPEC_FILE } from "./test-harness.js";

export interface GraderSpec {
  token: string;
  source: string;
  sample: unknown;
  item: unknown;
}

/** Records: `compile`/`load` failures, `grade` (grade() raised), or `score` with repr(float) as text. */
export const GRADER_HARNESS = String.raw`import io, math, os, sys
${PYTHON_EMIT}

def _main(_exec=exec, _compile=compile, _float=float, _repr=repr, _isinstance=isinstance, _BaseException=BaseException):
    spec = _read_spec("${SPEC_FILE}")
    os.unlink("${SPEC_FILE}")
    emit = _make_emit(spec["token"])
    describe = _describe
    sys.stdout = io.StringIO()
    try:
        code = _compile(spec["source"], "grader.py", "exec")
    except _BaseException as e:
        emit("compile", False, describe(e))
        return
    ns = {"__name__": "grader", "__builtins__": __builtins__}
    try:
        _exec(code, ns)
        grade = ns["grade"]
    except _BaseException as e:
        emit("load", False, describe(e))
        return
    try:
        value = grade(spec["sample"], spec["item"])
    except _BaseException as e:
        emit("grade", False, describe(e))
        return
    if _isinstance(value, bool) or not _isinstance(value, (int, float)):
        emit("score", False, "grade() returned %s, not a number" % type(value).__name__)
        return
    emit("score", True, _repr(_float(value)))

_main()
`;
