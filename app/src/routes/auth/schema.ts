import { z } from "zod";
import { STARTER_LOCALES } from "../../domain/default-categories.ts";

const email = z.email().max(254);

/** A password as the API accepts it; the policy (length, common passwords) is checked after. */
const password = z.string().min(1).max(1024);

export const RegisterBody = z.object({
  email,
  password,
  name: z.string().trim().min(1).max(100),
  /** The token from an invitation link (`/invite/<token>`). */
  invitation: z.string().min(1).max(200).optional(),
  /**
   * The language of the starter category tree a new household gets (first owner only); a
   * language the tree is not written in is refused rather than silently replaced.
   */
  locale: z
    .enum(STARTER_LOCALES)
    .optional()
    .describe(
      "The language of the starter categories the household's first owner gets (default en); " +
        "ignored for everyone else",
    ),
});
export type RegisterBody = z.infer<typeof RegisterBody>;

export const LoginBody = z.object({
  email,
  password,
  /** A 6-digit authenticator code or a recovery code, when two-factor sign-in is on. */
  totp: z.string().trim().min(1).max(64).optional(),
});
export type LoginBody = z.infer<typeof LoginBody>;

export const CsrfJson = z.object({ token: z.string() });
