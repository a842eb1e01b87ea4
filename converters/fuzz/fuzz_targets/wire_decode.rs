//! Any bytes through the wire-format decoders: no panic, and whatever decodes re-encodes to a
//! record that decodes the same way.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_converters::wire::{self, SchemaRef};

fuzz_target!(|data: &[u8]| {
    if let Ok((schema, rest)) = wire::decode_schema_ref(data) {
        let indexes = wire::decode_message_indexes(rest).ok();
        if let SchemaRef::Id(id) = schema {
            let frame = wire::decode(data).expect("decode agrees with decode_schema_ref");
            assert_eq!(frame.schema_id, id);
            assert_eq!(frame.payload, rest);
            if let Some((indexes, message)) = indexes {
                let again = wire::encode(id, Some(&indexes), message);
                let frame = wire::decode(&again).expect("re-encoded record decodes");
                let (indexes_again, message_again) =
                    wire::decode_message_indexes(frame.payload).expect("re-encoded indexes decode");
                assert_eq!(indexes_again, indexes);
                assert_eq!(message_again, message);
            }
        }
    }
    let _ = wire::decode_message_indexes(data);
});
