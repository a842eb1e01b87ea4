//! Group commit: the common registrations (new version, no references, no explicit id) that
//! arrive while a write is running are written together, in one transaction, when it ends.
//!
//! SQLite lets one writer in at a time, and on a busy machine most of a write's time is spent
//! handing the statements to the connection's thread and the results back. One writer task
//! takes every registration waiting, up to [`MOST_IN_A_GROUP`], and writes them in one
//! statement batch and one commit; each is answered only after that commit, so an answer
//! still means the registration is on disk. If any statement of a group fails, the group is
//! rolled back and each registration is written again on its own, so that one bad
//! registration fails alone, with its own error.
//!
//! The writer task lives as long as the store: it ends when every handle to the queue is gone.

use std::sync::OnceLock;

use sqlx::query::Query;
use sqlx::sqlite::SqliteArguments;
use sqlx::{Column, Row, Sqlite, SqlitePool};
use tokio::sync::{mpsc, oneshot, Mutex};

use super::{db, Batch, VersionsCache};
use crate::store::rows::{corrupt, schema_json};
use crate::store::{NewVersion, StoreError};

/// Most registrations written in one transaction.
const MOST_IN_A_GROUP: usize = 64;

/// Registrations waiting for the writer, at most.
const QUEUE: usize = 4096;

/// The queue of the writer task.
#[derive(Debug, Clone)]
pub(super) struct GroupCommit {
    queue: mpsc::Sender<Pending>,
}

/// The content columns of a new schema row, as bound.
pub(super) struct Content {
    context: String,
    schema_type: &'static str,
    schema: String,
    refs: String,
    metadata: Option<String>,
    rule_set: Option<String>,
    fingerprint: String,
}

/// Stores content unless its identity is stored already, under the next id of its context.
/// Its parameters are bound by [`Content::bind`].
pub(super) const NEW_CONTENT: &str = "INSERT INTO schemas (context, id, schema_type, schema, \
     refs, metadata, rule_set, fingerprint) \
     SELECT ?, COALESCE((SELECT next_id FROM id_allocators WHERE context = ?), 1), \
     ?, ?, ?, ?, ?, ? \
     WHERE NOT EXISTS (SELECT 1 FROM schemas WHERE context = ? AND fingerprint = ?)";

impl Content {
    /// The content of `new`.
    pub(super) fn of(new: &NewVersion) -> Result<Self, StoreError> {
        let (refs, metadata, rule_set) = schema_json(&new.schema)?;
        Ok(Content {
            context: new.context.clone(),
            schema_type: new.schema.schema_type.as_str(),
            schema: new.schema.schema.clone(),
            refs,
            metadata,
            rule_set,
            fingerprint: new.schema.fingerprint.clone(),
        })
    }

    /// Binds the parameters of [`NEW_CONTENT`], in the order they appear. (Parameters are
    /// positional: numbered ones that skip numbers are not bound right in a statement batch.)
    pub(super) fn bind<'q>(
        &'q self,
        query: Query<'q, Sqlite, SqliteArguments<'q>>,
    ) -> Query<'q, Sqlite, SqliteArguments<'q>> {
        query
            .bind(&self.context)
            .bind(&self.context)
            .bind(self.schema_type)
            .bind(&self.schema)
            .bind(&self.refs)
            .bind(&self.metadata)
            .bind(&self.rule_set)
            .bind(&self.fingerprint)
            .bind(&self.context)
            .bind(&self.fingerprint)
    }
}

/// A registration waiting for its group, and where its answer goes.
struct Pending {
    content: Content,
    subject: String,
    version: i32,
    answer: oneshot::Sender<Result<i32, StoreError>>,
}

fn writer_stopped() -> StoreError {
    StoreError::Database("the SQLite writer has stopped".into())
}

impl GroupCommit {
    /// Starts the writer task: it writes through `writes`, taking `turn` for each group so
    /// that it and the store's other writes take turns, and drops from `versions` the subject
    /// of a registration written after its caller stopped waiting.
    pub(super) fn start(
        writes: SqlitePool,
        turn: std::sync::Arc<Mutex<()>>,
        versions: std::sync::Arc<VersionsCache>,
    ) -> Self {
        let (queue, waiting) = mpsc::channel(QUEUE);
        tokio::spawn(write_groups(waiting, writes, turn, versions));
        GroupCommit { queue }
    }

