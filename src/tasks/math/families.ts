// GSM8K-style word-problem families. Each family writes a question with `d` reasoning steps
// (d within its [minSteps, maxSteps]) and solves it step by step with exact arithmetic.
// A family returns null when the numbers it drew break a constraint (e.g. a repeating decimal);
// the generator then draws again.
import type { Rng } from "../../engine/rng.js";
import { EXPENSES, FOODS, NAMES, SHOP_ITEMS, SUBJECTS, THINGS, VEHICLES, WORKPLACES } from "./entities.js";
import { type Frac, frac } from "./fraction.js";
import { type AnswerType, Work } from "./work.js";

export interface MathProblem {
  question: string;
  work: Work;
  answer: Frac;
  type: AnswerType;
}

export interface MathFamily {
  id: string;
  minSteps: number;
  maxSteps: number;
  make(rng: Rng, d: number): MathProblem | null;
}

/** Uniform integer in [lo, hi]. */
export const between = (rng: Rng, lo: number, hi: number): number => lo + rng.int(hi - lo + 1);
const money = (cents: number): Frac => frac(cents, 100);
const dollars = (x: Frac): string => `$${x.isInteger() ? x.toString() : x.toDecimal(2)}`;
const twoNames = (rng: Rng): [string, string] => {
  const a = rng.pick(NAMES);
  let b = rng.pick(NAMES);
  while (b === a) b = rng.pick(NAMES);
  return [a, b];
};
const centsOk = (x: Frac) => (x.decimalPlaces() ?? 99) <= 2;
const decimalType = (x: Frac): AnswerType => (x.isInteger() ? "integer" : "decimal");
const done = (question: string, work: Work, answer: Frac, type: AnswerType): MathProblem => ({
  question,
  work,
  answer,
  type,
});

const shoppingChange: MathFamily = {
  id: "shopping_change",
  minSteps: 1,
  maxSteps: 4,
  make(rng, d) {
    const name = rng.pick(NAMES);
    const a = rng.pick(SHOP_ITEMS);
    let b = rng.pick(SHOP_ITEMS);
    while (b === a) b = rng.pick(SHOP_ITEMS);
    const price = (it: typeof a) => money(between(rng, it.min / it.step, it.max / it.step) * it.step);
    const na = between(rng, 2, d >= 3 ? 12 : 6);
    const pa = price(a);
    const nb = between(rng, 2, 8);
    const pb = price(b);
    const w = new Work();
    const costA = w.op(`Cost of the ${a.many}`, frac(na), "×", pa);
    let total = costA;
    let text = `${name} buys ${na} ${a.many} at ${dollars(pa)} each`;
    if (d >= 3) {
      const costB = w.op(`Cost of the ${b.many}`, frac(nb), "×", pb);
      total = w.op("Total cost", costA, "+", costB);
      text += ` and ${nb} ${b.many} at ${dollars(pb)} each`;
    }
    if (d === 1) return done(`${text}. How many dollars does ${name} spend?`, w, total, decimalType(total));
    if (d === 3)
      return done(`${text}. How many dollars does ${name} spend in total?`, w, total, decimalType(total));
    const bill = [10, 20, 50, 100, 200].map((x) => frac(x)).find((x) => x.sub(total).isPositive());
    if (!bill) return null;
    const change = w.op("Change", bill, "-", total);
    return done(
      `${text}, and pays with a ${dollars(bill)} bill. How much change, in dollars, does ${name} get?`,
      w,
      change,
      decimalType(change),
    );
  },
};

