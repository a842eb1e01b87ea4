use super::*;
use crate::connect::Value;

fn props(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn converter_names() {
    let cases = [
        (
            "org.apache.kafka.connect.json.JsonConverter",
            ConverterKind::Json,
        ),
        (
            "org.apache.kafka.connect.storage.StringConverter",
            ConverterKind::String,
        ),
        (
            "org.apache.kafka.connect.converters.ByteArrayConverter",
            ConverterKind::ByteArray,
        ),
        (
            "io.confluent.connect.avro.AvroConverter",
            ConverterKind::Avro,
        ),
        (
            "io.confluent.connect.protobuf.ProtobufConverter",
            ConverterKind::Protobuf,
        ),
        (
            "io.confluent.connect.json.JsonSchemaConverter",
            ConverterKind::JsonSchema,
        ),
        ("json", ConverterKind::Json),
        ("string", ConverterKind::String),
        ("bytes", ConverterKind::ByteArray),
        ("avro", ConverterKind::Avro),
        ("protobuf", ConverterKind::Protobuf),
        (" json_schema ", ConverterKind::JsonSchema),
    ];
    for (name, kind) in cases {
        assert_eq!(ConverterKind::from_name(name), Some(kind), "{name}");
    }
    assert_eq!(ConverterKind::from_name("org.example.MyConverter"), None);
}

#[test]
fn worker_properties_pick_the_prefixed_keys() {
    let p = props(&[
        ("key.converter", "json"),
        ("key.converter.schemas.enable", "false"),
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        ("value.converter.decimal.format", "NUMERIC"),
        ("schemas.enable", "false"),
    ]);
    let ConverterConfig::Json(key) = ConverterConfig::from_worker_properties(&p, true).unwrap()
    else {
        panic!("json expected")
    };
    assert!(!key.schemas_enable);
    let ConverterConfig::Json(value) = ConverterConfig::from_worker_properties(&p, false).unwrap()
    else {
        panic!("json expected")
    };
    // The unprefixed key belongs to no converter.
    assert!(value.schemas_enable);
    assert_eq!(value.decimal_format, crate::json::DecimalFormat::Numeric);
}

#[test]
fn worker_properties_errors_name_the_key() {
    let err = ConverterConfig::from_worker_properties(&props(&[]), false).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Missing required configuration \"value.converter\" which has no default value."
    );
    let err = ConverterConfig::from_worker_properties(&props(&[("key.converter", "xml")]), true)
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("Invalid value xml for configuration key.converter"),
        "{err}"
    );
    let err = ConverterConfig::from_worker_properties(
        &props(&[
            ("value.converter", "string"),
            ("value.converter.converter.encoding", "ISO-8859-1"),
        ]),
        false,
    )
    .unwrap_err();
    assert!(err.to_string().contains("converter.encoding"), "{err}");
}

#[test]
fn build_plain_converters_and_refuse_registry_ones_for_now() {
    for name in ["json", "string", "bytes"] {
        let p = props(&[("value.converter", name)]);
        let c = ConverterConfig::from_worker_properties(&p, false)
            .unwrap()
            .build()
            .unwrap();
        let back = c.to_connect("t", None).unwrap();
        assert_eq!(back.value, Value::Null);
    }
    for name in ["avro", "protobuf", "json_schema"] {
        let p = props(&[
            ("value.converter", name),
            (
                "value.converter.schema.registry.url",
                "http://localhost:8081",
            ),
        ]);
        let config = ConverterConfig::from_worker_properties(&p, false).unwrap();
        let err = config.build().err().unwrap();
        assert_eq!(
            err,
            ConverterError::RequiresRegistryClient {
                converter: config.kind().class_name()
            }
        );
        assert!(
            err.to_string().contains("requires the registry client"),
            "{err}"
        );
    }
}

