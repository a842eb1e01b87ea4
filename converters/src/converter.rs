//! The `Converter` traits: Connect data ⇄ bytes.
//!
//! # Sync or async
//!
//! [`Converter`] is synchronous, like Kafka's `org.apache.kafka.connect.storage.Converter`:
//! converting a record is pure CPU work, and the JSON, String and ByteArray converters never
//! wait for anything.
//!
//! The registry-backed converters (Avro, Protobuf, JSON Schema) talk to the registry only on a
//! cold cache: the first record of a writer schema (look the id up) or of a Connect schema
//! (register or look up the subject). Blocking a thread for that would stall an async runtime,
//! so they will implement [`AsyncConverter`], whose futures resolve immediately on the warm path
//! (no registry call, no schema parse) and await the registry client on the cold one. Every
//! [`Converter`] is also an [`AsyncConverter`] through a blanket implementation, so code that
//! handles any converter (a pipeline, the CLI) takes `dyn AsyncConverter` and code that only
//! needs the registry-free ones keeps the plain sync calls.

use crate::connect::{Schema, Value};
use crate::error::ConverterError;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A Connect schema (absent: schemaless) and a value, as Kafka's `SchemaAndValue`.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaAndValue {
    /// The value's schema; `None` when the data carries none.
    pub schema: Option<Schema>,
    /// The value.
    pub value: Value,
}

impl SchemaAndValue {
    /// No schema, null value: what a tombstone (null bytes) converts to.
    pub const NULL: SchemaAndValue = SchemaAndValue {
        schema: None,
        value: Value::Null,
    };

    /// A schema and a value.
    pub fn new(schema: Option<Schema>, value: Value) -> SchemaAndValue {
        SchemaAndValue { schema, value }
    }
}

/// Converts between Connect data and the bytes of a Kafka record key or value.
///
/// `None` bytes stand for a null record value (a tombstone), as Kafka's `byte[] null` does.
pub trait Converter: Send + Sync {
    /// Serializes a value (with its schema, if it has one) for `topic`. `Ok(None)` is a null
    /// record, e.g. for a null value with no schema.
    // Named after Kafka's `fromConnectData`.
    #[allow(clippy::wrong_self_convention)]
    fn from_connect(
        &self,
        topic: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, ConverterError>;

    /// Deserializes the bytes of a record of `topic` (`None`: a null record).
    fn to_connect(
        &self,
        topic: &str,
        bytes: Option<&[u8]>,
    ) -> Result<SchemaAndValue, ConverterError>;
}

/// A boxed future (object-safe, `Send`), as a [`Converted`] that waits for the registry holds.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What an [`AsyncConverter`] returns: a future of the conversion. On the warm path it holds
/// the result itself, known when the call returned, and allocates nothing; otherwise it holds
/// a boxed future that waits for the registry.
#[must_use = "a conversion is not done until awaited"]
pub struct Converted<'a, T>(Step<'a, T>);

enum Step<'a, T> {
    /// Known at once (taken by the poll that answers it).
    Ready(Option<T>),
    /// Waiting for the registry.
    Waiting(BoxFuture<'a, T>),
}

impl<'a, T> Converted<'a, T> {
    /// A conversion already done.
    pub fn ready(result: T) -> Self {
        Converted(Step::Ready(Some(result)))
    }

    /// A conversion that waits for `future`.
    pub fn waiting(future: impl Future<Output = T> + Send + 'a) -> Self {
        Converted(Step::Waiting(Box::pin(future)))
    }
}

// The result is only ever moved out whole, never pinned: moving a `Converted` is fine.
impl<T> Unpin for Converted<'_, T> {}

impl<T> Future for Converted<'_, T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        match &mut self.get_mut().0 {
            // A poll after the answer (which the `Future` contract leaves open) waits forever.
            Step::Ready(result) => result.take().map_or(Poll::Pending, Poll::Ready),
            Step::Waiting(future) => future.as_mut().poll(cx),
        }
    }
}

