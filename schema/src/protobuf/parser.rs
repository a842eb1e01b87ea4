//! A `.proto` parser that accepts and rejects what Square Wire's `ProtoParser` does, with its
//! error messages (`Syntax error in :1:9: expected a word`), because Confluent validates Protobuf
//! text with Wire.

use std::collections::HashMap;

use super::ast::{
    EnumConstant, EnumElement, Extend, Field, Group, Label, Location, Message, OneOf,
    OptionElement, OptionValue, ProtoFile, Reserved, Rpc, Service, Syntax, TypeElement, MAX_TAG,
};

/// Deepest nesting of messages and option values; the text was already checked against the
/// configured limit, this only keeps the recursion bounded whatever the caller did.
const MAX_DEPTH: usize = 100;

/// Parses `text`, or returns Wire's message for the first error.
pub(crate) fn parse(text: &str) -> Result<ProtoFile, String> {
    let mut parser = Parser {
        r: Reader::new(text),
        file: ProtoFile::default(),
        declarations: 0,
        depth: 0,
    };
    parser.read_file()?;
    Ok(parser.file)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    File,
    Message,
    Enum,
    Rpc,
    Extend,
    Service,
}

enum Declaration {
    Type(TypeElement),
    Service(Service),
    Option(OptionElement),
    Extend(Extend),
    Field(Field),
    Group(Group),
    OneOf(OneOf),
    Reserved(Vec<Reserved>),
    Extensions(Vec<Reserved>),
    Rpc(Rpc),
    Constant(EnumConstant),
}

struct Reader {
    chars: Vec<char>,
    pos: usize,
    line: usize,
    line_start: usize,
}

impl Reader {
    fn new(text: &str) -> Self {
        Reader {
            chars: text.chars().collect(),
            pos: 0,
            line: 0,
            line_start: 0,
        }
    }

    fn location(&self) -> Location {
        Location {
            line: self.line + 1,
            column: self.pos - self.line_start + 1,
        }
    }

    fn error_at(&self, location: Location, message: impl AsRef<str>) -> String {
        format!("Syntax error in {location}: {}", message.as_ref())
    }

    fn error(&self, message: impl AsRef<str>) -> String {
        self.error_at(self.location(), message)
    }

    fn newline(&mut self) {
        self.line += 1;
        self.line_start = self.pos;
    }

    fn exhausted(&mut self) -> Result<bool, String> {
        self.skip_whitespace()?;
        Ok(self.pos >= self.chars.len())
    }

    fn skip_whitespace(&mut self) -> Result<(), String> {
        while self.pos < self.chars.len() {
            match self.chars[self.pos] {
                ' ' | '\t' | '\r' | '\u{c}' | '\u{b}' => self.pos += 1,
                '\n' => {
                    self.pos += 1;
                    self.newline();
                }
                '/' if self.chars.get(self.pos + 1) == Some(&'/') => {
                    while self.pos < self.chars.len() && self.chars[self.pos] != '\n' {
                        self.pos += 1;
                    }
                }
                '/' if self.chars.get(self.pos + 1) == Some(&'*') => {
                    self.pos += 2;
                    loop {
                        if self.pos >= self.chars.len() {
                            return Err(self.error("unterminated comment"));
                        }
                        if self.chars[self.pos] == '*' && self.chars.get(self.pos + 1) == Some(&'/')
                        {
                            self.pos += 2;
                            break;
                        }
                        if self.chars[self.pos] == '\n' {
                            self.pos += 1;
                            self.newline();
                        } else {
                            self.pos += 1;
                        }
                    }
                }
                '/' => return Err(self.error("unexpected '/'")),
                _ => return Ok(()),
            }
        }
        Ok(())
    }

    /// The next character after whitespace, not consumed.
    fn peek(&mut self) -> Result<char, String> {
        self.skip_whitespace()?;
        self.chars
            .get(self.pos)
            .copied()
            .ok_or_else(|| self.error("unexpected end of file"))
    }

