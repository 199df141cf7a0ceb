// The channel from a Python harness back to the reward: lines on stdout that start with a per-run random
// token. The program under test shares stdout, so a line only counts when it carries the token, which the
// harness reads from a spec file and deletes before running any untrusted code. See docs/rewards.md
// ("Trust model") for what this does and does not stop.
import { randomBytes } from "node:crypto";

/** 128 random bits (crypto, not the seeded Rng: it must be unguessable, not reproducible). */
export function newRunToken(): string {
  return randomBytes(16).toString("hex");
}

export interface MarkedRecord {
  /** A test index, or a phase: "compile", "load", "setup", "grade", "score", "done". */
  key: string;
  ok: boolean;
  text: string;
}

/**
 * Python for the harness side. `_read_spec(path)` parses the JSON spec file (see below).
 * `_emit(key, ok, text)` writes `\n<token> <key> <0|1> <hex(text)>\n` on a
 * duplicate of fd 1 with functions bound before untrusted code runs, so monkeypatching os, json or builtins
 * cannot change what is written. Expects `_token` to be set.
 */
export const PYTHON_EMIT = String.raw`
def _make_emit(token, _write=os.write, _dup=os.dup, _len=len, _str=str, _repr=repr):
    fd = _dup(1)
    def emit(key, ok, text="", limit=2000):
        try:
            text = _str(text)
        except BaseException:
            text = "<unprintable>"
        data = text[:limit].encode("utf-8", "backslashreplace").hex()
        line = ("\n%s %s %d %s\n" % (token, key, 1 if ok else 0, data)).encode("ascii")
        while line:
            line = line[_write(fd, line):]
    return emit

def _read_spec(path, _open=open):
    # The C scanner behind json.loads, without importing json: json.decoder pulls in re, which costs
    # 5-30 ms of interpreter start per run (measured inside bwrap). Falls back to json where _json is absent.
    with _open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        import _json
    except ImportError:
        import json
        return json.loads(text)
    class _Ctx:
        strict = True
        object_hook = None
        object_pairs_hook = None
        parse_float = float
        parse_int = int
        parse_constant = float
    value, end = _json.make_scanner(_Ctx())(text.lstrip(), 0)
    return value

def _describe(e, _type=type, _str=str):
    try:
        msg = _str(e)
    except BaseException:
        msg = ""
    name = _type(e).__name__
    return name + ": " + msg if msg else name
`;

/** Records carrying `token`, in order; lines without it (the program's own output) are ignored. */
export function readMarkedRecords(stdout: string, token: string): MarkedRecord[] {
  const records: MarkedRecord[] = [];
  const prefix = `${token} `;
  for (const line of stdout.split("\n")) {
    if (!line.startsWith(prefix)) continue;
    const m = /^(\S+) ([01]) ([0-9a-f]*)$/.exec(line.slice(prefix.length));
    if (!m || m[3]!.length % 2 !== 0) continue;
    records.push({ key: m[1]!, ok: m[2] === "1", text: Buffer.from(m[3]!, "hex").toString("utf8") });
  }
  return records;
}