/// A converter that may need to wait for the schema registry on a cold cache.
///
/// The registry-backed converters implement it; every [`Converter`] implements it too, with
/// futures that are ready at once.
pub trait AsyncConverter: Send + Sync {
    /// As [`Converter::from_connect`].
    #[allow(clippy::wrong_self_convention)]
    fn from_connect_async<'a>(
        &'a self,
        topic: &'a str,
        schema: Option<&'a Schema>,
        value: &'a Value,
    ) -> Converted<'a, Result<Option<Vec<u8>>, ConverterError>>;

    /// As [`Converter::to_connect`].
    fn to_connect_async<'a>(
        &'a self,
        topic: &'a str,
        bytes: Option<&'a [u8]>,
    ) -> Converted<'a, Result<SchemaAndValue, ConverterError>>;
}

impl<C: Converter + ?Sized> AsyncConverter for C {
    fn from_connect_async<'a>(
        &'a self,
        topic: &'a str,
        schema: Option<&'a Schema>,
        value: &'a Value,
    ) -> Converted<'a, Result<Option<Vec<u8>>, ConverterError>> {
        Converted::ready(self.from_connect(topic, schema, value))
    }

    fn to_connect_async<'a>(
        &'a self,
        topic: &'a str,
        bytes: Option<&'a [u8]>,
    ) -> Converted<'a, Result<SchemaAndValue, ConverterError>> {
        Converted::ready(self.to_connect(topic, bytes))
    }
}

/// Turns a boxed sync converter into a boxed async one.
pub(crate) trait IntoAsync {
    fn into_async(self) -> Box<dyn AsyncConverter>;
}

impl IntoAsync for Box<dyn Converter> {
    fn into_async(self) -> Box<dyn AsyncConverter> {
        Box::new(Boxed(self))
    }
}

struct Boxed(Box<dyn Converter>);

impl Converter for Boxed {
    fn from_connect(
        &self,
        topic: &str,
        schema: Option<&Schema>,
        value: &Value,
    ) -> Result<Option<Vec<u8>>, ConverterError> {
        self.0.from_connect(topic, schema, value)
    }

    fn to_connect(
        &self,
        topic: &str,
        bytes: Option<&[u8]>,
    ) -> Result<SchemaAndValue, ConverterError> {
        self.0.to_connect(topic, bytes)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::{ByteArrayConverter, JsonConverter, StringConverter};
    use std::task::Waker;

    /// Polls a future that must be ready at once, as a sync converter's are.
    fn ready<T>(mut f: Converted<'_, T>) -> T {
        match Pin::new(&mut f).poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("a sync converter's future must be ready at once"),
        }
    }

    #[test]
    fn a_conversion_answers_once_at_once_or_when_its_future_does() {
        let noop = &mut Context::from_waker(Waker::noop());
        let mut done = Converted::ready(7);
        assert_eq!(Pin::new(&mut done).poll(noop), Poll::Ready(7));
        // Polled again after its answer, it waits; it does not answer twice or panic.
        assert_eq!(Pin::new(&mut done).poll(noop), Poll::Pending);
        let mut polls = 0;
        let mut waiting = Converted::waiting(std::future::poll_fn(move |_| {
            polls += 1;
            if polls < 2 {
                Poll::Pending
            } else {
                Poll::Ready("fetched")
            }
        }));
        assert_eq!(Pin::new(&mut waiting).poll(noop), Poll::Pending);
        assert_eq!(Pin::new(&mut waiting).poll(noop), Poll::Ready("fetched"));
    }

    #[test]
    fn every_converter_is_an_async_converter() {
        let converters: Vec<Box<dyn AsyncConverter>> = vec![
            Box::new(JsonConverter::default()),
            Box::new(StringConverter),
            Box::new(ByteArrayConverter),
        ];
        let value = Value::String("x".into());
        for c in &converters {
            let bytes = ready(c.from_connect_async("t", None, &value));
            let back = ready(c.to_connect_async("t", None)).unwrap();
            assert_eq!(back.value, Value::Null);
            // The String converter writes the text; the others refuse or wrap it.
            if let Ok(Some(b)) = bytes {
                assert!(!b.is_empty());
            }
        }
        let json: Box<dyn Converter> = Box::new(JsonConverter::default());
        let bytes = ready(json.from_connect_async("t", None, &value)).unwrap();
        assert_eq!(
            bytes.as_deref(),
            Some(br#"{"schema":null,"payload":"x"}"#.as_slice())
        );
    }
}
