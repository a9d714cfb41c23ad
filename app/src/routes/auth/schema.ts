import { z } from "zod";

const email = z.email().max(254);

/** A password as the API accepts it; the policy (length, common passwords) is checked after. */
const password = z.string().min(1).max(1024);

export const RegisterBody = z.object({
  email,
  password,
  name: z.string().trim().min(1).max(100),
  /** The token from an invitation link (`/invite/<token>`). */
  invitation: z.string().min(1).max(200).optional(),
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
