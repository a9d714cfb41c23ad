import { z } from "zod";

const role = z.enum(["owner", "member", "viewer"]);

export const UserParams = z.object({ id: z.string().regex(/^\d{1,18}$/, "must be a user id") });

export const MemberJson = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role,
});

export const PatchUserBody = z.object({ role });

export const PasswordResetJson = z.object({
  temporaryPassword: z.string().describe("Shown once; the user signs in with it and changes it"),
});

export const InvitationBody = z.object({
  email: z.email().max(254).optional(),
  role: z.enum(["member", "viewer"]),
  expiresInDays: z.number().int().min(1).max(30).default(7),
});
export type InvitationBody = z.infer<typeof InvitationBody>;

export const InvitationParams = z.object({
  id: z.string().regex(/^\d{1,18}$/, "must be an invitation id"),
});

export const InvitationCreatedJson = z.object({
  id: z.string(),
  url: z.string(),
  token: z.string().describe("Shown once: only its hash is stored"),
  expiresAt: z.string(),
});

export const InvitationJson = z.object({
  id: z.string(),
  email: z.string().nullable(),
  role: z.enum(["member", "viewer"]),
  createdAt: z.string(),
  expiresAt: z.string(),
  acceptedAt: z.string().nullable(),
});
