//! Any subject text splits into a context and a name whose qualified form parses back to the
//! same split.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_server::subject::QualifiedSubject;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let subject = QualifiedSubject::parse(text);
    let again = QualifiedSubject::parse(&subject.qualified());
    assert_eq!(subject.qualified(), again.qualified());
    let _ = subject.is_valid();
    let _ = subject.qualify_reference(text);
});
