// Exact rational arithmetic for math word problems, on bigint so no intermediate value can round.

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export class Frac {
  readonly num: bigint;
  readonly den: bigint;

  constructor(num: bigint | number, den: bigint | number = 1n) {
    let n = BigInt(num);
    let d = BigInt(den);
    if (d === 0n) throw new Error("Frac: division by zero");
    if (d < 0n) {
      n = -n;
      d = -d;
    }
    const g = gcd(n, d) || 1n;
    this.num = n / g;
    this.den = d / g;
  }

  /** Parses "12", "-3.75", "7/12". */
  static parse(text: string): Frac {
    const t = text.trim();
    const slash = t.indexOf("/");
    if (slash >= 0) return Frac.parse(t.slice(0, slash)).div(Frac.parse(t.slice(slash + 1)));
    const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(t);
    if (!m) throw new Error(`Frac.parse: not a number: '${text}'`);
    const frac = m[3] ?? "";
    const n = BigInt(m[2]! + frac) * (m[1] ? -1n : 1n);
    return new Frac(n, 10n ** BigInt(frac.length));
  }

  add(o: Frac): Frac {
    return new Frac(this.num * o.den + o.num * this.den, this.den * o.den);
  }
  sub(o: Frac): Frac {
    return new Frac(this.num * o.den - o.num * this.den, this.den * o.den);
  }
  mul(o: Frac): Frac {
    return new Frac(this.num * o.num, this.den * o.den);
  }
  div(o: Frac): Frac {
    return new Frac(this.num * o.den, this.den * o.num);
  }
  equals(o: Frac): boolean {
    return this.num === o.num && this.den === o.den;
  }
  isInteger(): boolean {
    return this.den === 1n;
  }
  isPositive(): boolean {
    return this.num > 0n;
  }

  /** Digits after the point when written as a terminating decimal, or undefined if it repeats. */
  decimalPlaces(): number | undefined {
    let d = this.den;
    let twos = 0;
    let fives = 0;
    while (d % 2n === 0n) {
      d /= 2n;
      twos++;
    }
    while (d % 5n === 0n) {
      d /= 5n;
      fives++;
    }
    return d === 1n ? Math.max(twos, fives) : undefined;
  }

  /** "12", "7.5" (terminating decimals, no trailing zeros) or "7/12". */
  toString(): string {
    if (this.den === 1n) return this.num.toString();
    const places = this.decimalPlaces();
    if (places === undefined || places > 6) return `${this.num}/${this.den}`;
    return this.toDecimal(places).replace(/0+$/, "");
  }

  /** Exact decimal with `places` digits; only for terminating values. */
  toDecimal(places: number): string {
    const scaled = (this.num * 10n ** BigInt(places)) / this.den;
    if (!new Frac(scaled, 10n ** BigInt(places)).equals(this)) {
      throw new Error(`Frac.toDecimal: ${this.num}/${this.den} needs more than ${places} places`);
    }
    const neg = scaled < 0n;
    const digits = (neg ? -scaled : scaled).toString().padStart(places + 1, "0");
    const whole = digits.slice(0, digits.length - places);
    const point = places > 0 ? `.${digits.slice(digits.length - places)}` : "";
    return `${neg ? "-" : ""}${whole}${point}`;
  }

  /** "a/b" even when the value is a terminating decimal (for fraction answers). */
  toFractionString(): string {
    return this.den === 1n ? this.num.toString() : `${this.num}/${this.den}`;
  }

  toNumber(): number {
    return Number(this.num) / Number(this.den);
  }
}

export const frac = (n: number, d = 1): Frac => new Frac(n, d);