const savings: MathFamily = {
  id: "weekly_savings",
  minSteps: 1,
  maxSteps: 4,
  make(rng, d) {
    const name = rng.pick(NAMES);
    const perWeek = between(rng, 3, d >= 3 ? 45 : 20);
    const weeks = between(rng, 2, d >= 3 ? 20 : 10);
    const start = between(rng, 5, 80);
    const w = new Work();
    let q = `${name} saves $${perWeek} every week for ${weeks} weeks`;
    let total = w.op("Money saved", frac(perWeek), "×", frac(weeks));
    if (d >= 2) {
      q = `${name} already has $${start} in a piggy bank and then saves $${perWeek} every week for ${weeks} weeks`;
      total = w.op("Total money", frac(start), "+", total);
    }
    if (d === 1) return done(`${q}. How many dollars does ${name} save?`, w, total, "integer");
    if (d === 2) return done(`${q}. How many dollars does ${name} have now?`, w, total, "integer");
    const spent = between(rng, 2, Math.max(3, Number(total.num) - 1));
    const left = w.op("Money left", total, "-", frac(spent));
    const expense = rng.pick(EXPENSES);
    q += `, then spends $${spent} on ${expense}`;
    if (d === 3) return done(`${q}. How many dollars are left?`, w, left, "integer");
    const price = between(rng, 2, 15);
    if (Number(left.num) % price !== 0 || left.num <= 0n) return null;
    const count = w.op("Number of books", left, "÷", frac(price));
    return done(
      `${q}. With the rest ${name} buys books that cost $${price} each. How many books does ${name} buy?`,
      w,
      count,
      "integer",
    );
  },
};

const discount: MathFamily = {
  id: "discount_sale",
  minSteps: 1,
  maxSteps: 3,
  make(rng, d) {
    const item = rng.pick(SHOP_ITEMS);
    const price = frac(between(rng, 4, d >= 2 ? 60 : 30) * 5);
    const pct = rng.pick([5, 10, 15, 20, 25, 30, 40, 50]);
    const w = new Work();
    const off = w.op("Discount", price, "×", frac(pct, 100));
    const base = `A store sells a ${item.one} for ${dollars(price)} and offers ${pct}% off.`;
    if (d === 1) return done(`${base} How many dollars is the discount?`, w, off, decimalType(off));
    const sale = w.op("Sale price", price, "-", off);
    if (d === 2) return done(`${base} What is the sale price in dollars?`, w, sale, decimalType(sale));
    const n = between(rng, 2, 6);
    const total = w.op(`Cost of ${n}`, sale, "×", frac(n));
    return done(
      `${base} How many dollars do ${n} ${item.many} cost at the sale price?`,
      w,
      total,
      decimalType(total),
    );
  },
};

const shareRemainder: MathFamily = {
  id: "share_remainder",
  minSteps: 2,
  maxSteps: 4,
  make(rng, d) {
    const [name, friend] = twoNames(rng);
    const [, other] = twoNames(rng);
    const thing = rng.pick(THINGS);
    const a = between(rng, 2, 6);
    const b = between(rng, 2, 5);
    const n = a * b * between(rng, 2, d >= 4 ? 12 : 8);
    const w = new Work(true);
    const g1 = w.op(`${thing} given to ${friend}`, frac(n), "×", frac(1, a));
    const r1 = w.op("Left after that", frac(n), "-", g1);
    let q = `${name} has ${n} ${thing} and gives 1/${a} of them to ${friend}`;
    if (d === 2) return done(`${q}. How many ${thing} does ${name} have left?`, w, r1, "integer");
    if (d === 3) {
      const c = between(rng, 1, Number(r1.num) - 1);
      const left = w.op("Left at the end", r1, "-", frac(c));
      return done(
        `${q}, then loses ${c} more. How many ${thing} does ${name} have left?`,
        w,
        left,
        "integer",
      );
    }
    if (Number(r1.num) % b !== 0) return null;
    const g2 = w.op(`${thing} given to ${other === friend ? "a neighbor" : other}`, r1, "×", frac(1, b));
    const left = w.op("Left at the end", r1, "-", g2);
    q += `, then gives 1/${b} of the remaining ${thing} to ${other === friend ? "a neighbor" : other}`;
    return done(`${q}. How many ${thing} does ${name} keep?`, w, left, "integer");
  },
};