    /// Consumes `c` if it is next.
    fn peek_is(&mut self, c: char) -> Result<bool, String> {
        self.skip_whitespace()?;
        if self.chars.get(self.pos) == Some(&c) {
            self.pos += 1;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn read_char(&mut self) -> Result<char, String> {
        let c = self.peek()?;
        self.pos += 1;
        Ok(c)
    }

    fn require(&mut self, c: char) -> Result<(), String> {
        if self.read_char()? != c {
            return Err(self.error(format!("expected '{c}'")));
        }
        Ok(())
    }

    fn read_word(&mut self) -> Result<String, String> {
        self.skip_whitespace()?;
        let start = self.pos;
        while self.pos < self.chars.len() {
            let c = self.chars[self.pos];
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' {
                self.pos += 1;
            } else {
                break;
            }
        }
        if start == self.pos {
            return Err(self.error("expected a word"));
        }
        Ok(self.chars[start..self.pos].iter().collect())
    }

    /// A name, possibly `(ext.name)` or `[ext.name]` (brackets and parentheses dropped).
    fn read_name(&mut self) -> Result<String, String> {
        let c = self.peek()?;
        if c == '(' || c == '[' {
            self.pos += 1;
            let word = self.read_word()?;
            let close = if c == '(' { ')' } else { ']' };
            if self.read_char()? != close {
                return Err(self.error(format!("expected '{close}'")));
            }
            Ok(word)
        } else {
            self.read_word()
        }
    }

    fn read_int(&mut self) -> Result<i32, String> {
        let word = self.read_word()?;
        let (negative, digits) = match word.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, word.as_str()),
        };
        let parsed = match digits
            .strip_prefix("0x")
            .or_else(|| digits.strip_prefix("0X"))
        {
            Some(hex) => i64::from_str_radix(hex, 16).ok(),
            None => digits.parse::<i64>().ok(),
        };
        parsed
            .map(|v| if negative { -v } else { v })
            .and_then(|v| i32::try_from(v).ok())
            .ok_or_else(|| self.error(format!("expected an integer but was {word}")))
    }

    fn read_string(&mut self) -> Result<String, String> {
        match self.peek()? {
            '"' | '\'' => self.read_quoted_string(),
            _ => self.read_word(),
        }
    }

    fn read_quoted_string(&mut self) -> Result<String, String> {
        let mut quote = self.read_char()?;
        if quote != '"' && quote != '\'' {
            return Err(self.error("expected a string"));
        }
        let mut out = String::new();
        while self.pos < self.chars.len() {
            let mut c = self.chars[self.pos];
            self.pos += 1;
            if c == quote {
                // Adjacent literals concatenate.
                self.skip_whitespace()?;
                match self.chars.get(self.pos) {
                    Some(&next) if next == '"' || next == '\'' => {
                        quote = next;
                        self.pos += 1;
                        continue;
                    }
                    _ => return Ok(out),
                }
            }
            if c == '\\' {
                let Some(&escaped) = self.chars.get(self.pos) else {
                    return Err(self.error("unexpected end of file"));
                };
                self.pos += 1;
                c = match escaped {
                    'a' => '\u{7}',
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    'v' => '\u{b}',
                    'x' | 'X' => self.read_numeric_escape(16, 2)?,
                    '0'..='7' => {
                        self.pos -= 1;
                        self.read_numeric_escape(8, 3)?
                    }
                    other => other,
                };
            }
            out.push(c);
            if c == '\n' {
                self.newline();
            }
        }
        Err(self.error("unterminated string"))
    }

    fn read_numeric_escape(&mut self, radix: u32, len: usize) -> Result<char, String> {
        let mut value: u32 = 0;
        let mut read = 0;
        while read < len {
            match self.chars.get(self.pos).and_then(|c| c.to_digit(radix)) {
                Some(d) => {
                    value = value * radix + d;
                    self.pos += 1;
                    read += 1;
                }
                None => break,
            }
        }
        if read == 0 {
            return Err(self.error("expected a digit after \\x or \\X"));
        }
        Ok(char::from_u32(value).unwrap_or('\u{fffd}'))
    }

    fn read_data_type(&mut self) -> Result<String, String> {
        let name = self.read_word()?;
        self.read_data_type_named(name)
    }

    fn read_data_type_named(&mut self, name: String) -> Result<String, String> {
        if name != "map" {
            return Ok(name);
        }
        if self.read_char()? != '<' {
            return Err(self.error("expected '<'"));
        }
        let key = self.read_data_type()?;
        if self.read_char()? != ',' {
            return Err(self.error("expected ','"));
        }
        let value = self.read_data_type()?;
        if self.read_char()? != '>' {
            return Err(self.error("expected '>'"));
        }
        Ok(format!("map<{key}, {value}>"))
    }
}

