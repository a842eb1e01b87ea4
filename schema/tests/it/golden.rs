//! The Confluent-judged corpus (`tests/golden/`): validity, canonical and normalized text for every
//! schema, and the verdict for every pair and chain, must equal Confluent 7.9's.
//!
//! `STRATA_GOLDEN_TYPE=AVRO` (or `JSON`, `PROTOBUF`) restricts the run to one format;
//! `STRATA_GOLDEN_VERBOSE=1` prints every disagreement with both sides.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use serde_json::Value;
use strata_schema::{
    check_compatibility, parse, CompatibilityLevel, ParseOptions, ParsedSchema, PreviousVersion,
    ReferenceResolver, ResolvedReference, SchemaError, SchemaReference, SchemaType,
};

/// The one pair whose oracle run crashed (see tests/golden/README.md): no verdict to compare.
const ORACLE_ERROR: &str = "json-exclusiveMaximum-10-5";

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn load(name: &str) -> Value {
    let text = std::fs::read_to_string(golden_dir().join(name)).expect("golden file readable");
    serde_json::from_str(&text).expect("golden file is JSON")
}

/// Resolves references from texts held in memory, as the corpus gives them.
struct MapResolver(HashMap<(String, i32), (SchemaType, String)>);

impl ReferenceResolver for MapResolver {
    fn resolve(&self, reference: &SchemaReference) -> Result<ResolvedReference, SchemaError> {
        self.0
            .get(&(reference.subject.clone(), reference.version))
            .map(|(schema_type, schema)| ResolvedReference {
                schema_type: *schema_type,
                schema: schema.clone(),
                references: Vec::new(),
            })
            .ok_or_else(|| SchemaError::ReferenceNotFound {
                subject: reference.subject.clone(),
                version: reference.version,
            })
    }
}

/// Builds references and their resolver from a corpus `refs` list; entries without a subject
/// use the name as subject and version 1, as the oracle did for pairs.
fn references(schema_type: SchemaType, refs: &Value) -> (Vec<SchemaReference>, MapResolver) {
    let mut list = Vec::new();
    let mut map = HashMap::new();
    for r in refs.as_array().into_iter().flatten() {
        let name = r["name"].as_str().expect("ref name").to_owned();
        let subject = r["subject"].as_str().unwrap_or(&name).to_owned();
        let version = r["version"].as_i64().unwrap_or(1) as i32;
        let schema = r["schema"].as_str().expect("ref schema").to_owned();
        map.insert((subject.clone(), version), (schema_type, schema));
        list.push(SchemaReference {
            name,
            subject,
            version,
        });
    }
    (list, MapResolver(map))
}

fn schema_type(v: &Value) -> SchemaType {
    v.as_str().expect("type").parse().expect("known type")
}