#[test]
fn registry_defaults() {
    let c = RegistryConverterConfig::from_properties(
        &props(&[("schema.registry.url", "http://sr:8081")]),
        false,
    )
    .unwrap();
    assert_eq!(c.urls, ["http://sr:8081"]);
    assert_eq!(
        c.basic_auth_credentials_source,
        BasicAuthCredentialsSource::Url
    );
    assert_eq!(c.basic_auth_user_info, None);
    assert!(c.auto_register_schemas);
    assert!(!c.use_latest_version);
    assert!(c.latest_compatibility_strict);
    assert!(!c.normalize_schemas);
    assert_eq!(c.key_subject_name_strategy, SubjectNameStrategy::TopicName);
    assert_eq!(
        c.value_subject_name_strategy,
        SubjectNameStrategy::TopicName
    );
    assert!(c.connect_meta_data);
    assert_eq!(c.schemas_cache_size, 1000);
    assert_eq!(c.subject("orders", None).as_deref(), Some("orders-value"));
}

#[test]
fn registry_every_key() {
    let c = RegistryConverterConfig::from_properties(
        &props(&[
            ("schema.registry.url", " https://a:1/ , http://b:2 ,"),
            ("basic.auth.credentials.source", "USER_INFO"),
            ("basic.auth.user.info", "fred:s3cr:et"),
            ("auto.register.schemas", "false"),
            ("use.latest.version", "true"),
            ("latest.compatibility.strict", "false"),
            ("normalize.schemas", "TRUE"),
            (
                "key.subject.name.strategy",
                "io.confluent.kafka.serializers.subject.RecordNameStrategy",
            ),
            ("value.subject.name.strategy", "TopicRecordNameStrategy"),
            ("connect.meta.data", "false"),
            ("schemas.cache.config", "5"),
            ("some.other.key", "ignored"),
        ]),
        true,
    )
    .unwrap();
    assert_eq!(c.urls, ["https://a:1/", "http://b:2"]);
    assert_eq!(
        c.basic_auth_credentials_source,
        BasicAuthCredentialsSource::UserInfo
    );
    let info = c.basic_auth_user_info.clone().unwrap();
    assert_eq!(info.user, "fred");
    assert_eq!(info.password.expose(), "s3cr:et");
    assert!(!c.auto_register_schemas);
    assert!(c.use_latest_version);
    assert!(!c.latest_compatibility_strict);
    assert!(c.normalize_schemas);
    assert_eq!(c.key_subject_name_strategy, SubjectNameStrategy::RecordName);
    assert_eq!(
        c.value_subject_name_strategy,
        SubjectNameStrategy::TopicRecordName
    );
    assert!(!c.connect_meta_data);
    assert_eq!(c.schemas_cache_size, 5);
    // A key converter uses the key strategy.
    assert_eq!(c.subject("orders", Some("a.B")).as_deref(), Some("a.B"));
}

#[test]
fn registry_legacy_user_info_key() {
    let c = RegistryConverterConfig::from_properties(
        &props(&[
            ("schema.registry.url", "http://sr"),
            ("basic.auth.credentials.source", "user_info"),
            ("schema.registry.basic.auth.user.info", "u:p"),
        ]),
        false,
    )
    .unwrap();
    assert_eq!(c.basic_auth_user_info.unwrap().user, "u");
}

