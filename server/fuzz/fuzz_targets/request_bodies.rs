//! Any request body, read as each request type the API accepts, gives a request or a Confluent
//! error (400/422 codes only), never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_server::config::ConfigRecord;
use strata_server::model::RegisterSchemaRequest;
use strata_server::tags::TagSchemaRequest;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let client_error = |code: u32| code == 400 || (42200..42300).contains(&code);
    if let Err(e) = RegisterSchemaRequest::from_json(&value) {
        assert!(client_error(e.code), "{e:?}");
    }
    if let Err(e) = ConfigRecord::parse_update(&value) {
        assert!(client_error(e.code), "{e:?}");
    }
    if let Err(e) = TagSchemaRequest::from_json(&value) {
        assert!(client_error(e.code), "{e:?}");
    }
});
