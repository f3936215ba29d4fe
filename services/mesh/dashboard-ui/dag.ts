/**
 * The layout of a workflow's DAG (pure): each step's column is its depth (1 + the deepest step it
 * waits for), its row its place in that column. Unknown dependencies are ignored; a cycle (the
 * config loader refuses them) would stop at the number of steps.
 */
export const NODE_W = 150;
export const NODE_H = 40;
export const GAP_X = 40;
export const GAP_Y = 14;

export interface GraphStep {
  id: string;
  depends_on?: readonly string[];
}
export interface DagNode {
  id: string;
  col: number;
  row: number;
  x: number;
  y: number;
}
export interface DagEdge {
  from: string;
  to: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export function layout(graph: readonly GraphStep[]): {
  nodes: DagNode[];
  edges: DagEdge[];
  width: number;
  height: number;
} {
  const byId = new Map(graph.map((s) => [s.id, s]));
  const depth = new Map<string, number>();
  const depthOf = (id: string, seen = 0): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const deps = (byId.get(id)?.depends_on ?? []).filter((d) => byId.has(d));
    const d =
      deps.length === 0 || seen > graph.length ? 0 : 1 + Math.max(...deps.map((x) => depthOf(x, seen + 1)));
    depth.set(id, d);
    return d;
  };
  const rows: number[] = [];
  const nodes: DagNode[] = graph.map((s) => {
    const col = depthOf(s.id);
    const row = rows[col] ?? 0;
    rows[col] = row + 1;
    return { id: s.id, col, row, x: col * (NODE_W + GAP_X), y: row * (NODE_H + GAP_Y) };
  });
  const at = new Map(nodes.map((n) => [n.id, n]));
  const edges: DagEdge[] = graph.flatMap((s) => {
    const b = at.get(s.id);
    return (s.depends_on ?? []).flatMap((d) => {
      const a = at.get(d);
      if (!a || !b) return [];
      return [{ from: d, to: s.id, x1: a.x + NODE_W, y1: a.y + NODE_H / 2, x2: b.x, y2: b.y + NODE_H / 2 }];
    });
  });
  const width = Math.max(1, ...nodes.map((n) => n.x + NODE_W));
  const height = Math.max(1, ...nodes.map((n) => n.y + NODE_H));
  return { nodes, edges, width, height };
}