#[derive(Default)]
struct Tally {
    /// (type, category) -> (agreed, total)
    counts: BTreeMap<(String, &'static str), (usize, usize)>,
    disagreements: BTreeMap<String, String>,
}

impl Tally {
    fn record(
        &mut self,
        ty: &str,
        category: &'static str,
        key: String,
        agreed: bool,
        detail: String,
    ) {
        let entry = self.counts.entry((ty.to_owned(), category)).or_default();
        entry.1 += 1;
        if agreed {
            entry.0 += 1;
        } else {
            self.disagreements.insert(key, detail);
        }
    }
}

fn wanted(ty: &str) -> bool {
    match std::env::var("STRATA_GOLDEN_TYPE") {
        Ok(filter) => filter.split(',').any(|f| f.eq_ignore_ascii_case(ty)),
        Err(_) => true,
    }
}

fn parse_new(ty: SchemaType, text: &str, refs: &Value) -> Result<ParsedSchema, SchemaError> {
    let (list, resolver) = references(ty, refs);
    parse(ty, text, &list, &resolver, &ParseOptions::default())
}

fn check_schemas(corpus: &Value, golden: &Value, tally: &mut Tally) {
    for s in corpus["schemas"].as_array().expect("schemas") {
        let id = s["id"].as_str().expect("id");
        let ty_name = s["type"].as_str().expect("type");
        if !wanted(ty_name) {
            continue;
        }
        let want = &golden["schemas"][id];
        let want_valid = want["valid"].as_bool().expect("valid");
        let got = parse_new(
            schema_type(&s["type"]),
            s["schema"].as_str().expect("schema"),
            &s["refs"],
        );
        let detail = match &got {
            Ok(p) => format!("we accept it; canonical {}", p.canonical()),
            Err(e) => format!("we reject it: {e}; Confluent: {}", want["error"]),
        };
        tally.record(
            ty_name,
            "validity",
            format!("schema:{id}:valid"),
            got.is_ok() == want_valid,
            detail,
        );
        if let (Ok(parsed), true) = (&got, want_valid) {
            for (category, ours) in [
                ("canonical", parsed.canonical()),
                ("normalized", parsed.normalized()),
            ] {
                let theirs = want[category].as_str().expect("text");
                tally.record(
                    ty_name,
                    category,
                    format!("schema:{id}:{category}"),
                    ours == theirs,
                    format!("\n    ours:   {ours}\n    theirs: {theirs}"),
                );
            }
        }
    }
}

fn verdict_detail(ours: &[String], theirs: &Value) -> String {
    format!("\n    ours:   {ours:?}\n    theirs: {theirs}")
}

fn messages(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("message list")
        .iter()
        .map(|m| m.as_str().expect("message").to_owned())
        .collect()
}

fn check_pairs(corpus: &Value, golden: &Value, tally: &mut Tally) {
    for pair in corpus["compat"].as_array().expect("compat") {
        let id = pair["id"].as_str().expect("id");
        let ty_name = pair["type"].as_str().expect("type");
        if !wanted(ty_name) {
            continue;
        }
        let ty = schema_type(&pair["type"]);
        let old = parse_new(ty, pair["old"].as_str().expect("old"), &pair["old_refs"]);
        let new = parse_new(ty, pair["new"].as_str().expect("new"), &pair["new_refs"]);
        for level in [CompatibilityLevel::Backward, CompatibilityLevel::Forward] {
            if id == ORACLE_ERROR {
                // The oracle crashed during this pair's BACKWARD check, before FORWARD ran.
                continue;
            }
            let want = &golden["compat"][id][level.as_str()];
            let key = format!("compat:{id}:{level}");
            let (old, new) = match (&old, &new) {
                (Ok(o), Ok(n)) => (o, n),
                (o, n) => {
                    let why = format!(
                        "a side does not parse: old {:?} new {:?}",
                        o.as_ref().err(),
                        n.as_ref().err()
                    );
                    tally.record(ty_name, "verdict", key, false, why);
                    continue;
                }
            };
            let ours = check_compatibility(
                level,
                new,
                &[PreviousVersion {
                    version: None,
                    schema: old,
                }],
            );
            let theirs = messages(want);
            tally.record(
                ty_name,
                "verdict",
                key.clone(),
                ours.is_compatible == theirs.is_empty(),
                verdict_detail(&ours.messages, want),
            );
            tally.record(
                ty_name,
                "messages",
                format!("{key}:messages"),
                ours.messages == theirs,
                verdict_detail(&ours.messages, want),
            );
        }
    }
}

fn check_chains(corpus: &Value, golden: &Value, tally: &mut Tally) {
    for chain in corpus["chains"].as_array().expect("chains") {
        let id = chain["id"].as_str().expect("id");
        let types: Vec<&str> = chain["types"]
            .as_array()
            .expect("types")
            .iter()
            .map(|t| t.as_str().expect("type"))
            .collect();
        let ty_name = if types.windows(2).all(|w| w[0] == w[1]) {
            types[0]
        } else {
            "MIXED"
        };
        if ty_name != "MIXED" && !wanted(ty_name) {
            continue;
        }
        let versions = chain["versions"].as_array().expect("versions");
        let parsed: Result<Vec<ParsedSchema>, SchemaError> = versions
            .iter()
            .zip(&types)
            .enumerate()
            .map(|(i, (text, ty))| {
                let options = if i + 1 == versions.len() {
                    ParseOptions::default()
                } else {
                    ParseOptions::stored()
                };
                parse(
                    ty.parse()?,
                    text.as_str().expect("text"),
                    &[],
                    &strata_schema::NoReferences,
                    &options,
                )
            })
            .collect();
        for level in CompatibilityLevel::ALL {
            let key = format!("chain:{id}:{level}");
            let want = &golden["chains"][id][level.as_str()];
            let parsed = match &parsed {
                Ok(p) => p,
                Err(e) => {
                    tally.record(
                        ty_name,
                        "chain verdict",
                        key,
                        false,
                        format!("a version does not parse: {e}"),
                    );
                    continue;
                }
            };
            let (candidate, earlier) = parsed.split_last().expect("chain has versions");
            let previous: Vec<PreviousVersion<'_>> = earlier
                .iter()
                .enumerate()
                .rev()
                .map(|(i, schema)| PreviousVersion {
                    version: Some(i as i32 + 1),
                    schema,
                })
                .collect();
            let ours = check_compatibility(level, candidate, &previous);
            let theirs = messages(want);
            tally.record(
                ty_name,
                "chain verdict",
                key.clone(),
                ours.is_compatible == theirs.is_empty(),
                verdict_detail(&ours.messages, want),
            );
            tally.record(
                ty_name,
                "chain messages",
                format!("{key}:messages"),
                ours.messages == theirs,
                verdict_detail(&ours.messages, want),
            );
        }
    }
}

fn known_differences() -> BTreeMap<String, String> {
    let text =
        std::fs::read_to_string(golden_dir().join("KNOWN_DIFFERENCES")).expect("KNOWN_DIFFERENCES");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(char::is_whitespace) {
            Some((key, reason)) => (key.to_owned(), reason.trim().to_owned()),
            None => (l.to_owned(), String::new()),
        })
        .collect()
}