const fractionEaten: MathFamily = {
  id: "fraction_eaten",
  minSteps: 1,
  maxSteps: 3,
  make(rng, d) {
    const food = rng.pick(FOODS);
    const [a, b] = twoNames(rng);
    const parts = d === 3 ? between(rng, 2, 3) : 2;
    const den = rng.pick([4, 6, 8, 10, 12]);
    const fracs: Frac[] = [];
    for (let i = 0; i < parts; i++)
      fracs.push(frac(between(rng, 1, 3), i === 0 ? den : rng.pick([2, 3, 4, 6])));
    const w = new Work(true);
    const people = parts === 3 ? [a, b, "their friend"] : [a, b];
    const q = `${people.map((p, i) => `${p} eats ${fracs[i]!.toFractionString()}`).join(", ")} of a ${food}.`;
    const eaten = w.sum("Fraction eaten", fracs);
    if (d === 1)
      return done(`${q} What fraction of the ${food} did they eat in total?`, w, eaten, "fraction");
    const left = w.op("Fraction left", frac(1), "-", eaten);
    if (!left.isPositive()) return null;
    if (d === 2) return done(`${q} What fraction of the ${food} is left?`, w, left, "fraction");
    const slices = fracs.reduce((acc, f) => (acc * Number(f.den)) / gcdNum(acc, Number(f.den)), 1);
    const count = w.op("Slices left", left, "×", frac(slices));
    return done(
      `The ${food} was cut into ${slices} equal slices. ${q} How many slices are left?`,
      w,
      count,
      "integer",
    );
  },
};

const travelDistance: MathFamily = {
  id: "travel_distance",
  minSteps: 1,
  maxSteps: 4,
  make(rng, d) {
    const v = rng.pick(VEHICLES);
    const s1 = between(rng, 3, 12) * 5;
    const h1 = between(rng, 2, 6);
    const s2 = between(rng, 3, 12) * 5;
    const h2 = between(rng, 1, 5);
    const w = new Work();
    const leg1 = w.op("First part", frac(s1), "×", frac(h1));
    const who = v.who[0]!.toUpperCase() + v.who.slice(1);
    let q = `${who} ${v.verb} at ${s1} miles per hour for ${h1} hours`;
    if (d === 1) return done(`${q}. How many miles does it cover?`, w, leg1, "integer");
    if (d === 2) {
      const extra = between(rng, 3, 40);
      const total = w.op("Total distance", leg1, "+", frac(extra));
      return done(
        `${q}, then ${extra} more miles. How many miles does it cover in all?`,
        w,
        total,
        "integer",
      );
    }
    const leg2 = w.op("Second part", frac(s2), "×", frac(h2));
    const total = w.op("Total distance", leg1, "+", leg2);
    q += `, then at ${s2} miles per hour for ${h2} hours`;
    if (d === 3) return done(`${q}. How many miles does it cover in all?`, w, total, "integer");
    const trip = Number(total.num) + between(rng, 5, 200);
    const rest = w.op("Miles still to go", frac(trip), "-", total);
    return done(
      `${who} is on a ${trip}-mile trip. It ${v.verb} at ${s1} miles per hour for ${h1} hours, then at ${s2} miles per hour for ${h2} hours. How many miles are still to go?`,
      w,
      rest,
      "integer",
    );
  },
};

