/**
 * Node programs the fault family runs inside the agent's container (`docker exec … node -e`), with the
 * agent's own token from its secret file: load and write storms that must come from the agent's subnet.
 * Each prints one JSON line with what it saw.
 */

/**
 * `n` concurrent streaming chat calls to the proxy with a large max_tokens (each reserves its worst
 * case against the budget). Prints `{statuses: {<status or "error">: count}}`.
 */
export function concurrentCallsScript(n: number, model: string): string {
  return `const t=require('node:fs').readFileSync('/run/secrets/agent_token','utf8').trim();
const body=JSON.stringify({model:${JSON.stringify(model)},stream:true,max_tokens:16000,messages:[{role:'user',content:'load'}]});
const one=()=>fetch('http://egress-proxy:8480/llm/openai/v1/chat/completions',{method:'POST',headers:{authorization:'Bearer '+t,'content-type':'application/json'},body,signal:AbortSignal.timeout(50000)})
 .then(async r=>{try{await r.text()}catch{return 'cut'}return String(r.status)},()=>'error');
Promise.all(Array.from({length:${n}},one)).then(all=>{const s={};for(const x of all)s[x]=(s[x]||0)+1;process.stdout.write(JSON.stringify({statuses:s}))});`;
}

/**
 * Writes `context/notes_storm_<i>` from 8 workers for `ms` milliseconds, retrying through errors
 * (the mesh may be down). Prints `{acks: [[i, at]…], failed: n}`: an ack = the mesh answered 2xx.
 */
export function writeStormScript(ms: number): string {
  return `const t=require('node:fs').readFileSync('/run/secrets/agent_token','utf8').trim();
const end=Date.now()+${ms};let next=0;const acks=[];let failed=0;
const sleep=m=>new Promise(r=>setTimeout(r,m));
async function worker(){while(Date.now()<end){const i=next++;
 try{const r=await fetch('http://mesh:8420/v1/blackboard/context/notes_storm_'+i,{method:'PUT',headers:{authorization:'Bearer '+t,'content-type':'application/json'},body:JSON.stringify({value:{i}}),signal:AbortSignal.timeout(5000)});
  await r.text();if(r.status<300)acks.push([i,Date.now()]);else{failed++;await sleep(100)}}catch{failed++;await sleep(200)}}}
Promise.all(Array.from({length:8},worker)).then(()=>process.stdout.write(JSON.stringify({acks,failed})));`;
}