    /// Writes the version (and its content, unless stored) with the next group; answers once
    /// that group committed. The caller guarantees the common case: no explicit id, nothing
    /// displaced or removed, no references. A caller that stops waiting does not stop the
    /// write: the writer then drops the subject's cached versions itself, after the commit.
    pub(super) async fn append(&self, new: &NewVersion) -> Result<i32, StoreError> {
        let (answer, answered) = oneshot::channel();
        let pending = Pending {
            content: Content::of(new)?,
            subject: new.subject.clone(),
            version: new.version,
            answer,
        };
        self.queue
            .send(pending)
            .await
            .map_err(|_| writer_stopped())?;
        answered.await.map_err(|_| writer_stopped())?
    }
}

async fn write_groups(
    mut waiting: mpsc::Receiver<Pending>,
    writes: SqlitePool,
    turn: std::sync::Arc<Mutex<()>>,
    versions: std::sync::Arc<VersionsCache>,
) {
    let mut group = Vec::with_capacity(MOST_IN_A_GROUP);
    while waiting.recv_many(&mut group, MOST_IN_A_GROUP).await > 0 {
        let outcomes = {
            let _turn = turn.lock().await;
            write_group(&writes, &group).await
        };
        for (pending, outcome) in group.drain(..).zip(outcomes) {
            answer(pending, outcome, &versions);
        }
    }
}

/// Gives `pending` its outcome. A caller that went away dropped its subject's cached versions
/// when it stopped waiting, before this commit: a read since may have cached the versions
/// without this one, so they are dropped again, now that the commit is done.
fn answer(pending: Pending, outcome: Result<i32, StoreError>, versions: &VersionsCache) {
    let Pending {
        subject, answer, ..
    } = pending;
    if let Err(Ok(_)) = answer.send(outcome) {
        versions.changed(&subject);
    }
}

/// One outcome per registration of `group`, in order.
async fn write_group(writes: &SqlitePool, group: &[Pending]) -> Vec<Result<i32, StoreError>> {
    match write_together(writes, group).await {
        Ok(outcomes) => outcomes,
        Err(error) if group.len() == 1 => vec![Err(error)],
        Err(error) => {
            tracing::warn!(%error, registrations = group.len(), "a group write failed: writing each on its own");
            let mut outcomes = Vec::with_capacity(group.len());
            for pending in group {
                outcomes.push(
                    match write_together(writes, std::slice::from_ref(pending)).await {
                        Ok(mut alone) => alone.pop().unwrap_or_else(|| Err(writer_stopped())),
                        Err(error) => Err(error),
                    },
                );
            }
            outcomes
        }
    }
}

/// The statements that write registration `i` of a group, bound by [`bind_registration`]: the
/// content (new content takes the next id of its context), the version on the content's id
/// (its id returned as `v{i}`; none when the same text is stored under another type), the
/// context.
fn registration_sql(i: usize) -> String {
    format!(
        "{NEW_CONTENT}; \
         INSERT INTO subject_versions (subject, version, context, schema_id, deleted) \
         SELECT ?, ?, ?, id, 0 FROM schemas \
         WHERE context = ? AND fingerprint = ? AND schema_type = ? \
         RETURNING schema_id AS v{i}; \
         INSERT OR IGNORE INTO contexts (context) SELECT ? WHERE ? <> '.'; "
    )
}

fn bind_registration<'q>(
    query: Query<'q, Sqlite, SqliteArguments<'q>>,
    p: &'q Pending,
) -> Query<'q, Sqlite, SqliteArguments<'q>> {
    let c = &p.content;
    c.bind(query)
        .bind(&p.subject)
        .bind(p.version)
        .bind(&c.context)
        .bind(&c.context)
        .bind(&c.fingerprint)
        .bind(c.schema_type)
        .bind(&c.context)
        .bind(&c.context)
}

/// The statement batch of a group of `n` registrations (1 to [`MOST_IN_A_GROUP`]), built once
/// per size for the life of the process.
fn group_sql(n: usize) -> &'static str {
    static BATCHES: [OnceLock<String>; MOST_IN_A_GROUP] =
        [const { OnceLock::new() }; MOST_IN_A_GROUP];
    let n = n.clamp(1, MOST_IN_A_GROUP);
    BATCHES[n - 1].get_or_init(|| {
        let mut sql = String::from("BEGIN IMMEDIATE; ");
        for i in 0..n {
            sql.push_str(&registration_sql(i));
        }
        sql.push_str("COMMIT;");
        sql
    })
}

