// Random backward-transfer files for property tests of the order predictor.
import type { Rng } from "../../src/engine/rng.js";
import type { BwtFile } from "../../src/schedule/bwt.js";

/** K tasks t0..t(K-1), A* uniform in [0.2, 0.8), off-diagonal B entries normal with sd `scale`, diagonal 0. */
export function randomBwt(rng: Rng, k: number, scale = 0.05): BwtFile {
  return {
    tasks: Array.from({ length: k }, (_, i) => `t${i}`),
    A_star: Array.from({ length: k }, () => 0.2 + 0.6 * rng.next()),
    B: Array.from({ length: k }, (_, j) =>
      Array.from({ length: k }, (_, i) => (i === j ? 0 : scale * rng.normal())),
    ),
    mode: "full",
  };
}