#[test]
fn registry_bad_values_name_the_key() {
    let base = [("schema.registry.url", "http://sr:8081")];
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[], "schema.registry.url"),
        (&[("schema.registry.url", " , ")], "schema.registry.url"),
        (&[("schema.registry.url", "sr:8081")], "schema.registry.url"),
        (&[("schema.registry.url", "http://")], "schema.registry.url"),
        (
            &[("schema.registry.url", "ftp://sr")],
            "schema.registry.url",
        ),
        (
            &[base[0], ("basic.auth.credentials.source", "TOKEN")],
            "basic.auth.credentials.source",
        ),
        (
            &[base[0], ("basic.auth.credentials.source", "USER_INFO")],
            "basic.auth.user.info",
        ),
        (
            &[base[0], ("basic.auth.user.info", "no-colon")],
            "basic.auth.user.info",
        ),
        (
            &[base[0], ("auto.register.schemas", "1")],
            "auto.register.schemas",
        ),
        (
            &[base[0], ("use.latest.version", "yes")],
            "use.latest.version",
        ),
        (
            &[base[0], ("latest.compatibility.strict", "")],
            "latest.compatibility.strict",
        ),
        (&[base[0], ("normalize.schemas", "on")], "normalize.schemas"),
        (
            &[base[0], ("key.subject.name.strategy", "com.example.Mine")],
            "key.subject.name.strategy",
        ),
        (
            &[
                base[0],
                (
                    "value.subject.name.strategy",
                    "io.confluent.kafka.serializers.subject.AssociatedNameStrategy",
                ),
            ],
            "value.subject.name.strategy",
        ),
        (
            &[base[0], ("connect.meta.data", "nope")],
            "connect.meta.data",
        ),
        (
            &[base[0], ("schemas.cache.config", "-1")],
            "schemas.cache.config",
        ),
    ];
    for (pairs, key) in cases {
        let err = RegistryConverterConfig::from_properties(&props(pairs), false).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(key), "{pairs:?}: {msg}");
    }
}

#[test]
fn secrets_never_show() {
    let c = RegistryConverterConfig::from_properties(
        &props(&[
            (
                "schema.registry.url",
                "http://alice:url-secret@sr:8081/path,http://sr2",
            ),
            ("basic.auth.credentials.source", "USER_INFO"),
            ("basic.auth.user.info", "bob:info-secret"),
        ]),
        false,
    )
    .unwrap();
    let debug = format!("{c:?}");
    let all = format!("{:?}", ConverterConfig::Avro(c.clone()));
    for text in [&debug, &all] {
        assert!(!text.contains("url-secret"), "{text}");
        assert!(!text.contains("info-secret"), "{text}");
        assert!(text.contains("bob"), "{text}");
        assert!(
            text.contains("http://alice:[hidden]@sr:8081/path"),
            "{text}"
        );
    }
    // Nor in errors.
    let err = RegistryConverterConfig::from_properties(
        &props(&[
            ("schema.registry.url", "http://sr"),
            ("basic.auth.user.info", "secret-without-colon"),
        ]),
        false,
    )
    .unwrap_err();
    assert!(!err.to_string().contains("secret-without-colon"), "{err}");
    let err = RegistryConverterConfig::from_properties(
        &props(&[("schema.registry.url", "http://u:pw-secret@")]),
        false,
    )
    .unwrap_err();
    assert!(!err.to_string().contains("pw-secret"), "{err}");
}

#[test]
fn subject_name_strategies() {
    use SubjectNameStrategy::*;
    let names = [
        (
            "io.confluent.kafka.serializers.subject.TopicNameStrategy",
            TopicName,
        ),
        (
            "io.confluent.kafka.serializers.subject.RecordNameStrategy",
            RecordName,
        ),
        (
            "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy",
            TopicRecordName,
        ),
        ("TopicNameStrategy", TopicName),
        ("topic", TopicName),
        ("RECORD", RecordName),
        ("topic_record", TopicRecordName),
    ];
    for (name, strategy) in names {
        assert_eq!(
            SubjectNameStrategy::from_name(name),
            Some(strategy),
            "{name}"
        );
        assert_eq!(
            SubjectNameStrategy::from_name(strategy.class_name()),
            Some(strategy)
        );
    }
    assert_eq!(SubjectNameStrategy::from_name("com.example.topic"), None);
    let cases = [
        (TopicName, true, None, Some("t-key")),
        (TopicName, false, Some("a.B"), Some("t-value")),
        (RecordName, false, Some("a.B"), Some("a.B")),
        (RecordName, true, None, None),
        (TopicRecordName, true, Some("a.B"), Some("t-a.B")),
        (TopicRecordName, false, None, None),
    ];
    for (strategy, is_key, record, expected) in cases {
        assert_eq!(strategy.subject("t", is_key, record).as_deref(), expected);
    }
}
