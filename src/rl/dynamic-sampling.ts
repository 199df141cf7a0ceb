// Dynamic sampling (DAPO): a group whose responses all got the same raw task metric teaches nothing
// (every advantage is 0 or noise from reward shaping) and is dropped. The decision uses the raw metric
// (accuracy, pass), never the shaped reward: filtering on a shaped reward has collapsed policies.

/** True when the group's raw metrics are not all equal (it carries a learning signal). */
export function groupIsInformative(metrics: readonly number[], tol = 1e-9): boolean {
  if (metrics.length < 2) return false;
  const first = metrics[0]!;
  return metrics.some((m) => Math.abs(m - first) > tol);
}
