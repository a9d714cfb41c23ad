import { z } from "zod";

export const PatchMeBody = z.object({ name: z.string().trim().min(1).max(100).optional() });

export const ChangePasswordBody = z.object({
  currentPassword: z.string().min(1).max(1024),
  newPassword: z.string().min(1).max(1024),
});

export const SessionParams = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });

export const SessionJson = z.object({
  id: z.string().describe("An opaque id for this listing and DELETE; not the session's secret"),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  userAgent: z.string(),
  ip: z.string(),
  current: z.boolean(),
});

export const TotpSetupJson = z.object({ secret: z.string(), otpauthUrl: z.string() });

export const TotpEnableBody = z.object({ code: z.string().regex(/^\d{6}$/, "must be 6 digits") });

export const RecoveryCodesJson = z.object({ recoveryCodes: z.array(z.string()) });

export const ReauthenticateBody = z.object({
  password: z.string().min(1).max(1024),
  totp: z.string().trim().min(1).max(64).optional(),
});

export const TotpDisableBody = z.object({
  password: z.string().min(1).max(1024),
  code: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .describe("A current 6-digit code from the authenticator app, or an unused recovery code"),
});
