// `calculate_output` formulas of `multi` graders: arithmetic over grader scores, parsed by a
// recursive-descent parser into a tree and evaluated by walking it. Nothing is ever passed to eval.
//
//   expr    := term (("+" | "-") term)*
//   term    := unary (("*" | "/") unary)*
//   unary   := ("-" | "+") unary | power
//   power   := primary ("^" unary)?            right-associative: 2^3^2 = 2^9; -2^2 = -4
//   primary := number | name | name "(" expr ("," expr)* ")" | "(" expr ")"
//
// Names are grader names: letters, digits and `_`, not starting with a digit.
// Functions: min, max (1 or more arguments), abs, floor, ceil, exp, sqrt, log (natural; 1 argument).

export type FormulaNode =
  | { kind: "number"; value: number; pos: number }
  | { kind: "variable"; name: string; pos: number }
  | { kind: "negate"; arg: FormulaNode; pos: number }
  | { kind: "binary"; op: "+" | "-" | "*" | "/" | "^"; left: FormulaNode; right: FormulaNode; pos: number }
  | { kind: "call"; fn: string; args: FormulaNode[]; pos: number };

/** A parsed formula: its source (for error messages), its tree, and the variable names it uses. */
export interface Formula {
  source: string;
  root: FormulaNode;
  variables: string[];
}

export class FormulaError extends Error {
  constructor(
    message: string,
    readonly source: string,
    readonly position: number,
  ) {
    super(`${message} at position ${position} in formula ${JSON.stringify(source)}`);
    this.name = "FormulaError";
  }
}

const FUNCTIONS: Record<string, { min: number; max: number; apply: (args: number[]) => number }> = {
  min: { min: 1, max: Infinity, apply: (a) => Math.min(...a) },
  max: { min: 1, max: Infinity, apply: (a) => Math.max(...a) },
  abs: { min: 1, max: 1, apply: (a) => Math.abs(a[0]!) },
  floor: { min: 1, max: 1, apply: (a) => Math.floor(a[0]!) },
  ceil: { min: 1, max: 1, apply: (a) => Math.ceil(a[0]!) },
  exp: { min: 1, max: 1, apply: (a) => Math.exp(a[0]!) },
  sqrt: { min: 1, max: 1, apply: (a) => Math.sqrt(a[0]!) },
  log: { min: 1, max: 1, apply: (a) => Math.log(a[0]!) },
};

type Token =
  | { type: "number"; value: number; pos: number }
  | { type: "name"; name: string; pos: number }
  | { type: "op"; op: string; pos: number }
  | { type: "end"; pos: number };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const number = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i));
    if (number) {
      tokens.push({ type: "number", value: Number(number[0]), pos: i });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (name) {
      tokens.push({ type: "name", name: name[0], pos: i });
      i += name[0].length;
      continue;
    }
    if ("+-*/^(),".includes(c)) {
      tokens.push({ type: "op", op: c, pos: i });
      i++;
      continue;
    }
    throw new FormulaError(`unexpected character '${c}'`, src, i);
  }
  tokens.push({ type: "end", pos: src.length });
  return tokens;
}

export interface ParseFormulaOptions {
  /** When given, any other variable name is an error at parse time. */
  variables?: readonly string[];
}

