import { RE2JS, RE2JSException } from "re2js";

/**
 * The regular expressions of rule conditions (`op: "matches"`). They follow RE2's syntax
 * (https://github.com/google/re2/wiki/Syntax) and ignore case, and they run on RE2's engine,
 * which needs no backtracking: a match takes time linear in the program's size times the
 * text's length, whatever the pattern. A backtracking engine (JavaScript's RegExp) cannot
 * promise that, and no check of a pattern's shape made it safe (issue 16: six `\w{0,10}` in a
 * row took 15 s on one long payee and held up every request meanwhile).
 *
 * What RE2 refuses, and so a rule refuses: backreferences (`\1`, `\k<name>`), lookarounds
 * (`(?=`, `(?!`, `(?<=`, `(?<!`), atomic groups and possessive quantifiers, repeat counts
 * above 1000, and JavaScript-only escapes (`\uFFFF` is `\x{FFFF}` in RE2, `\cA` has none).
 * Also unlike RegExp: `\s`, `\d`, `\w` and `\b` are ASCII only (`\pZ`, `\pN`, `\pL` are the
 * Unicode classes), and `.` matches everything but a newline.
 */

/** The longest regular expression a rule may hold. */
export const MAX_REGEX_LENGTH = 200;

/**
 * The largest program (RE2's instruction count) one regex may compile to. It bounds the cost
 * of one match at MAX_PROGRAM_SIZE steps per character: at most about 200 000 steps on the
 * REGEX_SUBJECT_LIMIT characters a regex sees, which is milliseconds. Ordinary patterns take
 * tens of instructions; only large repeats (`(\w{0,100}){10}`) come near it.
 */
export const MAX_PROGRAM_SIZE = 1000;

/** A regex sees at most this many characters of the text (a payee's maximum length). */
export const REGEX_SUBJECT_LIMIT = 200;

/** A rule's regex, compiled once and run on many texts. */
export interface RuleRegex {
  /** Whether the regex matches somewhere in the first REGEX_SUBJECT_LIMIT characters of `text`. */
  test(text: string): boolean;
  /**
   * An upper bound, in steps, of the work `test(text)` does, known before it runs: RE2 visits
   * each instruction of its program at most once per position of the text. Callers charge it
   * to a budget before they match, which is how a budget holds although a match never yields.
   */
  cost(text: string): number;
}

/** The pattern compiled under the rules' flags, or why it cannot be. */
function compile(pattern: string): RE2JS | string {
  if (pattern.length === 0) return "is empty";
  if (pattern.length > MAX_REGEX_LENGTH) return `is longer than ${MAX_REGEX_LENGTH} characters`;
  let regex: RE2JS;
  try {
    regex = RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
  } catch (error) {
    if (error instanceof RE2JSException) return syntaxProblem(error.message);
    throw error;
  }
  const size = regex.programSize();
  if (size > MAX_PROGRAM_SIZE) {
    return `is too large: it compiles to ${size} instructions, more than ${MAX_PROGRAM_SIZE} (use smaller repeat counts)`;
  }
  return regex;
}

/**
 * RE2's parse error in the words of a rule. RE2's parser already knows escapes from classes
 * and groups, so its complaint names the exact construct: backreferences and lookarounds,
 * which a user coming from JavaScript or PCRE reaches for first, get a message of their own.
 */
function syntaxProblem(message: string): string {
  // "error parsing regexp: invalid escape sequence: `\1`"; the flag shows as a `(?i)` prefix.
  const detail = message.replace(/^error parsing regexp: /, "").replace("`(?i)", "`");
  const fragment = /`([^`]*)`?/.exec(detail)?.[1] ?? "";
  if (/^\\([1-9]|k)/.test(fragment)) {
    return "uses a backreference, which RE2 syntax does not support";
  }
  if (/^\(\?(=|!|<=|<!)/.test(fragment)) {
    return "uses a lookaround ((?=, (?!, (?<=, (?<!), which RE2 syntax does not support";
  }
  return `is not a valid RE2 regular expression: ${detail}`;
}

/** Why `pattern` cannot be a rule's regex, or undefined when it can. */
export function regexProblem(pattern: string): string | undefined {
  const compiled = compile(pattern);
  return typeof compiled === "string" ? compiled : undefined;
}

/** Compiles a rule's regex; throws with regexProblem's reason when it cannot be one. */
export function compileRuleRegex(pattern: string): RuleRegex {
  const regex = compile(pattern);
  if (typeof regex === "string") throw new Error(`the regex ${regex}`);
  const size = regex.programSize();
  return {
    test: (text) => regex.test(text.slice(0, REGEX_SUBJECT_LIMIT)),
    cost: (text) => size * (Math.min(text.length, REGEX_SUBJECT_LIMIT) + 1),
  };
}
