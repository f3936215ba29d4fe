/**
 * One example per config file for docs/config.md. A test loads them all as one fleet, so the
 * documentation's examples always validate. Most are the seed README's own examples.
 */
export const DOC_EXAMPLES = {
  "config/agents.yaml": `agents:
  researcher:
    role: "research"
    model: "openai/gpt-4o-mini"
    system_prompt: "You are a research specialist..."
    resources:
      memory_limit: "512m"
      cpu_limit: 0.5
    budget:
      daily_usd: 5.00
      monthly_usd: 100.00
    allowed_hosts: ["api.github.com", "*.wikipedia.org"]
    mcp_servers:
      - name: filesystem
        command: mcp-server-filesystem
        args: ["/data"]
  orchestrator:
    role: "orchestrator"
    fallback_models: ["anthropic/claude-sonnet-4-5"]
`,
  "config/permissions.json": `{
  "researcher": {
    "can_message": ["orchestrator"],
    "can_publish": ["research_complete"],
    "can_subscribe": ["new_lead"],
    "blackboard_read": ["tasks/*", "context/*"],
    "blackboard_write": ["context/prospect_*"],
    "allowed_apis": ["llm", "brave_search"]
  }
}
`,
  "config/mesh.yaml": `mesh:
  host: "127.0.0.1"
  port: 8420

llm:
  default_model: "openai/gpt-4o-mini"
  embedding_model: "text-embedding-3-small"
  max_tokens: 4096
  temperature: 0.7

schedules:
  - name: morning_brief
    agent: orchestrator
    cron: "0 9 * * 1-5"
    timezone: "Europe/Berlin"
    message: "Summarise yesterday's research."

heartbeats:
  - agent: researcher
    every: 15m
`,
  "config/workflows/prospect_pipeline.yaml": `name: prospect_pipeline
trigger: new_prospect
timeout: 600
steps:
  - id: research
    agent: researcher
    task_type: research_prospect
    input_from: trigger.payload
  - id: qualify
    agent: orchestrator
    task_type: qualify_lead
    depends_on: [research]
    condition: "research.result.score >= 5"
`,
  "config/watchers.yaml": `watchers:
  - path: "/data/inbox"
    pattern: "*.csv"
    agent: "researcher"
    message: "New prospect list uploaded: {filename}. Begin research."
`,
  ".env": `OPENLEGION_MASTER_KEY=<43 base64url characters written by openlegion init>
OPENLEGION_CRED_OPENAI_API_KEY=sk-...
OPENLEGION_CRED_ANTHROPIC_API_KEY=sk-ant-...
OPENLEGION_CRED_BRAVE_SEARCH_API_KEY=BSA...
OPENLEGION_LOG_FORMAT=text
`,
} as const;