const production: MathFamily = {
  id: "factory_output",
  minSteps: 1,
  maxSteps: 4,
  make(rng, d) {
    const { place, product } = rng.pick(WORKPLACES);
    const rate = between(rng, 4, d >= 3 ? 60 : 25);
    const hours = between(rng, 3, 10);
    const days = between(rng, 2, 7);
    const w = new Work();
    let total = w.op(`${product} per day`, frac(rate), "×", frac(hours));
    let q = `A ${place} makes ${rate} ${product} per hour and works ${hours} hours a day.`;
    if (d === 1) return done(`${q} How many ${product} does it make in one day?`, w, total, "integer");
    total = w.op(`${product} in ${days} days`, total, "×", frac(days));
    if (d === 2) return done(`${q} How many ${product} does it make in ${days} days?`, w, total, "integer");
    const bad = between(rng, 1, 30);
    total = w.op("Good ones", total, "-", frac(bad));
    q += ` In ${days} days, ${bad} of the ${product} are flawed and thrown away.`;
    if (d === 3) return done(`${q} How many good ${product} are left?`, w, total, "integer");
    const per = rng.pick([2, 3, 4, 5, 6, 8, 10, 12]);
    if (Number(total.num) % per !== 0) return null;
    const boxes = w.op("Boxes", total, "÷", frac(per));
    return done(
      `${q} The good ones are packed ${per} to a box. How many boxes are filled?`,
      w,
      boxes,
      "integer",
    );
  },
};

const ages: MathFamily = {
  id: "ages",
  minSteps: 1,
  maxSteps: 4,
  make(rng, d) {
    const [a, b] = twoNames(rng);
    const k = between(rng, 2, 5);
    const young = between(rng, 3, d >= 2 ? 18 : 12);
    const n = between(rng, 2, 15);
    const w = new Work();
    const old = w.op(`${a}'s age`, frac(k), "×", frac(young));
    const q = `${b} is ${young} years old. ${a} is ${k} times as old as ${b}.`;
    if (d === 1) return done(`${q} How old is ${a}?`, w, old, "integer");
    if (d === 2) {
      const later = w.op(`${a}'s age in ${n} years`, old, "+", frac(n));
      return done(`${q} How old will ${a} be in ${n} years?`, w, later, "integer");
    }
    if (d === 3) {
      const m = between(rng, 1, Number(old.num) - 1);
      const cousin = w.op("Cousin's age now", old, "-", frac(m));
      const later = w.op(`Cousin's age in ${n} years`, cousin, "+", frac(n));
      return done(
        `${q} Their cousin is ${m} years younger than ${a}. How old will the cousin be in ${n} years?`,
        w,
        later,
        "integer",
      );
    }
    const later = w.op(`${a}'s age in ${n} years`, old, "+", frac(n));
    const youngLater = w.op(`${b}'s age in ${n} years`, frac(young), "+", frac(n));
    const sum = w.op("Sum of their ages", later, "+", youngLater);
    return done(`${q} What will the sum of their ages be in ${n} years?`, w, sum, "integer");
  },
};

const percentOfGroup: MathFamily = {
  id: "percent_of_group",
  minSteps: 1,
  maxSteps: 3,
  make(rng, d) {
    const total = rng.pick([20, 25, 40, 50, 60, 80, 100, 120, 160, 200, 250, 400]);
    const w = new Work();
    if (d === 1) {
      const pct = rng.pick([5, 10, 15, 20, 25, 30, 35, 40, 45, 55, 60, 65, 70, 75, 80, 90]);
      const part = w.op("Number who walk", frac(total), "×", frac(pct, 100));
      if (!part.isInteger()) return null;
      return done(
        `A school has ${total} students and ${pct}% of them walk to school. How many students walk to school?`,
        w,
        part,
        "integer",
      );
    }
    const subject = rng.pick(SUBJECTS);
    const part = between(rng, 1, total - 1);
    let count = frac(part);
    let q = `In a club of ${total} members, ${part} chose ${subject} as their favorite subject.`;
    let ask = `What percent of the members chose ${subject}?`;
    if (d === 3) {
      count = w.op(`Members who did not choose ${subject}`, frac(total), "-", frac(part));
      ask = `What percent of the members did not choose ${subject}?`;
    }
    const share = w.op("Share", count, "÷", frac(total));
    const pct = w.op("Percent", share, "×", frac(100));
    if (!centsOk(pct)) return null;
    q += ` ${ask}`;
    return done(q, w, pct, "percent");
  },
};

