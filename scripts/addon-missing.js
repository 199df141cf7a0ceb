// Runs when `node-gyp rebuild` fails during install. The project still works on the pure-TypeScript
// reference backend, only slower; `omni-thinker doctor` reports which backend loaded.
console.warn(
  "omni-thinker: the native addon did not build; falling back to the reference (TypeScript) backend.",
);