#[test]
fn golden_corpus_agrees_with_confluent() {
    let corpus = load("corpus.json");
    let golden = load("golden.json");
    let mut tally = Tally::default();
    check_schemas(&corpus, &golden, &mut tally);
    check_pairs(&corpus, &golden, &mut tally);
    check_chains(&corpus, &golden, &mut tally);

    println!("golden corpus agreement with Confluent 7.9:");
    for ((ty, category), (agreed, total)) in &tally.counts {
        println!("  {ty:<9} {category:<32} {agreed:>4}/{total:<4}");
    }
    let verbose = std::env::var_os("STRATA_GOLDEN_VERBOSE").is_some();
    let known = known_differences();
    let enforced: Vec<_> = tally.disagreements.iter().collect();
    if verbose {
        for (key, detail) in &tally.disagreements {
            println!("DIFF {key}: {detail}");
        }
    }
    let unexpected: Vec<_> = enforced
        .iter()
        .filter(|(key, _)| !known.contains_key(*key))
        .collect();
    let filtered = std::env::var_os("STRATA_GOLDEN_TYPE").is_some();
    let stale: Vec<_> = known
        .keys()
        .filter(|key| !tally.disagreements.contains_key(*key))
        .filter(|_| !filtered)
        .collect();
    for (key, detail) in &unexpected {
        println!("UNEXPECTED {key}: {detail}");
    }
    for key in &stale {
        println!("STALE KNOWN_DIFFERENCES entry (now agrees, remove it): {key}");
    }
    assert!(
        unexpected.is_empty() && stale.is_empty(),
        "{} disagreements with Confluent not listed in KNOWN_DIFFERENCES, {} stale entries",
        unexpected.len(),
        stale.len()
    );
}