const recipeScale: MathFamily = {
  id: "recipe_scale",
  minSteps: 1,
  maxSteps: 3,
  make(rng, d) {
    const name = rng.pick(NAMES);
    const cups = between(rng, 1, 6);
    const batch = rng.pick([6, 8, 10, 12, 16, 20, 24]);
    const w = new Work(true);
    if (d === 1) {
      const k = between(rng, 2, 5);
      const need = w.op("Flour needed", frac(cups), "×", frac(k));
      return done(
        // No muffin count here: it would not change the arithmetic, only make near-duplicates.
        `A recipe uses ${cups} cups of flour for one batch of muffins. ${name} wants to make ${k} batches. How many cups of flour are needed?`,
        w,
        need,
        "integer",
      );
    }
    const want = batch * between(rng, 1, 4) + rng.pick([0, batch / 2]);
    if (want === batch) return null;
    const per = w.op("Flour per muffin", frac(cups), "÷", frac(batch));
    const need = w.op(`Flour for ${want} muffins`, per, "×", frac(want));
    const q = `A recipe uses ${cups} cups of flour for ${batch} muffins. ${name} wants to make ${want} muffins.`;
    if (d === 2) return done(`${q} How many cups of flour are needed?`, w, need, "fraction");
    const has = between(rng, 1, Math.max(1, Math.floor(need.toNumber()) - 1));
    const more = w.op("More flour needed", need, "-", frac(has));
    if (!more.isPositive()) return null;
    return done(
      `${q} ${name} has ${has} cups of flour. How many more cups of flour are needed?`,
      w,
      more,
      "fraction",
    );
  },
};

const fenceGarden: MathFamily = {
  id: "fence_garden",
  minSteps: 1,
  maxSteps: 4,
  make(rng, d) {
    const L = between(rng, 4, d >= 3 ? 40 : 20);
    const W = between(rng, 3, L);
    const w = new Work();
    const shape = `A rectangular garden is ${L} meters long and ${W} meters wide.`;
    if (d === 1) {
      const area = w.op("Area", frac(L), "×", frac(W));
      return done(`${shape} What is its area in square meters?`, w, area, "integer");
    }
    const half = w.op("Length plus width", frac(L), "+", frac(W));
    const per = w.op("Perimeter", half, "×", frac(2));
    if (d === 2) return done(`${shape} How many meters of fence go around it?`, w, per, "integer");
    const cost = money(between(rng, 2, 24) * 25);
    const fence = w.op("Fence cost", per, "×", cost);
    const q = `${shape} Fencing costs ${dollars(cost)} per meter.`;
    if (d === 3)
      return done(`${q} How many dollars does it cost to fence the garden?`, w, fence, decimalType(fence));
    const gate = between(rng, 15, 90);
    const total = w.op("Total cost", fence, "+", frac(gate));
    return done(
      `${q} A gate costs $${gate} more. How many dollars does it cost to fence the garden, gate included?`,
      w,
      total,
      decimalType(total),
    );
  },
};

const testAverage: MathFamily = {
  id: "test_average",
  minSteps: 2,
  maxSteps: 3,
  make(rng, d) {
    const name = rng.pick(NAMES);
    const n = d === 2 ? between(rng, 2, 4) : between(rng, 3, 5);
    const scores = Array.from({ length: n }, () => between(rng, 55, 100));
    const subjects = rng.shuffle([...SUBJECTS]).slice(0, n);
    const w = new Work();
    const sum = w.sum(
      "Sum of the scores",
      scores.map((s) => frac(s)),
    );
    const avg = w.op("Average", sum, "÷", frac(n));
    if (!centsOk(avg)) return null;
    const list = scores.map((s, i) => `${s} in ${subjects[i]}`).join(", ");
    if (d === 2) return done(`${name} scored ${list}. What is the average score?`, w, avg, decimalType(avg));
    const target = between(rng, 60, 95);
    const gap = w.op("Points above the goal", avg, "-", frac(target));
    if (!gap.isPositive()) return null;
    return done(
      `${name} scored ${list}. By how many points is the average score above ${target}?`,
      w,
      gap,
      decimalType(gap),
    );
  },
};

