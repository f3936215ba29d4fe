/** Types of scripts/build-dashboard.mjs (used by the tests). */
export declare const defaultOutDir: string;
/** Bundles the dashboard into `outdir`; returns each output file's size in bytes. */
export declare function buildDashboard(outdir?: string): Promise<Record<string, number>>;
