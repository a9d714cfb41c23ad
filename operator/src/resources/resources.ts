import type { V1ResourceRequirements } from "@kubernetes/client-node";
import type { Quantity, ResourceRequirements } from "../api/v1alpha1.ts";

/** A component's default requests and limits, written as Kubernetes quantities. */
export interface ResourceDefaults {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

/**
 * The user's requests and limits merged over the defaults, key by key (the user wins per key).
 *
 * A default never makes the result invalid: when the user sets only a request above the default
 * limit, the limit is raised to that request; when the user sets only a limit below the default
 * request, the request is lowered to that limit. Conflicts the user wrote themselves are kept, so
 * the API server names them.
 */
export function withDefaults(
  user: ResourceRequirements | undefined,
  defaults: ResourceDefaults,
): V1ResourceRequirements {
  const userRequests = stringify(user?.requests);
  const userLimits = stringify(user?.limits);
  const requests = { ...defaults.requests, ...userRequests };
  const limits = { ...defaults.limits, ...userLimits };

  for (const key of Object.keys(requests)) {
    const request = requests[key];
    const limit = limits[key];
    if (request === undefined || limit === undefined || !exceeds(request, limit)) continue;
    if (key in userRequests && !(key in userLimits)) limits[key] = request;
    else if (key in userLimits && !(key in userRequests)) requests[key] = limit;
  }

  return {
    ...(Object.keys(requests).length > 0 ? { requests } : {}),
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
  };
}

function stringify(values: Record<string, Quantity> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values ?? {}).map(([key, value]) => [key, String(value)]),
  );
}

/** Whether quantity `a` is larger than `b`; false when either cannot be read (let the API server judge). */
function exceeds(a: string, b: string): boolean {
  const left = quantityValue(a);
  const right = quantityValue(b);
  return left !== undefined && right !== undefined && left > right;
}

const binarySuffixes: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const decimalSuffixes: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};
const quantityShape =
  /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([KMGTPE]i)|([numkMGTPE]?)|[eE]([+-]?(?:\d+(?:\.\d*)?|\.\d+)))$/;

/** The approximate numeric value of a Kubernetes quantity such as `250m`, `1Gi` or `1e3`; good enough to compare. */
function quantityValue(text: string): number | undefined {
  const match = quantityShape.exec(text);
  if (!match) return undefined;
  const [, number, binary, decimal, exponent] = match;
  const base = Number(number);
  if (binary !== undefined) return base * (binarySuffixes[binary] ?? Number.NaN);
  if (exponent !== undefined) return base * 10 ** Number(exponent);
  return base * (decimalSuffixes[decimal ?? ""] ?? Number.NaN);
}
