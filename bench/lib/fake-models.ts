/** Models the benchmark fake answers: `PACED_MODEL` streams like a real model, `FAST_MODEL` answers at once. */
export const PACED_MODEL = "gpt-4o";
export const FAST_MODEL = "gpt-4o-mini";