const tipSplit: MathFamily = {
  id: "tip_split",
  minSteps: 2,
  maxSteps: 4,
  make(rng, d) {
    const pct = rng.pick([10, 15, 18, 20, 25]);
    const people = rng.pick([2, 3, 4, 5, 6]);
    const w = new Work();
    let bill: Frac;
    let q: string;
    if (d === 4) {
      const a = between(rng, 8, 40);
      const b = between(rng, 8, 40);
      bill = w.op("Bill", frac(a), "+", frac(b));
      q = `${people} friends order dishes costing $${a} and $${b} and leave a ${pct}% tip on the bill.`;
    } else {
      bill = frac(between(rng, 20, 120));
      q = `A dinner bill is ${dollars(bill)} and the group leaves a ${pct}% tip.`;
    }
    const tip = w.op("Tip", bill, "×", frac(pct, 100));
    if (d === 2) {
      const total = w.op("Total", bill, "+", tip);
      return done(`${q} How many dollars is the total with the tip?`, w, total, decimalType(total));
    }
    const total = w.op("Total", bill, "+", tip);
    const each = w.op("Each person pays", total, "÷", frac(people));
    if (!centsOk(each)) return null;
    if (d === 3) q += ` The ${people} diners split the total evenly.`;
    else q += " They split the total evenly.";
    return done(`${q} How many dollars does each person pay?`, w, each, decimalType(each));
  },
};

const inventory: MathFamily = {
  id: "store_inventory",
  minSteps: 1,
  maxSteps: 4,
  make(rng, d) {
    const thing = rng.pick(THINGS);
    const scale = d >= 3 ? 10 : 1;
    let stock = between(rng, 40, 300) * scale;
    const start = stock;
    const w = new Work();
    const events: string[] = [];
    const days = ["Monday", "Tuesday", "Wednesday", "Thursday"];
    let s = frac(stock);
    for (let i = 0; i < d; i++) {
      const sell = i % 2 === 0 || rng.next() < 0.5;
      if (sell) {
        const n = between(rng, 1, Math.max(1, Math.floor(stock * 0.6)));
        s = w.op(`After ${days[i]}`, s, "-", frac(n));
        events.push(`sells ${n} on ${days[i]}`);
        stock -= n;
      } else {
        const n = between(rng, 5, 120) * scale;
        s = w.op(`After ${days[i]}`, s, "+", frac(n));
        events.push(`receives ${n} more on ${days[i]}`);
        stock += n;
      }
    }
    if (stock <= 0) return null;
    const list = events.length === 1 ? events[0] : `${events.slice(0, -1).join(", ")} and ${events.at(-1)}`;
    return done(
      `A shop has ${start} ${thing}. It ${list}. How many ${thing} does it have at the end?`,
      w,
      s,
      "integer",
    );
  },
};

const percentChange: MathFamily = {
  id: "percent_change",
  minSteps: 2,
  maxSteps: 3,
  make(rng, d) {
    const item = rng.pick(SHOP_ITEMS);
    const w = new Work();
    if (d === 2) {
      const old = frac(between(rng, 4, 80) * 5);
      const pct = rng.pick([5, 10, 12, 15, 20, 25, 30, 40]);
      const rise = w.op("Increase", old, "×", frac(pct, 100));
      const now = w.op("New price", old, "+", rise);
      return done(
        `The price of a ${item.one} was ${dollars(old)} and rose by ${pct}%. What is the new price in dollars?`,
        w,
        now,
        decimalType(now),
      );
    }
    const old = between(rng, 10, 200);
    const now = old + between(rng, 1, old);
    const rise = w.op("Increase", frac(now), "-", frac(old));
    const share = w.op("Increase as a share", rise, "÷", frac(old));
    const pct = w.op("Percent increase", share, "×", frac(100));
    if (!centsOk(pct)) return null;
    return done(
      `A ${item.one} used to cost $${old} and now costs $${now}. By what percent did the price increase?`,
      w,
      pct,
      "percent",
    );
  },
};

