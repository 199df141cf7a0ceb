// The command-line entry of a recipe script (npm run model:*): `--help` prints its usage, and a bad
// option or value ends the process with one line that names it, not a stack trace.

/**
 * `parse(argv)`, or the end of the process: exit 0 after printing `usage` when argv asks for --help
 * or -h; exit 2 with `<name>: <message>` and a pointer to --help when `parse` throws.
 */
export function parseCommandLine<T>(
  name: string,
  usage: string,
  argv: readonly string[],
  parse: (argv: string[]) => T,
): T {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${usage.trim()}\n`);
    process.exit(0);
  }
  try {
    return parse([...argv]);
  } catch (err) {
    process.stderr.write(`${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.stderr.write(`(${name} --help lists the options)\n`);
    process.exit(2);
  }
}
