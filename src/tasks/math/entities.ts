// Names and things that fill the word-problem templates.

export const NAMES = [
  "Amara",
  "Ben",
  "Carlos",
  "Dana",
  "Elif",
  "Farid",
  "Grace",
  "Hiro",
  "Ines",
  "Jamal",
  "Kofi",
  "Lena",
  "Mateo",
  "Nadia",
  "Omar",
  "Priya",
  "Quinn",
  "Rosa",
  "Sven",
  "Tariq",
  "Uma",
  "Victor",
  "Wen",
  "Ximena",
  "Yusuf",
  "Zoe",
  "Aiko",
  "Bruno",
  "Chloe",
  "Dmitri",
  "Esther",
  "Felix",
  "Gita",
  "Hugo",
  "Ivy",
  "Jonas",
  "Keiko",
  "Liam",
  "Maya",
  "Nikhil",
  "Olga",
  "Pablo",
  "Rania",
  "Sami",
  "Talia",
  "Uriel",
  "Vera",
  "Wanjiru",
];

export interface Item {
  one: string;
  many: string;
  /** Unit price range in cents; prices are drawn as multiples of `step` cents. */
  min: number;
  max: number;
  step: number;
}

export const SHOP_ITEMS: Item[] = [
  { one: "notebook", many: "notebooks", min: 100, max: 600, step: 25 },
  { one: "pen", many: "pens", min: 50, max: 300, step: 25 },
  { one: "apple", many: "apples", min: 25, max: 150, step: 25 },
  { one: "loaf of bread", many: "loaves of bread", min: 200, max: 500, step: 50 },
  { one: "movie ticket", many: "movie tickets", min: 600, max: 1500, step: 50 },
  { one: "T-shirt", many: "T-shirts", min: 800, max: 2500, step: 100 },
  { one: "bag of rice", many: "bags of rice", min: 300, max: 1200, step: 50 },
  { one: "plant pot", many: "plant pots", min: 300, max: 1500, step: 100 },
  { one: "candle", many: "candles", min: 150, max: 800, step: 50 },
  { one: "puzzle", many: "puzzles", min: 500, max: 2000, step: 100 },
  { one: "mango", many: "mangoes", min: 50, max: 250, step: 25 },
  { one: "comic book", many: "comic books", min: 200, max: 900, step: 50 },
  { one: "bottle of juice", many: "bottles of juice", min: 100, max: 400, step: 25 },
  { one: "paintbrush", many: "paintbrushes", min: 100, max: 700, step: 50 },
  { one: "toy car", many: "toy cars", min: 200, max: 1200, step: 100 },
  { one: "scarf", many: "scarves", min: 700, max: 3000, step: 100 },
];

/** Countable things a person can have, share, make or sell. */
export const THINGS = [
  "marbles",
  "stickers",
  "cookies",
  "stamps",
  "seashells",
  "baseball cards",
  "cupcakes",
  "beads",
  "pencils",
  "tomatoes",
  "eggs",
  "muffins",
  "postcards",
  "balloons",
  "buttons",
  "crayons",
  "oranges",
  "flowers",
  "coins",
  "books",
  "pebbles",
  "ribbons",
  "dumplings",
  "toy soldiers",
];

export const FOODS = [
  "pizza",
  "cake",
  "pie",
  "chocolate bar",
  "watermelon",
  "loaf of banana bread",
  "lasagna",
];

export const VEHICLES = [
  { who: "a train", verb: "travels" },
  { who: "a cyclist", verb: "rides" },
  { who: "a bus", verb: "drives" },
  { who: "a truck", verb: "drives" },
  { who: "a ferry", verb: "sails" },
  { who: "a runner", verb: "runs" },
];

export const WORKPLACES = [
  { place: "bakery", product: "loaves" },
  { place: "toy factory", product: "toys" },
  { place: "print shop", product: "posters" },
  { place: "candle workshop", product: "candles" },
  { place: "shoe factory", product: "pairs of shoes" },
  { place: "pottery studio", product: "mugs" },
  { place: "farm", product: "jars of honey" },
];

export const EXPENSES = [
  "rent",
  "food",
  "books",
  "travel",
  "a gift",
  "savings",
  "clothes",
  "games",
  "music lessons",
];

export const SUBJECTS = ["math", "history", "science", "art", "music", "geography", "reading", "chemistry"];