const simpleInterest: MathFamily = {
  id: "simple_interest",
  minSteps: 1,
  maxSteps: 3,
  make(rng, d) {
    const name = rng.pick(NAMES);
    const principal = between(rng, 2, 60) * 50;
    const rate = rng.pick([1, 2, 3, 4, 5, 6, 8]);
    const years = between(rng, 2, 8);
    const w = new Work();
    const yearly = w.op("Interest per year", frac(principal), "×", frac(rate, 100));
    const q = `${name} puts $${principal} in an account that pays ${rate}% simple interest per year`;
    if (d === 1)
      return done(
        `${q}. How many dollars of interest does it earn in one year?`,
        w,
        yearly,
        decimalType(yearly),
      );
    const all = w.op(`Interest for ${years} years`, yearly, "×", frac(years));
    if (d === 2)
      return done(
        `${q}. How many dollars of interest does it earn in ${years} years?`,
        w,
        all,
        decimalType(all),
      );
    const total = w.op("Balance", frac(principal), "+", all);
    return done(
      `${q}. How many dollars are in the account after ${years} years?`,
      w,
      total,
      decimalType(total),
    );
  },
};

const budgetFractions: MathFamily = {
  id: "budget_fractions",
  minSteps: 2,
  maxSteps: 4,
  make(rng, d) {
    const name = rng.pick(NAMES);
    const parts = d === 4 ? 3 : 2;
    const dens = Array.from({ length: parts }, () => rng.pick([3, 4, 5, 6, 8, 10]));
    const fracs = dens.map((den) => frac(between(rng, 1, 2), den));
    const what = rng.shuffle([...EXPENSES]).slice(0, parts);
    const w = new Work(true);
    const spent = w.sum("Fraction spent", fracs);
    const left = w.op("Fraction left", frac(1), "-", spent);
    if (!left.isPositive()) return null;
    const list = fracs.map((f, i) => `${f.toFractionString()} on ${what[i]}`).join(" and ");
    if (d === 2) {
      return done(`${name} spends ${list}. What fraction of the money is left?`, w, left, "fraction");
    }
    const lcm = dens.reduce((a, b) => (a * b) / gcdNum(a, b), 1);
    const envelopes = between(rng, 2, 5);
    const total = lcm * (d === 4 ? envelopes : 1) * between(rng, 2, 20);
    const money = w.op("Money left", left, "×", frac(total));
    if (d === 3) {
      return done(
        `${name} earns $${total} and spends ${list}. How many dollars are left?`,
        w,
        money,
        "integer",
      );
    }
    const each = w.op("Each envelope", money, "÷", frac(envelopes));
    return done(
      `${name} earns $${total}, spends ${list}, and splits the rest equally into ${envelopes} envelopes. How many dollars go in each envelope?`,
      w,
      each,
      "integer",
    );
  },
};