struct Parser {
    r: Reader,
    file: ProtoFile,
    declarations: usize,
    depth: usize,
}

impl Parser {
    fn read_file(&mut self) -> Result<(), String> {
        let mut type_locations: HashMap<String, Location> = HashMap::new();
        let mut service_locations: HashMap<String, Location> = HashMap::new();
        while !self.r.exhausted()? {
            match self.read_declaration(Context::File)? {
                Some(Declaration::Type(t)) => {
                    if let Some(dup) = type_locations.get(t.name()) {
                        return Err(format!(
                            "{} ({}) is already defined at {dup}",
                            t.name(),
                            t.location(),
                        ));
                    }
                    type_locations.insert(t.name().to_owned(), t.location());
                    self.file.types.push(t);
                }
                Some(Declaration::Service(s)) => {
                    if let Some(dup) = service_locations.get(&s.name) {
                        return Err(format!(
                            "{} ({}) is already defined at {dup}",
                            s.name, s.location
                        ));
                    }
                    service_locations.insert(s.name.clone(), s.location);
                    self.file.services.push(s);
                }
                Some(Declaration::Option(o)) => self.file.options.push(o),
                Some(Declaration::Extend(e)) => self.file.extends.push(e),
                _ => {}
            }
        }
        Ok(())
    }

