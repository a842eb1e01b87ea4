//! Replays the conversations recorded against Confluent Schema Registry 7.9.0
//! (`tests/golden-http`, see its FORMAT.md) and compares every answer.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::PathBuf;

use regex::Regex;
use serde_json::{json, Value};

use crate::common::{on_each_backend, Backend, TestServer};

const CT: &str = "application/vnd.schemaregistry.v1+json";

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("golden-http")
}

fn load(name: &str) -> Value {
    let text = std::fs::read_to_string(data_dir().join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Confluent's QualifiedSubject context of a decoded subject.
fn context_of(subject: &str) -> String {
    if let Some(rest) = subject.strip_prefix(":.") {
        match rest.find(':') {
            Some(i) => subject[1..2 + i].to_owned(),
            None => subject[1..].to_owned(),
        }
    } else {
        ".".to_owned()
    }
}

fn unquote(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// The context a step's ids live in.
fn step_context(path: &str) -> String {
    let (p, q) = path.split_once('?').unwrap_or((path, ""));
    let segs: Vec<&str> = p.trim_matches('/').split('/').collect();
    if segs.len() > 1 && segs[0] == "contexts" {
        let c = unquote(segs[1]);
        return if c.starts_with('.') {
            c
        } else {
            format!(".{c}")
        };
    }
    for i in 0..segs.len().saturating_sub(1) {
        if segs[i] == "subjects" {
            return context_of(&unquote(segs[i + 1]));
        }
    }
    for kv in q.split('&') {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        if k == "subject" {
            return context_of(&unquote(v));
        }
    }
    ".".to_owned()
}

/// `(context, server id)` ⇄ `$idN`, in first-seen order, per scenario.
#[derive(Default)]
struct Ids {
    to_sym: HashMap<(String, i64), String>,
    from_sym: HashMap<String, i64>,
    ctx: String,
}

impl Ids {
    fn sym(&mut self, real: i64, ctx: Option<&str>) -> String {
        let key = (ctx.unwrap_or(&self.ctx).to_owned(), real);
        if let Some(s) = self.to_sym.get(&key) {
            return s.clone();
        }
        let n = self.to_sym.len() + 1;
        let s = format!("$id{n}");
        self.to_sym.insert(key, s.clone());
        self.from_sym.insert(n.to_string(), real);
        s
    }

    fn subst_path(&self, p: &str, sym: &Regex) -> String {
        sym.replace_all(p, |c: &regex::Captures<'_>| {
            match self.from_sym.get(&c[1]) {
                Some(real) => real.to_string(),
                None => c[0].to_owned(),
            }
        })
        .into_owned()
    }

    fn subst_body(&self, v: &Value, sym: &Regex) -> Value {
        match v {
            Value::String(s) => {
                if let Some(c) = sym.captures(s) {
                    if c[0].len() == s.len() {
                        if let Some(real) = self.from_sym.get(&c[1]) {
                            return json!(real);
                        }
                    }
                }
                v.clone()
            }
            Value::Array(a) => Value::Array(a.iter().map(|x| self.subst_body(x, sym)).collect()),
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, x)| (k.clone(), self.subst_body(x, sym)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

fn keep_filter(body: Value, keep: &[String]) -> Value {
    let ok = |s: &str| {
        keep.iter().any(|k| match k.strip_prefix('=') {
            Some(exact) => s == exact,
            None => s.starts_with(k.as_str()),
        })
    };
    match body {
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .filter(|x| match x {
                    Value::String(s) => ok(s),
                    Value::Object(m) => ok(m.get("subject").and_then(Value::as_str).unwrap_or("")),
                    _ => ok(""),
                })
                .collect(),
        ),
        other => other,
    }
}

fn symbolize(body: Value, ids: &mut Ids, id_list: bool, msg_id: &Regex) -> Value {
    if id_list {
        if let Value::Array(items) = body {
            return Value::Array(
                items
                    .into_iter()
                    .map(|x| match x.as_i64() {
                        Some(i) if x.is_i64() || x.is_u64() => json!(ids.sym(i, None)),
                        _ => x,
                    })
                    .collect(),
            );
        }
    }
    fn walk(v: Value, ctx: String, ids: &mut Ids, msg_id: &Regex) -> Value {
        match v {
            Value::Object(m) => {
                let ctx = match m.get("subject") {
                    Some(Value::String(s)) => context_of(s),
                    _ => ctx,
                };
                let mut out = serde_json::Map::new();
                for (k, x) in m {
                    let y = if (k == "id" || k == "maxId") && (x.is_i64() || x.is_u64()) {
                        json!(ids.sym(x.as_i64().unwrap_or_default(), Some(&ctx)))
                    } else if k == "message" && x.is_string() {
                        let s = x.as_str().unwrap_or_default().to_owned();
                        let mut result = String::new();
                        let mut last = 0;
                        for c in msg_id.captures_iter(&s) {
                            let whole = c.get(0).unwrap();
                            result.push_str(&s[last..whole.start()]);
                            result.push_str(&c[1]);
                            let real: i64 = c[2].parse().unwrap_or_default();
                            result.push_str(&ids.sym(real, Some(&ctx)));
                            last = whole.end();
                        }
                        result.push_str(&s[last..]);
                        json!(result)
                    } else {
                        walk(x, ctx.clone(), ids, msg_id)
                    };
                    out.insert(k, y);
                }
                Value::Object(out)
            }
            Value::Array(a) => Value::Array(
                a.into_iter()
                    .map(|x| walk(x, ctx.clone(), ids, msg_id))
                    .collect(),
            ),
            other => other,
        }
    }
    let ctx = ids.ctx.clone();
    walk(body, ctx, ids, msg_id)
}

struct Replayer {
    client: reqwest::Client,
    base: String,
    sym: Regex,
    msg_id: Regex,
}

impl Replayer {
    async fn send(&self, step: &Value, ids: &mut Ids) -> Value {
        let path = step["p"].as_str().unwrap();
        ids.ctx = step_context(path);
        let url = format!("{}{}", self.base, ids.subst_path(path, &self.sym));
        let method = reqwest::Method::from_bytes(step["m"].as_str().unwrap().as_bytes()).unwrap();
        let data = if let Some(raw) = step.get("raw") {
            Some(raw.as_str().unwrap().to_owned())
        } else {
            step.get("b")
                .map(|b| python_dumps(&ids.subst_body(b, &self.sym)))
        };
        let mut request = self.client.request(method, &url);
        if let Some(data) = data {
            let ct = step.get("ct").and_then(Value::as_str).unwrap_or(CT);
            // An empty `ct` was recorded with urllib, which then sends a form content type.
            let ct = if ct.is_empty() {
                "application/x-www-form-urlencoded"
            } else {
                ct
            };
            request = request.header("Content-Type", ct).body(data);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let mut body = if text.trim().is_empty() {
            json!({"text": text})
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| json!({"text": text}))
        };
        if let Some(keep) = step.get("keep").and_then(Value::as_array) {
            let keep: Vec<String> = keep
                .iter()
                .filter_map(|k| k.as_str().map(str::to_owned))
                .collect();
            body = keep_filter(body, &keep);
        }
        let id_list = step.get("ids").and_then(Value::as_bool).unwrap_or(false);
        json!({"status": status, "body": symbolize(body, ids, id_list, &self.msg_id)})
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let mut step = json!({"m": method, "p": path});
        if let Some(b) = body {
            step["b"] = b;
        }
        self.send(&step, &mut Ids::default()).await
    }

    async fn reset(&self) {
        let q = |s: &str| {
            percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
        };
        self.call(
            "PUT",
            "/mode?force=true",
            Some(json!({"mode": "READWRITE"})),
        )
        .await;
        self.call("DELETE", "/config", None).await;
        let contexts = self.call("GET", "/contexts", None).await;
        for c in contexts["body"].as_array().cloned().unwrap_or_default() {
            let c = c.as_str().unwrap_or(".");
            if c != "." {
                self.call("DELETE", &format!("/mode/{}", q(&format!(":{c}:"))), None)
                    .await;
                self.call("DELETE", &format!("/config/{}", q(&format!(":{c}:"))), None)
                    .await;
            }
        }
        for _ in 0..10 {
            let subjects = self
                .call("GET", "/subjects?subjectPrefix=%3A*%3A&deleted=true", None)
                .await;
            let subjects = subjects["body"].as_array().cloned().unwrap_or_default();
            if subjects.is_empty() {
                return;
            }
            for s in subjects {
                let s = q(s.as_str().unwrap_or_default());
                self.call("DELETE", &format!("/mode/{s}"), None).await;
                self.call("DELETE", &format!("/subjects/{s}"), None).await;
                self.call("DELETE", &format!("/subjects/{s}?permanent=true"), None)
                    .await;
            }
        }
        panic!("could not reset the registry");
    }

    async fn run_scenario(&self, scenario: &Value) -> Vec<Value> {
        self.reset().await;
        let mut touched = std::collections::BTreeSet::new();
        let scope = Regex::new(r"^/(config|mode)/([^/?]+)").unwrap();
        for step in scenario["steps"].as_array().unwrap() {
            if let Some(c) = scope.captures(step["p"].as_str().unwrap()) {
                touched.insert(format!("/{}/{}", &c[1], &c[2]));
            }
        }
        for p in touched {
            self.call("DELETE", &p, None).await;
        }
        let mut ids = Ids::default();
        let mut out = Vec::new();
        for step in scenario["steps"].as_array().unwrap() {
            out.push(self.send(step, &mut ids).await);
        }
        for step in scenario["teardown"].as_array().cloned().unwrap_or_default() {
            self.send(&step, &mut ids).await;
        }
        out
    }
}

/// `json.dumps` with Python's default separators, so bodies are byte-for-byte what the
/// recorder sent.
fn python_dumps(v: &Value) -> String {
    fn string(s: &str, out: &mut String) {
        out.push('"');
        for ch in s.chars() {
            match ch {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                    let mut buf = [0u16; 2];
                    for unit in c.encode_utf16(&mut buf) {
                        let _ = write!(out, "\\u{unit:04x}");
                    }
                }
                c => out.push(c),
            }
        }
        out.push('"');
    }
    fn go(v: &Value, out: &mut String) {
        match v {
            Value::Object(m) => {
                out.push('{');
                for (i, (k, x)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    string(k, out);
                    out.push_str(": ");
                    go(x, out);
                }
                out.push('}');
            }
            Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    go(x, out);
                }
                out.push(']');
            }
            Value::String(s) => string(s, out),
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    go(v, &mut out);
    out
}

/// The global relaxations of FORMAT.md.
fn rule(want: &Value) -> Option<&'static str> {
    let body = want["body"].as_object();
    let code = body
        .and_then(|b| b.get("error_code"))
        .and_then(Value::as_i64);
    let msg = body
        .and_then(|b| b.get("message"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let detail = |m: &str| {
        m.contains("details: com.fasterxml.jackson")
            || m.contains("details: Could not parse Protobuf")
    };
    if want["status"] == 400 && code == Some(400) {
        return Some("code");
    }
    if code == Some(500) {
        return Some("skip");
    }
    if detail(msg) {
        return Some("code");
    }
    let messages = body
        .and_then(|b| b.get("messages"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if messages.iter().any(|m| m.as_str().is_some_and(detail)) {
        return Some("verdict");
    }
    None
}

fn same(step: &Value, want: &Value, got: &Value, relax: Option<&str>) -> bool {
    if relax == Some("skip") {
        return true;
    }
    if want["status"] != got["status"] {
        return false;
    }
    let code = |r: &Value| {
        r["body"]
            .as_object()
            .and_then(|b| b.get("error_code"))
            .cloned()
    };
    match relax {
        Some("code") => return code(want) == code(got),
        Some("verdict") => {
            return want["body"].get("is_compatible") == got["body"].get("is_compatible")
        }
        _ => {}
    }
    match step.get("cmp").and_then(Value::as_str) {
        Some("status") => true,
        Some("keys") => match (want["body"].as_object(), got["body"].as_object()) {
            (Some(w), Some(g)) => {
                let mut a: Vec<&String> = w.keys().collect();
                let mut b: Vec<&String> = g.keys().collect();
                a.sort();
                b.sort();
                a == b
            }
            (Some(_), None) => false,
            _ => true,
        },
        _ => want["body"] == got["body"],
    }
}

fn known_differences() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(data_dir().join("KNOWN_DIFFERENCES")).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (step, reason) = l.split_once(char::is_whitespace).unwrap_or((l, ""));
            (step.to_owned(), reason.trim().to_owned())
        })
        .collect()
}

on_each_backend!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    replay_confluent_conversations
);
async fn replay_confluent_conversations(backend: Backend) {
    let server = TestServer::start(backend).await;
    let replayer = Replayer {
        client: reqwest::Client::new(),
        base: server.base.clone(),
        sym: Regex::new(r"\{\$id(\d+)\}").unwrap(),
        msg_id: Regex::new(r"(Schema |with id |input id )(-?\d+)").unwrap(),
    };
    let scenarios = load("scenarios.json");
    let golden = load("golden.json");
    let allowed: HashMap<String, String> = load("allowed.json")
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["step"].as_str().unwrap().to_owned(),
                e["cmp"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let known = known_differences();
    let only = std::env::var("STRATA_REPLAY_ONLY").ok();
    let verbose = std::env::var("STRATA_REPLAY_VERBOSE").is_ok();
    let (mut total, mut matched) = (0usize, 0usize);
    let mut unexpected = Vec::new();
    let mut mismatches: Vec<String> = Vec::new();
    let mut now_passing = Vec::new();
    let mut report = String::new();
    for scenario in scenarios.as_array().unwrap() {
        let name = scenario["name"].as_str().unwrap();
        if only
            .as_deref()
            .is_some_and(|o| !o.split(',').any(|x| x == name))
        {
            continue;
        }
        let got = replayer.run_scenario(scenario).await;
        let want = golden[name].as_array().unwrap();
        let steps = scenario["steps"].as_array().unwrap();
        let mut ok_here = 0;
        for (i, ((step, w), g)) in steps.iter().zip(want).zip(&got).enumerate() {
            total += 1;
            let key = format!("{name}#{i}");
            let relax = allowed.get(&key).map(String::as_str).or_else(|| rule(w));
            if same(step, w, g, relax) {
                ok_here += 1;
                matched += 1;
                if known.contains_key(&key) {
                    now_passing.push(key);
                }
            } else {
                let detail = format!(
                    "--- {key} {} {}\n    body: {}\n    confluent: {} {}\n    ours:      {} {}\n",
                    step["m"].as_str().unwrap_or(""),
                    step["p"].as_str().unwrap_or(""),
                    step.get("b")
                        .or(step.get("raw"))
                        .map(|b| b.to_string().chars().take(300).collect::<String>())
                        .unwrap_or_default(),
                    w["status"],
                    w["body"].to_string().chars().take(600).collect::<String>(),
                    g["status"],
                    g["body"].to_string().chars().take(600).collect::<String>(),
                );
                mismatches.push(format!(
                    "{key}\t{}",
                    g["body"].to_string().chars().take(200).collect::<String>()
                ));
                if verbose || !known.contains_key(&key) {
                    print!("{detail}");
                }
                if !known.contains_key(&key) {
                    unexpected.push(key);
                }
            }
        }
        let _ = writeln!(report, "{name:28} {ok_here:3}/{}", steps.len());
    }
    println!("{report}");
    if let Ok(path) = std::env::var("STRATA_REPLAY_DUMP") {
        std::fs::write(path, mismatches.join("\n")).unwrap();
    }
    println!("{backend:?}: {matched}/{total} steps match Confluent 7.9.0");
    if !now_passing.is_empty() {
        println!(
            "listed in KNOWN_DIFFERENCES but now matching (remove them): {}",
            now_passing.join(" ")
        );
    }
    assert!(
        unexpected.is_empty(),
        "{} steps differ from Confluent and are not in KNOWN_DIFFERENCES: {}",
        unexpected.len(),
        unexpected.join(" ")
    );
}
