/** How the local stack's parts retry a local service that is briefly unavailable (shared/backoff.ts). */
export const LOCAL_RETRY = { baseDelayMs: 100, maxDelayMs: 5_000 };