    fn enter(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.r.error("nesting too deep"));
        }
        Ok(())
    }

    fn read_declaration(&mut self, context: Context) -> Result<Option<Declaration>, String> {
        let index = self.declarations;
        self.declarations += 1;
        if self.r.peek_is(';')? {
            return Ok(None);
        }
        let location = self.r.location();
        let label = self.r.read_word()?;
        let declaration = match label.as_str() {
            "package" if context == Context::File => {
                if self.file.package.is_some() {
                    return Err(self.r.error_at(location, "too many package names"));
                }
                self.file.package = Some(self.r.read_name()?);
                self.r.require(';')?;
                None
            }
            "import" if context == Context::File => {
                let import = self.r.read_string()?;
                match import.as_str() {
                    "public" => {
                        let name = self.r.read_string()?;
                        self.file.public_imports.push(name);
                    }
                    "weak" => {
                        let name = self.r.read_string()?;
                        self.file.imports.push(name);
                    }
                    _ => self.file.imports.push(import),
                }
                self.r.require(';')?;
                None
            }
            "syntax" if context == Context::File => {
                if self.file.syntax.is_some() {
                    return Err(self.r.error_at(location, "too many syntax definitions"));
                }
                self.r.require('=')?;
                if index != 0 {
                    return Err(self.r.error_at(
                        location,
                        "'syntax' element must be the first declaration in a file",
                    ));
                }
                let syntax = self.r.read_quoted_string()?;
                self.file.syntax = Some(match syntax.as_str() {
                    "proto2" => Syntax::Proto2,
                    "proto3" => Syntax::Proto3,
                    other => {
                        return Err(self
                            .r
                            .error_at(location, format!("unexpected syntax: {other}")))
                    }
                });
                self.r.require(';')?;
                None
            }
            "option" => {
                let option = self.read_option('=')?;
                self.r.require(';')?;
                Some(Declaration::Option(option))
            }
            "reserved" => Some(Declaration::Reserved(self.read_reserved(location)?)),
            "message" if matches!(context, Context::File | Context::Message) => Some(
                Declaration::Type(TypeElement::Message(self.read_message(location)?)),
            ),
            "enum" if matches!(context, Context::File | Context::Message) => Some(
                Declaration::Type(TypeElement::Enum(self.read_enum(location)?)),
            ),
            "service" if context == Context::File => {
                Some(Declaration::Service(self.read_service(location)?))
            }
            "extend" if matches!(context, Context::File | Context::Message) => {
                Some(Declaration::Extend(self.read_extend()?))
            }
            "rpc" if context == Context::Service => {
                Some(Declaration::Rpc(self.read_rpc(location)?))
            }
            "oneof" if context == Context::Message => Some(Declaration::OneOf(self.read_oneof()?)),
            "extensions" if context == Context::Message => {
                Some(Declaration::Extensions(self.read_extensions(location)?))
            }
            _ if matches!(context, Context::Message | Context::Extend) => {
                Some(self.read_field(location, label)?)
            }
            _ if context == Context::Enum => {
                Some(Declaration::Constant(self.read_enum_constant(label)?))
            }
            _ => {
                return Err(self
                    .r
                    .error_at(location, format!("unexpected label: {label}")))
            }
        };
        Ok(declaration)
    }

    fn read_message(&mut self, location: Location) -> Result<Message, String> {
        self.enter()?;
        let name = self.r.read_name()?;
        let mut message = Message {
            name,
            location,
            ..Message::default()
        };
        self.r.require('{')?;
        while !self.r.peek_is('}')? {
            match self.read_declaration(Context::Message)? {
                Some(Declaration::Field(f)) => message.fields.push(f),
                Some(Declaration::OneOf(o)) => message.oneofs.push(o),
                Some(Declaration::Group(g)) => message.groups.push(g),
                Some(Declaration::Type(t)) => message.nested.push(t),
                Some(Declaration::Extensions(e)) => message.extensions.push(e),
                Some(Declaration::Option(o)) => message.options.push(o),
                Some(Declaration::Extend(e)) => message.extends.push(e),
                Some(Declaration::Reserved(r)) => message.reserveds.push(r),
                _ => {}
            }
        }
        self.depth -= 1;
        Ok(message)
    }

    fn read_extend(&mut self) -> Result<Extend, String> {
        let name = self.r.read_name()?;
        let mut fields = Vec::new();
        self.r.require('{')?;
        while !self.r.peek_is('}')? {
            if let Some(Declaration::Field(f)) = self.read_declaration(Context::Extend)? {
                fields.push(f);
            }
        }
        Ok(Extend { name, fields })
    }

    fn read_service(&mut self, location: Location) -> Result<Service, String> {
        let name = self.r.read_name()?;
        let mut service = Service {
            name,
            location,
            options: Vec::new(),
            rpcs: Vec::new(),
        };
        self.r.require('{')?;
        while !self.r.peek_is('}')? {
            match self.read_declaration(Context::Service)? {
                Some(Declaration::Rpc(rpc)) => service.rpcs.push(rpc),
                Some(Declaration::Option(o)) => service.options.push(o),
                _ => {}
            }
        }
        Ok(service)
    }

    fn read_enum(&mut self, location: Location) -> Result<EnumElement, String> {
        let name = self.r.read_name()?;
        let mut element = EnumElement {
            name,
            location,
            ..EnumElement::default()
        };
        self.r.require('{')?;
        while !self.r.peek_is('}')? {
            match self.read_declaration(Context::Enum)? {
                Some(Declaration::Constant(c)) => element.constants.push(c),
                Some(Declaration::Option(o)) => element.options.push(o),
                Some(Declaration::Reserved(r)) => element.reserveds.push(r),
                _ => {}
            }
        }
        Ok(element)
    }

    fn read_field(&mut self, location: Location, word: String) -> Result<Declaration, String> {
        let proto3 = self.file.syntax == Some(Syntax::Proto3);
        let (label, ty) = match word.as_str() {
            "required" => {
                if proto3 {
                    return Err(self.r.error_at(
                        location,
                        "'required' label forbidden in proto3 field declarations",
                    ));
                }
                (Some(Label::Required), self.r.read_data_type()?)
            }
            "optional" => (Some(Label::Optional), self.r.read_data_type()?),
            "repeated" => (Some(Label::Repeated), self.r.read_data_type()?),
            _ => {
                if !proto3 && (word != "map" || self.r.peek()? != '<') {
                    return Err(self
                        .r
                        .error_at(location, format!("unexpected label: {word}")));
                }
                (None, self.r.read_data_type_named(word)?)
            }
        };
        if ty.starts_with("map<") && label.is_some() {
            return Err(self.r.error_at(location, "'map' type cannot have label"));
        }
        if ty == "group" {
            return Ok(Declaration::Group(self.read_group(label)?));
        }
        Ok(Declaration::Field(self.read_field_rest(label, ty)?))
    }

    fn read_field_rest(&mut self, label: Option<Label>, ty: String) -> Result<Field, String> {
        let name = self.r.read_name()?;
        self.r.require('=')?;
        let tag = self.r.read_int()?;
        let mut options = self.read_options()?;
        let default = strip_option(&mut options, "default");
        let json_name = strip_option(&mut options, "json_name");
        self.r.require(';')?;
        Ok(Field {
            label,
            ty,
            name,
            tag,
            default,
            json_name,
            options,
        })
    }

    fn read_group(&mut self, label: Option<Label>) -> Result<Group, String> {
        self.enter()?;
        let name = self.r.read_word()?;
        self.r.require('=')?;
        let tag = self.r.read_int()?;
        let mut fields = Vec::new();
        self.r.require('{')?;
        while !self.r.peek_is('}')? {
            let location = self.r.location();
            let word = self.r.read_word()?;
            match self.read_field(location, word)? {
                Declaration::Field(f) => fields.push(f),
                _ => return Err(self.r.error("expected field declaration, was group")),
            }
        }
        self.depth -= 1;
        Ok(Group {
            label,
            name,
            tag,
            fields,
        })
    }

    fn read_oneof(&mut self) -> Result<OneOf, String> {
        let name = self.r.read_name()?;
        let mut oneof = OneOf {
            name,
            ..OneOf::default()
        };
        self.r.require('{')?;
        while !self.r.peek_is('}')? {
            let ty = self.r.read_data_type()?;
            match ty.as_str() {
                "group" => oneof.groups.push(self.read_group(None)?),
                "option" => {
                    oneof.options.push(self.read_option('=')?);
                    self.r.require(';')?;
                }
                _ => oneof.fields.push(self.read_field_rest(None, ty)?),
            }
        }
        Ok(oneof)
    }

    fn read_reserved(&mut self, location: Location) -> Result<Vec<Reserved>, String> {
        let mut values = Vec::new();
        loop {
            let c = self.r.peek()?;
            if c == '"' || c == '\'' {
                values.push(Reserved::Name(self.r.read_quoted_string()?));
            } else {
                let start = self.r.read_int()?;
                let c = self.r.peek()?;
                if c == ',' || c == ';' {
                    values.push(Reserved::Tag(start));
                } else {
                    if self.r.read_word()? != "to" {
                        return Err(self.r.error_at(location, "expected ',', ';', or 'to'"));
                    }
                    let end = self.read_range_end()?;
                    values.push(Reserved::Range(start, end));
                }
            }
            match self.r.read_char()? {
                ';' => break,
                ',' => continue,
                _ => return Err(self.r.error("expected ',' or ';'")),
            }
        }
        Ok(values)
    }

    fn read_range_end(&mut self) -> Result<i32, String> {
        if self.r.peek()?.is_ascii_alphabetic() {
            let save = (self.r.pos, self.r.line, self.r.line_start);
            if self.r.read_word()? == "max" {
                return Ok(MAX_TAG);
            }
            (self.r.pos, self.r.line, self.r.line_start) = save;
        }
        self.r.read_int()
    }

    fn read_extensions(&mut self, location: Location) -> Result<Vec<Reserved>, String> {
        let mut values = Vec::new();
        loop {
            let start = self.r.read_int()?;
            let c = self.r.peek()?;
            if c == ',' || c == ';' || c == '[' {
                values.push(Reserved::Tag(start));
            } else {
                if self.r.read_word()? != "to" {
                    return Err(self.r.error_at(location, "expected ',', ';' or 'to'"));
                }
                let end = self.read_range_end()?;
                values.push(Reserved::Range(start, end));
            }
            // Extension range options (`[declaration = ...]`) are accepted and dropped.
            self.read_options()?;
            match self.r.read_char()? {
                ';' => break,
                ',' => continue,
                _ => return Err(self.r.error("expected ',' or ';'")),
            }
        }
        Ok(values)
    }

    fn read_enum_constant(&mut self, name: String) -> Result<EnumConstant, String> {
        self.r.require('=')?;
        let tag = self.r.read_int()?;
        let options = self.read_options()?;
        self.r.require(';')?;
        Ok(EnumConstant { name, tag, options })
    }

    fn read_rpc(&mut self, location: Location) -> Result<Rpc, String> {
        let name = self.r.read_name()?;
        self.r.require('(')?;
        let (request_streaming, request) = self.read_rpc_type()?;
        self.r.require(')')?;
        if self.r.read_word()? != "returns" {
            return Err(self.r.error_at(location, "expected 'returns'"));
        }
        self.r.require('(')?;
        let (response_streaming, response) = self.read_rpc_type()?;
        self.r.require(')')?;
        let mut options = Vec::new();
        if self.r.peek_is('{')? {
            while !self.r.peek_is('}')? {
                if let Some(Declaration::Option(o)) = self.read_declaration(Context::Rpc)? {
                    options.push(o);
                }
            }
        } else {
            self.r.require(';')?;
        }
        Ok(Rpc {
            name,
            request,
            response,
            request_streaming,
            response_streaming,
            options,
        })
    }

    fn read_rpc_type(&mut self) -> Result<(bool, String), String> {
        let word = self.r.read_word()?;
        if word == "stream" {
            Ok((true, self.r.read_data_type()?))
        } else {
            Ok((false, self.r.read_data_type_named(word)?))
        }
    }

    /// `[a = 1, (b) = "x"]` after a field or an enum constant; empty when absent.
    fn read_options(&mut self) -> Result<Vec<OptionElement>, String> {
        let mut options = Vec::new();
        if !self.r.peek_is('[')? {
            return Ok(options);
        }
        loop {
            options.push(self.read_option('=')?);
            if self.r.peek_is(']')? {
                break;
            }
            if !self.r.peek_is(',')? {
                return Err(self.r.error("Expected ',' or ']"));
            }
        }
        Ok(options)
    }

    fn read_option(&mut self, separator: char) -> Result<OptionElement, String> {
        self.enter()?;
        let first = self.r.peek()?;
        let is_extension = first == '[';
        let parenthesized = first == '(';
        let mut name = self.r.read_name()?;
        if is_extension {
            name = format!("[{name}]");
        }
        let mut sub_names: Vec<String> = Vec::new();
        let mut c = self.r.read_char()?;
        if c == '.' {
            sub_names = self.r.read_name()?.split('.').map(str::to_owned).collect();
            c = self.r.read_char()?;
        }
        if separator == ':' && c == '{' {
            self.r.pos -= 1;
        } else if c != separator {
            return Err(self.r.error(format!("expected '{separator}' in option")));
        }
        let mut value = self.read_value()?;
        for sub in sub_names.into_iter().rev() {
            value = OptionValue::Option(Box::new(OptionElement {
                name: sub,
                parenthesized: false,
                value,
            }));
        }
        self.depth -= 1;
        Ok(OptionElement {
            name,
            parenthesized,
            value,
        })
    }

    fn read_value(&mut self) -> Result<OptionValue, String> {
        let c = self.r.peek()?;
        match c {
            '{' => self.read_map(),
            '[' => self.read_list(),
            '"' | '\'' => Ok(OptionValue::Str(self.r.read_string()?)),
            _ if c.is_ascii_digit() || c == '-' => Ok(OptionValue::Number(self.r.read_word()?)),
            _ => {
                let word = self.r.read_word()?;
                Ok(match word.as_str() {
                    "true" | "false" => OptionValue::Bool(word),
                    _ => OptionValue::Enum(word),
                })
            }
        }
    }

    fn read_map(&mut self) -> Result<OptionValue, String> {
        self.enter()?;
        self.r.require('{')?;
        let mut entries: Vec<(String, OptionValue)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        while !self.r.peek_is('}')? {
            let option = self.read_option(':')?;
            let key = option.name;
            let position = index.get(&key).copied();
            match option.value {
                OptionValue::Option(inner) => {
                    let inner = *inner;
                    match position.map(|i| &mut entries[i].1) {
                        Some(OptionValue::Map(nested)) => {
                            nested.push((inner.name, inner.value));
                        }
                        Some(other) => *other = OptionValue::Map(vec![(inner.name, inner.value)]),
                        None => {
                            index.insert(key.clone(), entries.len());
                            entries.push((key, OptionValue::Map(vec![(inner.name, inner.value)])));
                        }
                    }
                }
                value => match position.map(|i| &mut entries[i].1) {
                    None => {
                        index.insert(key.clone(), entries.len());
                        entries.push((key, value));
                    }
                    Some(existing) => {
                        let mut list = match std::mem::replace(existing, OptionValue::List(vec![]))
                        {
                            OptionValue::List(items) => items,
                            other => vec![other],
                        };
                        match value {
                            OptionValue::List(items) => list.extend(items),
                            other => list.push(other),
                        }
                        *existing = OptionValue::List(list);
                    }
                },
            }
            if !self.r.peek_is(',')? {
                self.r.peek_is(';')?;
            }
        }
        self.depth -= 1;
        Ok(OptionValue::Map(entries))
    }

    fn read_list(&mut self) -> Result<OptionValue, String> {
        self.enter()?;
        self.r.require('[')?;
        let mut items = Vec::new();
        loop {
            if self.r.peek_is(']')? {
                break;
            }
            items.push(self.read_value()?);
            if self.r.peek_is(',')? {
                continue;
            }
            if self.r.peek()? != ']' {
                return Err(self.r.error("expected ',' or ']'"));
            }
        }
        self.depth -= 1;
        Ok(OptionValue::List(items))
    }
}

