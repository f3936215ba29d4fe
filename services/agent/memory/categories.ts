import { tokens } from "./text.js";

/**
 * Categories. The model names one on save (any slug); without one, this fixed keyword table assigns it,
 * falling back to "general". Deterministic on purpose: the same text always lands in the same category.
 */
export const FALLBACK_CATEGORY = "general";

const RULES: readonly { category: string; words: readonly string[] }[] = [
  {
    category: "preference",
    words: [
      "prefer",
      "prefers",
      "preferred",
      "like",
      "likes",
      "love",
      "loves",
      "hate",
      "hates",
      "favorite",
      "favourite",
      "dislike",
      "dislikes",
      "always",
      "never",
      "wants",
    ],
  },
  {
    category: "personal",
    words: [
      "cat",
      "dog",
      "pet",
      "wife",
      "husband",
      "son",
      "daughter",
      "birthday",
      "born",
      "family",
      "lives",
      "live",
      "home",
      "name",
      "friend",
      "partner",
    ],
  },
  {
    category: "contact",
    words: ["email", "phone", "address", "contact", "slack", "telegram", "handle"],
  },
  {
    category: "project",
    words: [
      "project",
      "repo",
      "repository",
      "deadline",
      "milestone",
      "release",
      "deploy",
      "deployment",
      "customer",
      "client",
      "roadmap",
      "sprint",
      "ticket",
    ],
  },
  {
    category: "technical",
    words: [
      "api",
      "port",
      "server",
      "database",
      "config",
      "version",
      "endpoint",
      "bug",
      "error",
      "vault",
      "key",
      "host",
      "url",
      "token",
      "docker",
      "build",
    ],
  },
  {
    category: "schedule",
    words: [
      "meeting",
      "tomorrow",
      "monday",
      "tuesday",
      "wednesday",
      "thursday",
      "friday",
      "weekly",
      "daily",
      "calendar",
      "appointment",
      "schedule",
    ],
  },
];

/** The first rule with the most word hits wins; no hit → "general". */
export function classify(text: string): string {
  const words = new Set(tokens(text));
  let best = FALLBACK_CATEGORY;
  let bestHits = 0;
  for (const rule of RULES) {
    let hits = 0;
    for (const w of rule.words) if (words.has(w)) hits++;
    if (hits > bestHits) {
      best = rule.category;
      bestHits = hits;
    }
  }
  return best;
}

/** Singular form good enough to match "preferences" to "preference" and "contacts" to "contact". */
const stem = (w: string): string => (w.length > 4 && w.endsWith("s") ? w.slice(0, -1) : w);

/** Tier 1 of retrieval: known categories the query names (e.g. "my preferences" → preference). */
export function categoriesInQuery(query: string, known: readonly string[]): string[] {
  const words = new Set(tokens(query).map(stem));
  return known.filter((c) => words.has(stem(c)) || words.has(c));
}