export function parseFormula(src: string, opts: ParseFormulaOptions = {}): Formula {
  const tokens = tokenize(src);
  let k = 0;
  const peek = () => tokens[k]!;
  const isOp = (op: string) => {
    const t = peek();
    return t.type === "op" && t.op === op;
  };
  const expect = (op: string) => {
    if (!isOp(op)) throw new FormulaError(`expected '${op}' but found ${describe(peek())}`, src, peek().pos);
    k++;
  };

  const expr = (): FormulaNode => {
    let left = term();
    while (isOp("+") || isOp("-")) {
      const t = tokens[k++] as { op: "+" | "-"; pos: number };
      left = { kind: "binary", op: t.op, left, right: term(), pos: t.pos };
    }
    return left;
  };
  const term = (): FormulaNode => {
    let left = unary();
    while (isOp("*") || isOp("/")) {
      const t = tokens[k++] as { op: "*" | "/"; pos: number };
      left = { kind: "binary", op: t.op, left, right: unary(), pos: t.pos };
    }
    return left;
  };
  const unary = (): FormulaNode => {
    if (isOp("-")) {
      const pos = tokens[k++]!.pos;
      return { kind: "negate", arg: unary(), pos };
    }
    if (isOp("+")) {
      k++;
      return unary();
    }
    return power();
  };
  const power = (): FormulaNode => {
    const base = primary();
    if (!isOp("^")) return base;
    const pos = tokens[k++]!.pos;
    return { kind: "binary", op: "^", left: base, right: unary(), pos };
  };
  const primary = (): FormulaNode => {
    const t = peek();
    if (t.type === "number") {
      k++;
      return { kind: "number", value: t.value, pos: t.pos };
    }
    if (t.type === "name") {
      k++;
      if (isOp("(")) return call(t.name, t.pos);
      if (opts.variables && !opts.variables.includes(t.name)) {
        throw new FormulaError(
          `unknown name '${t.name}' (graders: ${opts.variables.join(", ") || "none"})`,
          src,
          t.pos,
        );
      }
      return { kind: "variable", name: t.name, pos: t.pos };
    }
    if (isOp("(")) {
      k++;
      const inner = expr();
      expect(")");
      return inner;
    }
    throw new FormulaError(`expected a number, a name or '(' but found ${describe(t)}`, src, t.pos);
  };
  const call = (fn: string, pos: number): FormulaNode => {
    const spec = FUNCTIONS[fn];
    if (!spec) {
      throw new FormulaError(
        `unknown function '${fn}' (known: ${Object.keys(FUNCTIONS).join(", ")})`,
        src,
        pos,
      );
    }
    expect("(");
    const args: FormulaNode[] = [];
    if (!isOp(")")) {
      args.push(expr());
      while (isOp(",")) {
        k++;
        args.push(expr());
      }
    }
    expect(")");
    if (args.length < spec.min || args.length > spec.max) {
      const wanted = spec.max === Infinity ? `at least ${spec.min}` : `${spec.min}`;
      throw new FormulaError(`${fn}() takes ${wanted} argument(s), got ${args.length}`, src, pos);
    }
    return { kind: "call", fn, args, pos };
  };

  const root = expr();
  if (peek().type !== "end") throw new FormulaError(`unexpected ${describe(peek())}`, src, peek().pos);
  return { source: src, root, variables: nodeVariables(root) };
}

function describe(t: Token): string {
  if (t.type === "end") return "end of formula";
  if (t.type === "number") return `number ${t.value}`;
  if (t.type === "name") return `name '${t.name}'`;
  return `'${t.op}'`;
}

function nodeVariables(root: FormulaNode): string[] {
  const names = new Set<string>();
  const walk = (n: FormulaNode): void => {
    if (n.kind === "variable") names.add(n.name);
    else if (n.kind === "negate") walk(n.arg);
    else if (n.kind === "binary") {
      walk(n.left);
      walk(n.right);
    } else if (n.kind === "call") n.args.forEach(walk);
  };
  walk(root);
  return [...names];
}

/** Evaluates `f`; an unknown variable, a division by zero or a non-finite result is an error. */
export function evaluateFormula(f: Formula, vars: Record<string, number>): number {
  const source = f.source;
  const value = (n: FormulaNode): number => {
    switch (n.kind) {
      case "number":
        return n.value;
      case "variable": {
        const v = Object.hasOwn(vars, n.name) ? vars[n.name] : undefined;
        if (typeof v !== "number") {
          throw new FormulaError(
            `unknown variable '${n.name}' (known: ${Object.keys(vars).join(", ") || "none"})`,
            source,
            n.pos,
          );
        }
        return v;
      }
      case "negate":
        return -value(n.arg);
      case "call":
        return FUNCTIONS[n.fn]!.apply(n.args.map(value));
      case "binary": {
        const a = value(n.left);
        const b = value(n.right);
        if (n.op === "+") return a + b;
        if (n.op === "-") return a - b;
        if (n.op === "*") return a * b;
        if (n.op === "^") return a ** b;
        if (b === 0) throw new FormulaError("division by zero", source, n.pos);
        return a / b;
      }
    }
  };
  const out = value(f.root);
  if (!Number.isFinite(out)) throw new FormulaError(`result is not a finite number (${out})`, source, 0);
  return out;
}