function gcdNum(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

const readingDays: MathFamily = {
  id: "reading_days",
  minSteps: 1,
  maxSteps: 3,
  make(rng, d) {
    const name = rng.pick(NAMES);
    const perDay = between(rng, 5, 40);
    const w = new Work();
    if (d === 1) {
      const pages = perDay * between(rng, 3, 20);
      const days = w.op("Days", frac(pages), "÷", frac(perDay));
      return done(
        `${name} reads ${perDay} pages a day. How many days does it take to read a ${pages}-page book?`,
        w,
        days,
        "integer",
      );
    }
    if (d === 2) {
      const read = between(rng, 10, 120);
      const pages = read + perDay * between(rng, 3, 20);
      const left = w.op("Pages left", frac(pages), "-", frac(read));
      const days = w.op("Days", left, "÷", frac(perDay));
      return done(
        `A book has ${pages} pages. ${name} has read ${read} pages and reads ${perDay} pages a day from now on. How many more days will it take to finish?`,
        w,
        days,
        "integer",
      );
    }
    const firstDays = between(rng, 2, 6);
    const later = between(rng, 5, 40);
    const pages = perDay * firstDays + later * between(rng, 2, 12);
    const first = w.op("Pages in the first days", frac(perDay), "×", frac(firstDays));
    const left = w.op("Pages left", frac(pages), "-", first);
    const days = w.op("More days", left, "÷", frac(later));
    return done(
      `A book has ${pages} pages. ${name} reads ${perDay} pages a day for ${firstDays} days, then ${later} pages a day. After the first ${firstDays} days, how many more days does it take to finish?`,
      w,
      days,
      "integer",
    );
  },
};

const minutesToHours: MathFamily = {
  id: "minutes_to_hours",
  minSteps: 1,
  maxSteps: 3,
  make(rng, d) {
    const name = rng.pick(NAMES);
    const [s1, s2] = rng.shuffle([...SUBJECTS]);
    const a = between(rng, 2, 24) * 5;
    const b = between(rng, 2, 24) * 5;
    const w = new Work();
    if (d === 1) {
      const h = w.op("Hours", frac(a), "÷", frac(60));
      if (!centsOk(h)) return null;
      return done(`${name} practices ${s1} for ${a} minutes. How many hours is that?`, w, h, decimalType(h));
    }
    const mins = w.op("Minutes in total", frac(a), "+", frac(b));
    let total = mins;
    let q = `${name} studies ${s1} for ${a} minutes and ${s2} for ${b} minutes each day`;
    if (d === 3) {
      const days = between(rng, 2, 7);
      total = w.op(`Minutes in ${days} days`, mins, "×", frac(days));
      q += ` for ${days} days`;
    }
    const h = w.op("Hours", total, "÷", frac(60));
    if (!centsOk(h)) return null;
    return done(`${q}. How many hours is that in total?`, w, h, decimalType(h));
  },
};

const unitPrice: MathFamily = {
  id: "unit_price",
  minSteps: 2,
  maxSteps: 3,
  make(rng, d) {
    const item = rng.pick(SHOP_ITEMS);
    const n = between(rng, 2, 12);
    const unit = money(between(rng, item.min / item.step, item.max / item.step) * item.step);
    const pack = unit.mul(frac(n));
    const m = between(rng, 2, 15);
    const w = new Work();
    const each = w.op(`Price of one ${item.one}`, pack, "÷", frac(n));
    const cost = w.op(`Cost of ${m}`, each, "×", frac(m));
    const q = `${n} ${item.many} cost ${dollars(pack)} together.`;
    if (d === 2) return done(`${q} How many dollars do ${m} ${item.many} cost?`, w, cost, decimalType(cost));
    const bill = [10, 20, 50, 100].map((x) => frac(x)).find((x) => x.sub(cost).isPositive());
    if (!bill) return null;
    const change = w.op("Change", bill, "-", cost);
    return done(
      `${q} How much change, in dollars, do you get from a ${dollars(bill)} bill after buying ${m} ${item.many}?`,
      w,
      change,
      decimalType(change),
    );
  },
};

export const MATH_FAMILIES: MathFamily[] = [
  shoppingChange,
  savings,
  discount,
  shareRemainder,
  fractionEaten,
  travelDistance,
  production,
  ages,
  percentOfGroup,
  recipeScale,
  fenceGarden,
  testAverage,
  tipSplit,
  inventory,
  percentChange,
  simpleInterest,
  budgetFractions,
  readingDays,
  minutesToHours,
  unitPrice,
];
