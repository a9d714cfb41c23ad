// Settings: the locale that numbers, dates and amounts are formatted in (Intl), kept per browser.
import { useState } from "preact/hooks";
import { currentLocale, formatDate, setLocale } from "../lib/format.ts";
import { formatMoney } from "../lib/money.ts";
import { Section, SelectField } from "./ui.tsx";

/** The locales offered; any other the browser reports is offered as its default. */
const LOCALES = [
  "en-US",
  "en-GB",
  "en-IN",
  "de-DE",
  "de-CH",
  "fr-FR",
  "es-ES",
  "it-IT",
  "nl-NL",
  "pt-BR",
  "sv-SE",
  "pl-PL",
  "ja-JP",
] as const;

function languageName(tag: string): string {
  try {
    return new Intl.DisplayNames(["en"], { type: "language" }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

/** The locale picker with a live example of what it changes. */
export function LocaleSection(props: { currency: string }) {
  const [choice, setChoice] = useState(currentLocale() ?? "");
  const browser = navigator.language;
  const options: [string, string][] = [
    ["", `Browser default: ${languageName(browser)} (${browser})`],
    ...LOCALES.map((tag): [string, string] => [tag, `${languageName(tag)} (${tag})`]),
  ];
  // A locale stored earlier but no longer listed stays selectable rather than vanishing.
  if (choice !== "" && !options.some(([tag]) => tag === choice)) {
    options.push([choice, `${languageName(choice)} (${choice})`]);
  }
  return (
    <Section title="Language and region">
      <div class="stack narrow tight">
        <SelectField
          label="Format numbers, dates and amounts for"
          name="locale"
          value={choice}
          options={options}
          onValue={(value) => {
            setLocale(value === "" ? undefined : value);
            setChoice(value);
          }}
        />
        <p class="muted" data-testid="locale-example">
          For example {formatMoney("-1234.56", props.currency, currentLocale())} on{" "}
          {formatDate("2026-03-05")}
        </p>
        <p class="hint">Kept in this browser; the app's text stays in English.</p>
      </div>
    </Section>
  );
}
