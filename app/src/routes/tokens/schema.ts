import { z } from "zod";

export const CreateTokenBody = z.object({
  name: z.string().trim().min(1).max(100),
  scope: z.enum(["read", "write"]),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});
export type CreateTokenBody = z.infer<typeof CreateTokenBody>;

export const TokenParams = z.object({ id: z.string().regex(/^\d{1,18}$/, "must be a token id") });

export const TokenJson = z.object({
  id: z.string(),
  name: z.string(),
  scope: z.enum(["read", "write"]),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});

export const CreatedTokenJson = TokenJson.extend({
  token: z.string().describe("`ft_...`: shown once, only its sha256 is stored"),
});