/// Removes the option `name` and returns its value: `default` and `json_name` are field
/// attributes, not options.
fn strip_option(options: &mut Vec<OptionElement>, name: &str) -> Option<String> {
    let mut found = None;
    options.retain(|o| {
        if o.name == name {
            found = Some(match &o.value {
                OptionValue::Str(s)
                | OptionValue::Bool(s)
                | OptionValue::Number(s)
                | OptionValue::Enum(s) => s.clone(),
                other => format!("{other:?}"),
            });
            false
        } else {
            true
        }
    });
    found
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn reports_wire_messages() {
        let cases = [
            ("message {", "Syntax error in :1:9: expected a word"),
            ("\"string\"", "Syntax error in :1:1: expected a word"),
            (
                "syntax = \"proto4\";",
                "Syntax error in :1:1: unexpected syntax: proto4",
            ),
            (
                "syntax = \"proto3\";\nmessage A { required string a = 1; }\n",
                "Syntax error in :2:13: 'required' label forbidden in proto3 field declarations",
            ),
            (
                "syntax = \"proto3\";\nmessage M { string a = 1; }\nmessage M { string b = 1; }\n",
                "M (:3:1) is already defined at :2:1",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(parse(text).err().as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn keeps_types_as_written() {
        let file = parse("syntax = \"proto3\"; package a.b; message X { .a.b.Y y = 1; map<string,Y> m = 2; } message Y {}").unwrap_or_default();
        let super::TypeElement::Message(x) = &file.types[0] else {
            panic!("message expected")
        };
        assert_eq!(x.fields[0].ty, ".a.b.Y");
        assert_eq!(x.fields[1].ty, "map<string, Y>");
    }
}