/// Writes `group` in one transaction: the outcome of each, or the error that rolled all back.
async fn write_together(
    writes: &SqlitePool,
    group: &[Pending],
) -> Result<Vec<Result<i32, StoreError>>, StoreError> {
    let mut query = sqlx::query(group_sql(group.len()));
    for p in group {
        query = bind_registration(query, p);
    }
    let mut batch = Batch(Some(writes.acquire().await.map_err(db)?));
    let conn = batch.connection()?;
    let rows = match query.fetch_all(&mut **conn).await {
        Ok(rows) => rows,
        Err(error) => {
            // A statement failed: the rest of the batch, COMMIT included, did not run.
            sqlx::query("ROLLBACK")
                .execute(&mut **conn)
                .await
                .map_err(db)?;
            batch.done();
            return Err(db(error));
        }
    };
    batch.done();
    let mut ids: Vec<Option<i32>> = vec![None; group.len()];
    for row in &rows {
        let name = row.columns().first().map_or("", |c| c.name());
        let index = name
            .strip_prefix('v')
            .and_then(|i| i.parse::<usize>().ok())
            .filter(|i| *i < group.len())
            .ok_or_else(|| corrupt(format!("unexpected column {name} in a group's results")))?;
        ids[index] = Some(row.try_get(0).map_err(corrupt)?);
    }
    Ok(ids
        .into_iter()
        .map(|id| {
            id.ok_or_else(|| {
                StoreError::Conflict("the same schema is stored under another type".into())
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{NewSchema, SqliteStore, SqliteSync, Store};
    use strata_schema::SchemaType;

    fn pending(subject: &str, version: i32, text: &str, schema_type: SchemaType) -> Pending {
        // Answers are read from the outcomes here, not from the channel.
        let (answer, _) = oneshot::channel();
        let schema = NewSchema {
            schema_type,
            schema: text.to_owned(),
            references: Vec::new(),
            metadata: None,
            rule_set: None,
            fingerprint: format!("fp-{text}"),
        };
        let version = NewVersion {
            subject: subject.to_owned(),
            context: ".".into(),
            version,
            id: None,
            schema,
            tombstones: Vec::new(),
            displaces: None,
        };
        Pending {
            content: Content::of(&version).unwrap(),
            subject: version.subject,
            version: version.version,
            answer,
        }
    }

    fn outcome(o: &Result<i32, StoreError>) -> Result<i32, String> {
        match o {
            Ok(id) => Ok(*id),
            Err(StoreError::Conflict(_)) => Err("conflict".into()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// The outcomes of `group` written as one group (never one by one).
    async fn together(store: &SqliteStore, group: &[Pending]) -> Vec<Result<i32, String>> {
        write_together(&store.writes, group)
            .await
            .unwrap()
            .iter()
            .map(outcome)
            .collect()
    }

    #[test]
    fn a_group_batch_is_built_once_per_size_with_one_result_column_per_registration() {
        let three = group_sql(3);
        assert!(std::ptr::eq(three, group_sql(3)));
        assert!(three.starts_with("BEGIN IMMEDIATE; ") && three.ends_with("COMMIT;"));
        for i in 0..3 {
            assert!(three.contains(&format!("AS v{i};")), "{three}");
        }
        assert!(!three.contains("AS v3;"));
        assert_eq!(
            group_sql(MOST_IN_A_GROUP).matches("RETURNING").count(),
            MOST_IN_A_GROUP
        );
    }

    #[test]
    fn a_registration_written_after_its_caller_left_drops_the_cached_versions() {
        let versions = VersionsCache::new();
        let g = versions.generation("a").current();
        versions.fill("a", g, &[]);
        // Answered: the caller keeps the cache exact itself.
        let (answer, answered) = oneshot::channel();
        let mut waiting = pending("a", 1, "A", SchemaType::Avro);
        waiting.answer = answer;
        super::answer(waiting, Ok(1), &versions);
        assert_eq!(answered.blocking_recv().unwrap().unwrap(), 1);
        assert!(versions.subjects.get("a").is_some());
        // Nobody waiting any more: the entry, possibly read before this commit, goes.
        let gone = pending("a", 2, "B", SchemaType::Avro);
        super::answer(gone, Ok(2), &versions);
        assert!(versions.subjects.get("a").is_none());
    }

    #[tokio::test]
    async fn a_group_writes_each_registration_and_one_failure_fails_alone() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("g.db").display());
        let store = SqliteStore::open(&url, SqliteSync::Normal).await.unwrap();
        let avro = SchemaType::Avro;

        // One group, all written: the same content twice gets one id, stored once; the same
        // text under another type is refused without failing the others.
        let group: Vec<Pending> = vec![
            pending("a", 1, "A", avro),
            pending("b", 1, "B", avro),
            pending("c", 1, "A", avro),
            pending("d", 1, "B", SchemaType::Json),
        ];
        // Written as one group, not one by one.
        let outcomes = together(&store, &group).await;
        assert_eq!(outcomes, vec![Ok(1), Ok(2), Ok(1), Err("conflict".into())]);

        // A statement that fails (a version that exists) rolls the group back; written again
        // one by one, the others land and the failure is its own.
        let group: Vec<Pending> = vec![
            pending("e", 1, "E", avro),
            pending("a", 1, "F", avro),
            pending("f", 1, "G", avro),
        ];
        assert!(write_together(&store.writes, &group).await.is_err());
        let outcomes: Vec<_> = write_group(&store.writes, &group)
            .await
            .iter()
            .map(outcome)
            .collect();
        assert_eq!(outcomes, vec![Ok(3), Err("conflict".into()), Ok(4)]);
        // Nothing of the failed registration stayed: its content took no id.
        assert!(store.schema(".", 5).await.unwrap().is_none());
        assert_eq!(store.max_id(".").await.unwrap(), 4);
        let a: Vec<(i32, i32)> = store
            .select_versions("a")
            .await
            .unwrap()
            .iter()
            .map(|v| (v.version, v.id))
            .collect();
        assert_eq!(a, vec![(1, 1)]);

        for n in [10usize, 20, 40, 64] {
            let group: Vec<Pending> = (0..n)
                .map(|i| pending(&format!("big{n}-{i}"), 1, &format!("BIG{n}-{i}"), avro))
                .collect();
            let first = store.max_id(".").await.unwrap() + 1;
            let outcomes = together(&store, &group).await;
            let expected: Vec<_> = (first..).take(n).map(Ok).collect();
            assert_eq!(outcomes, expected, "a group of {n}");
            for (i, p) in group.iter().enumerate() {
                let versions = store.select_versions(&p.subject).await.unwrap();
                assert_eq!(versions.len(), 1, "{}", p.subject);
                assert_eq!(versions[0].id, first + i as i32);
                let stored = store.schema(".", first + i as i32).await.unwrap().unwrap();
                assert_eq!(stored.schema, p.content.schema);
            }
        }

        // Through the queue: registrations sent at once are all answered, each with its id.
        let first = store.max_id(".").await.unwrap() + 1;
        let writer = GroupCommit::start(
            store.writes.clone(),
            std::sync::Arc::clone(&store.writer),
            std::sync::Arc::clone(&store.versions),
        );
        let versions: Vec<NewVersion> = (0..100)
            .map(|i| NewVersion {
                subject: format!("q{i}"),
                context: ".".into(),
                version: 1,
                id: None,
                schema: NewSchema {
                    schema_type: avro,
                    schema: format!("Q{}", i % 50),
                    references: Vec::new(),
                    metadata: None,
                    rule_set: None,
                    fingerprint: format!("fp-Q{}", i % 50),
                },
                tombstones: Vec::new(),
                displaces: None,
            })
            .collect();
        let mut tasks = tokio::task::JoinSet::new();
        for v in versions {
            let writer = writer.clone();
            tasks.spawn(async move { writer.append(&v).await.unwrap() });
        }
        let mut ids = tasks.join_all().await;
        // Content sent twice was stored once.
        assert_eq!(store.max_id(".").await.unwrap(), first + 49);
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids, (first..first + 50).collect::<Vec<i32>>());
    }
}
