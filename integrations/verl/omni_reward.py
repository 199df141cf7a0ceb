"""verl custom reward function backed by the omni-thinker reward service.

Start the service:   omni-thinker serve rewards --rewards configs/rewards.yaml --port 8000
Point verl at it:    custom_reward_function.path=integrations/verl/omni_reward.py
                     custom_reward_function.name=compute_score   (or compute_score_batch with the
                     batch reward manager)
Environment:
    OMNI_REWARD_URL       service base URL (default http://127.0.0.1:8000)
    OMNI_REWARD_TIMEOUT   seconds per HTTP attempt (default 300)
    OMNI_REWARD_RETRIES   extra attempts after a connection error or 5xx (default 3)
    OMNI_REWARD_NUMERIC_ONLY=1   leave the string `status` out of the returned dict

Standard library only. A failure after the retries raises: a reward is never silently 0.
"""

import json
import os
import sys
import time
import urllib.error
import urllib.request


def _url():
    return os.environ.get("OMNI_REWARD_URL", "http://127.0.0.1:8000").rstrip("/")


def _jsonable(value):
    """numpy scalars/arrays and other objects verl may put in extra_info."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def _post(path, payload):
    body = json.dumps(payload, default=_jsonable).encode("utf-8")
    timeout = float(os.environ.get("OMNI_REWARD_TIMEOUT", "300"))
    retries = int(os.environ.get("OMNI_REWARD_RETRIES", "3"))
    last_error = None
    for attempt in range(retries + 1):
        request = urllib.request.Request(
            _url() + path, data=body, headers={"content-type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as err:
            detail = err.read().decode("utf-8", "replace")
            if err.code < 500:
                # A bad request (unknown data_source, malformed row) will not get better by retrying.
                raise RuntimeError("omni reward service rejected the request (HTTP %d): %s" % (err.code, detail))
            last_error = "HTTP %d: %s" % (err.code, detail)
        except (urllib.error.URLError, OSError) as err:
            last_error = str(err)
        if attempt < retries:
            time.sleep(min(10.0, 0.5 * 2**attempt))
    raise RuntimeError("omni reward service at %s failed after %d attempts: %s" % (_url(), retries + 1, last_error))


def _row(data_source, solution_str, ground_truth, extra_info):
    extra_info = dict(extra_info or {})
    # verl does not pass the prompt to reward functions; judges read the question from extra_info.
    prompt = extra_info.get("question") or extra_info.get("prompt") or ""
    if not isinstance(prompt, str):
        prompt = json.dumps(prompt, default=_jsonable)
    return {
        "data_source": data_source,
        "prompt": prompt,
        "response": solution_str,
        "reward_model": {"ground_truth": ground_truth},
        "extra_info": extra_info,
    }


def _to_verl(result):
    out = {"score": float(result["score"]), "acc": float(result["metric"])}
    if os.environ.get("OMNI_REWARD_NUMERIC_ONLY") != "1":
        out["status"] = result["status"]
    return out


def compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs):
    """verl reward function: returns {"score": shaped reward, "acc": raw metric in [0,1], "status": ...}."""
    reply = _post("/score", {"samples": [_row(data_source, solution_str, ground_truth, extra_info)]})
    return _to_verl(reply["results"][0])


def compute_score_batch(data_sources, solution_strs, ground_truths, extra_infos=None, **kwargs):
    """Batched variant (verl's batch reward manager): one HTTP request for the whole batch."""
    extra_infos = extra_infos if extra_infos is not None else [None] * len(data_sources)
    rows = [_row(*args) for args in zip(data_sources, solution_strs, ground_truths, extra_infos)]
    reply = _post("/score", {"samples": rows})
    return [_to_verl(r) for r in reply["results"]]


if __name__ == "__main__":
    # Self-test: python3 omni_reward.py <data_source> <solution> <ground_truth>
    if len(sys.argv) != 4:
        print("usage: omni_reward.py DATA_SOURCE SOLUTION GROUND_TRUTH", file=sys.stderr)
        sys.exit(2)
    print(json.dumps(compute_score(sys.argv[1], sys.argv[2], sys.argv[3])))
