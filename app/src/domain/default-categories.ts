import type { CategoryKind } from "./categories.ts";

/**
 * The category tree a new household starts with, in its language: what most households track,
 * two levels deep, so the first budget and the first report make sense before anyone designs a
 * tree. Every name is an ordinary category afterwards: renamed, moved or deleted at will.
 */

/** The languages the starter tree is written in. */
export const STARTER_LOCALES = ["en", "de", "nl", "fr", "es"] as const;
export type StarterLocale = (typeof STARTER_LOCALES)[number];

/** One category of the starter tree and the categories inside it. */
export interface StarterCategory {
  name: string;
  kind: CategoryKind;
  children: readonly StarterCategory[];
}

// Per entry: a top-level category and its children, in English, German, Dutch, French, Spanish.
type Names = readonly [string, string, string, string, string];
const tree: readonly (readonly [CategoryKind, Names, readonly Names[]])[] = [
  [
    "income",
    ["Income", "Einnahmen", "Inkomsten", "Revenus", "Ingresos"],
    [
      ["Salary", "Gehalt", "Salaris", "Salaire", "Nómina"],
      ["Interest", "Zinsen", "Rente", "Intérêts", "Intereses"],
      [
        "Other income",
        "Sonstige Einnahmen",
        "Overige inkomsten",
        "Autres revenus",
        "Otros ingresos",
      ],
    ],
  ],
  [
    "expense",
    ["Housing", "Wohnen", "Wonen", "Logement", "Vivienda"],
    [
      [
        "Rent or mortgage",
        "Miete oder Kredit",
        "Huur of hypotheek",
        "Loyer ou prêt",
        "Alquiler o hipoteca",
      ],
      ["Energy", "Energie", "Energie", "Énergie", "Energía"],
      [
        "Internet and phone",
        "Internet und Telefon",
        "Internet en telefoon",
        "Internet et téléphone",
        "Internet y teléfono",
      ],
      ["Household", "Haushalt", "Huishouden", "Maison", "Hogar"],
    ],
  ],
  [
    "expense",
    ["Food", "Lebensmittel", "Eten", "Alimentation", "Alimentación"],
    [
      ["Groceries", "Einkäufe", "Boodschappen", "Courses", "Supermercado"],
      ["Restaurants", "Restaurants", "Restaurants", "Restaurants", "Restaurantes"],
    ],
  ],
  [
    "expense",
    ["Transport", "Mobilität", "Vervoer", "Transport", "Transporte"],
    [
      ["Fuel", "Tanken", "Brandstof", "Carburant", "Combustible"],
      [
        "Public transport",
        "Öffentlicher Verkehr",
        "Openbaar vervoer",
        "Transports en commun",
        "Transporte público",
      ],
    ],
  ],
  ["expense", ["Health", "Gesundheit", "Gezondheid", "Santé", "Salud"], []],
  ["expense", ["Insurance", "Versicherungen", "Verzekeringen", "Assurances", "Seguros"], []],
  [
    "expense",
    ["Leisure", "Freizeit", "Vrije tijd", "Loisirs", "Ocio"],
    [
      ["Subscriptions", "Abonnements", "Abonnementen", "Abonnements", "Suscripciones"],
      ["Holidays", "Urlaub", "Vakantie", "Vacances", "Vacaciones"],
    ],
  ],
  ["expense", ["Shopping", "Einkaufen", "Winkelen", "Achats", "Compras"], []],
  [
    "expense",
    [
      "Fees and taxes",
      "Gebühren und Steuern",
      "Kosten en belastingen",
      "Frais et impôts",
      "Comisiones e impuestos",
    ],
    [],
  ],
];

/** The starter tree in `locale`. */
export function starterCategories(locale: StarterLocale): StarterCategory[] {
  const index = STARTER_LOCALES.indexOf(locale);
  const name = (names: Names) => names[index] ?? names[0];
  return tree.map(([kind, names, children]) => ({
    name: name(names),
    kind,
    children: children.map((child) => ({ name: name(child), kind, children: [] })),
  }));
}

/**
 * The starter language for a BCP 47 tag or an Accept-Language list ("de-AT", "nl-BE,nl;q=0.9,
 * en;q=0.8"): the first listed language the tree is written in, by weight; English otherwise.
 */
export function starterLocaleFor(tags: string | undefined): StarterLocale {
  const ranked = (tags ?? "")
    .split(",")
    .map((part, position) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return {
        language: tag.trim().toLowerCase().split("-")[0] ?? "",
        q: Number(q ?? 1),
        position,
      };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.position - b.position);
  for (const { language } of ranked) {
    const found = STARTER_LOCALES.find((locale) => locale === language);
    if (found !== undefined) return found;
  }
  return "en";
}

/** A category as stored, named by its parent's name rather than its id. */
export interface NamedCategory {
  name: string;
  kind: CategoryKind;
  parent: string | null;
}

/**
 * Whether `categories` are exactly the starter tree of one language, as the household got it:
 * nothing renamed, moved, added or removed. Such a tree is the household's starting point, not
 * its data, so loading a household export may replace it.
 */
export function isUntouchedStarterTree(categories: readonly NamedCategory[]): boolean {
  const key = (c: NamedCategory) => JSON.stringify([c.kind, c.parent, c.name]);
  const have = categories.map(key).sort();
  return STARTER_LOCALES.some((locale) => {
    const want = starterCategories(locale)
      .flatMap((top) => [
        { name: top.name, kind: top.kind, parent: null },
        ...top.children.map((child) => ({ name: child.name, kind: child.kind, parent: top.name })),
      ])
      .map(key)
      .sort();
    return want.length === have.length && want.every((k, i) => k === have[i]);
  });
}
