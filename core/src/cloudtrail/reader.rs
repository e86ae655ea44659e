//! The fast way into [`Record`]s: one pass over the bytes, writing each field in place.
//!
//! Serde's derive (in [`super::record`]) is the definition of what a record reads as; this
//! reader is a shortcut for the text CloudTrail really writes, and it answers only when it is
//! certain to give what serde gives. Anything else (a number or a key with an escape where a
//! field is read, a duplicate field, an object where an array belongs, nesting deeper than
//! [`MOST_DEPTH`], a control byte other than `\n`, any syntax error) makes it answer `None`,
//! and [`super::parse`] reads the text with serde, which gives the answer or the located error.
//! So no error message, line or column comes from here.
//!
//! Where the time goes with serde, per event of a delivered log file: moving the large
//! [`Record`] by value through `Option`s and `Vec`s, and visiting every skipped value through
//! `IgnoredAny`. Here a record is written where it will stay, and a skipped value is crossed
//! by scanning for its closing byte (`memchr` over strings).
//!
//! Architecture invariant: [`read`] returns `Some(records)` only if serde's reading of the same
//! text is `Ok(records)` with equal records. The test `the_reader_reads_as_serde_reads` checks
//! it on the fixtures and on thousands of mutations of them.

use std::borrow::Cow;

use super::record::{
    AdditionalData, Parameters, Record, ResourceRef, SessionAttributes, SessionContext,
    SessionIssuer, Text, TlsDetails, UserIdentity, WebIdFederation,
};

/// Nesting past this is left to serde (whose own limit is 128).
const MOST_DEPTH: u32 = 64;

/// Reads the records of `text` into `out` (emptied first) as serde reads them, or answers
/// `None` when this reader is not certain (`out` then holds anything).
pub(super) fn read_into<'a>(text: &'a str, out: &mut Vec<Record<'a>>) -> Option<()> {
    out.clear();
    if has_control_byte(text.as_bytes()) {
        return None;
    }
    let mut r = Reader { text, at: 0 };
    r.ws();
    if r.peek() == Some(b'[') {
        // A JSON array of records or EventBridge events: one document.
        let mut items = Vec::new();
        r.array(0, |r, d| {
            items.push(Record::default());
            let item = items.last_mut()?;
            r.record(d, item, None)
        })?;
        r.ws();
        if r.peek().is_some() {
            return None;
        }
        out.reserve(items.len());
        for item in items {
            into_records(item, out)?;
        }
        return Some(());
    }
    // A delivered log file (one object) or NDJSON (one per line): a stream of objects. A
    // stream item's `Records` are written straight into `out`, where they stay.
    loop {
        r.ws();
        if r.peek().is_none() {
            return Some(());
        }
        let mut item = Record::default();
        r.record(0, &mut item, Some(out))?;
        into_records(item, out)?;
    }
}

/// [`Record::into_records`]'s rule, with the shape error left to serde. A stream item's
/// `Records` are already in `out` (its `records` is then an empty `Some`).
fn into_records<'a>(mut item: Record<'a>, out: &mut Vec<Record<'a>>) -> Option<()> {
    if let Some(records) = item.records.take() {
        out.extend(records);
    } else if let Some(detail) = item.detail.take() {
        out.push(*detail);
    } else if item.event_name.get().is_some() {
        out.push(item);
    } else {
        return None;
    }
    Some(())
}

/// Whether a byte below 0x20 other than `\n` is anywhere in the text. JSON allows `\t` and
/// `\r` between tokens but no control byte in a string; ruling them all out (but the line
/// feed, which the string scan looks for) lets strings be scanned for `"`, `\` and `\n` only.
fn has_control_byte(bytes: &[u8]) -> bool {
    let control = |b: &u8| *b < 0x20 && *b != b'\n';
    let mut chunks = bytes.chunks_exact(64);
    for chunk in &mut chunks {
        // No early exit inside a chunk, so the compiler can do the 64 bytes at once.
        if chunk.iter().fold(false, |any, b| any | control(b)) {
            return true;
        }
    }
    chunks.remainder().iter().any(control)
}

/// Marks field `bit` as seen; `None` if it was already (a duplicate, serde's error).
fn first(seen: &mut Seen, bit: u32) -> Option<()> {
    let bit: Seen = 1 << bit;
    if *seen & bit != 0 {
        return None;
    }
    *seen |= bit;
    Some(())
}

/// The first `"`, `\\` or line feed in `bytes`. Most strings of a record are short (keys,
/// names, ids), where `memchr3`'s setup costs more than the search: the first
/// [`SHORT`] bytes are searched eight at a time in a `u64`, the rest by `memchr3`.
fn special(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    // A byte of `x` is flagged when it is zero; a flag above the first true one may be
    // false (a borrow), so only the lowest flag is read, and it is exact.
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let mut at = 0;
    while at < SHORT {
        let Some(chunk) = bytes.get(at..at + 8) else {
            break;
        };
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let found = zero(w ^ (ONES * u64::from(b'"')))
            | zero(w ^ (ONES * u64::from(b'\\')))
            | zero(w ^ (ONES * u64::from(b'\n')));
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let rest = bytes.get(at..)?;
    if at < SHORT {
        // Fewer than eight bytes left.
        return rest
            .iter()
            .position(|b| matches!(b, b'"' | b'\\' | b'\n'))
            .map(|i| at + i);
    }
    memchr::memchr3(b'"', b'\\', b'\n', rest).map(|i| at + i)
}

/// How many bytes [`special`] searches a word at a time before handing over to `memchr3`.
const SHORT: usize = 32;

/// A position in the text.
struct Reader<'a> {
    text: &'a str,
    at: usize,
}

/// One field of a struct, by its number in the struct's key table.
type Seen = u32;

impl<'a> Reader<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.at).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek() == Some(byte)).then(|| self.at += 1)
    }

    /// The exact bytes `word` (`true`, `false`, `null`).
    fn word(&mut self, word: &str) -> Option<()> {
        let end = self.at + word.len();
        (self.bytes().get(self.at..end) == Some(word.as_bytes())).then(|| self.at = end)
    }

    /// A string's raw contents (between the quotes) and whether it holds an escape, the
    /// position after the closing quote; `None` on a line feed or an invalid escape.
    fn string_span(&mut self) -> Option<(&'a str, bool)> {
        self.eat(b'"')?;
        let start = self.at;
        let mut escaped = false;
        loop {
            let rest = self.bytes().get(self.at..)?;
            let found = special(rest)?;
            self.at += found;
            match self.peek()? {
                b'"' => {
                    let raw = self.text.get(start..self.at)?;
                    self.at += 1;
                    return Some((raw, escaped));
                }
                b'\\' => {
                    escaped = true;
                    self.at += 1;
                    match self.peek()? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.at += 1,
                        b'u' => {
                            let hex = self.bytes().get(self.at + 1..self.at + 5)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return None;
                            }
                            self.at += 5;
                        }
                        _ => return None,
                    }
                }
                _ => return None,
            }
        }
    }

    /// A string value, borrowed when it holds no escape.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        let (raw, escaped) = self.string_span()?;
        if escaped {
            unescape(raw).map(Cow::Owned)
        } else {
            Some(Cow::Borrowed(raw))
        }
    }

    /// An object key; one with an escape is left to serde.
    fn key(&mut self) -> Option<&'a str> {
        match self.string_span()? {
            (raw, false) => Some(raw),
            (_, true) => None,
        }
    }

    /// Any JSON value, crossed without reading it.
    fn skip(&mut self, depth: u32) -> Option<()> {
        match self.peek()? {
            b'"' => self.string_span().map(drop),
            b'{' => self.object(depth, |r, _, d| r.skip(d)),
            b'[' => self.array(depth, |r, d| r.skip(d)),
            b't' => self.word("true"),
            b'f' => self.word("false"),
            b'n' => self.word("null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    /// A number by JSON's grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn number(&mut self) -> Option<()> {
        let _ = self.eat(b'-');
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => self.digits()?,
            _ => return None,
        }
        if self.eat(b'.').is_some() {
            self.digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            self.digits()?;
        }
        Some(())
    }

    /// One or more digits.
    fn digits(&mut self) -> Option<()> {
        let start = self.at;
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
        (self.at > start).then_some(())
    }

    /// An object, calling `field` with each key at its value.
    fn object(
        &mut self,
        depth: u32,
        mut field: impl FnMut(&mut Self, &'a str, u32) -> Option<()>,
    ) -> Option<()> {
        if depth >= MOST_DEPTH {
            return None;
        }
        self.eat(b'{')?;
        self.ws();
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            let key = self.key()?;
            self.ws();
            self.eat(b':')?;
            self.ws();
            field(self, key, depth + 1)?;
            self.ws();
            match self.peek()? {
                b',' => {
                    self.at += 1;
                    self.ws();
                }
                b'}' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// An array, calling `item` at each element.
    fn array(
        &mut self,
        depth: u32,
        mut item: impl FnMut(&mut Self, u32) -> Option<()>,
    ) -> Option<()> {
        if depth >= MOST_DEPTH {
            return None;
        }
        self.eat(b'[')?;
        self.ws();
        if self.eat(b']').is_some() {
            return Some(());
        }
        loop {
            item(self, depth + 1)?;
            self.ws();
            match self.peek()? {
                b',' => {
                    self.at += 1;
                    self.ws();
                }
                b']' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// A [`Text`] field: a string, a boolean as its word, `null`, or an object or array
    /// (read as nothing). A number is left to serde (it writes its own digits).
    fn text(&mut self, depth: u32) -> Option<Text<'a>> {
        match self.peek()? {
            b'"' => self.string().map(|s| Text(Some(s))),
            b't' => self
                .word("true")
                .map(|()| Text(Some(Cow::Borrowed("true")))),
            b'f' => self
                .word("false")
                .map(|()| Text(Some(Cow::Borrowed("false")))),
            b'n' => self.word("null").map(|()| Text(None)),
            b'{' | b'[' => self.skip(depth).map(|()| Text(None)),
            _ => None,
        }
    }

    /// A [`Text`] field, written in place.
    fn text_into(&mut self, depth: u32, out: &mut Text<'a>) -> Option<()> {
        *out = self.text(depth)?;
        Some(())
    }

    /// A struct of [`Text`] fields: `keys[i]` is written to `*fields[i]`. A duplicate known
    /// field is serde's error, so it is left to serde.
    fn texts(&mut self, depth: u32, keys: &[&str], fields: &mut [&mut Text<'a>]) -> Option<()> {
        let mut seen: Seen = 0;
        self.object(depth, |r, key, d| {
            match keys.iter().position(|k| *k == key) {
                Some(i) => {
                    first(&mut seen, u32::try_from(i).ok()?)?;
                    **fields.get_mut(i)? = r.text(d)?;
                    Some(())
                }
                None => r.skip(d),
            }
        })
    }

    /// A field read as `lenient` reads it, in place: `null` is the default (which the field
    /// still holds: a duplicate field is refused before), an object is read by `read`,
    /// anything else is left to serde.
    fn lenient<T>(
        &mut self,
        depth: u32,
        value: &mut T,
        read: impl FnOnce(&mut Self, u32, &mut T) -> Option<()>,
    ) -> Option<()> {
        match self.peek()? {
            b'n' => self.word("null"),
            b'{' => read(self, depth, value),
            _ => None,
        }
    }

    /// A record, written into `out` (a default one). `sink`, for a stream item, takes the
    /// elements of `Records` (then `out.records` is an empty `Some`).
    fn record(
        &mut self,
        depth: u32,
        out: &mut Record<'a>,
        mut sink: Option<&mut Vec<Record<'a>>>,
    ) -> Option<()> {
        let mut seen: Seen = 0;
        self.object(depth, |r, key, d| {
            let bit = match key {
                "eventVersion" => 0,
                "eventTime" => 1,
                "eventSource" => 2,
                "eventName" => 3,
                "awsRegion" => 4,
                "sourceIPAddress" => 5,
                "userAgent" => 6,
                "errorCode" => 7,
                "eventID" => 8,
                "eventType" => 9,
                "recipientAccountId" => 10,
                "vpcEndpointId" => 11,
                "userIdentity" => 12,
                "requestParameters" => 13,
                "additionalEventData" => 14,
                "tlsDetails" => 15,
                "resources" => 16,
                "Records" => 17,
                "detail" => 18,
                _ => return r.skip(d),
            };
            // A duplicate field is serde's error: refused before its value is read, so each
            // field below is still the default when it is written.
            first(&mut seen, bit)?;
            match bit {
                0 => r.text_into(d, &mut out.event_version),
                1 => r.text_into(d, &mut out.event_time),
                2 => r.text_into(d, &mut out.event_source),
                3 => r.text_into(d, &mut out.event_name),
                4 => r.text_into(d, &mut out.aws_region),
                5 => r.text_into(d, &mut out.source_ip_address),
                6 => r.text_into(d, &mut out.user_agent),
                7 => r.text_into(d, &mut out.error_code),
                8 => r.text_into(d, &mut out.event_id),
                9 => r.text_into(d, &mut out.event_type),
                10 => r.text_into(d, &mut out.recipient_account_id),
                11 => r.text_into(d, &mut out.vpc_endpoint_id),
                12 => r.lenient(d, &mut out.user_identity, Reader::user_identity),
                13 => r.lenient(d, &mut out.request_parameters, Reader::parameters),
                14 => r.lenient(
                    d,
                    &mut out.additional_event_data,
                    |r, d, v: &mut AdditionalData<'a>| {
                        r.texts(
                            d,
                            &["SignatureVersion", "AuthenticationMethod", "MFAUsed"],
                            &mut [
                                &mut v.signature_version,
                                &mut v.authentication_method,
                                &mut v.mfa_used,
                            ],
                        )
                    },
                ),
                15 => r.tls_details(d).map(|v| out.tls_details = v),
                16 => r.resources(d, &mut out.resources),
                17 => r.records(d, &mut out.records, sink.as_deref_mut()),
                _ => r.detail(d).map(|v| out.detail = v),
            }
        })
    }

    fn user_identity(&mut self, depth: u32, v: &mut UserIdentity<'a>) -> Option<()> {
        let mut seen: Seen = 0;
        self.object(depth, |r, key, d| {
            let bit = match key {
                "type" => 0,
                "principalId" => 1,
                "arn" => 2,
                "accountId" => 3,
                "userName" => 4,
                "invokedBy" => 5,
                "sessionContext" => 6,
                _ => return r.skip(d),
            };
            first(&mut seen, bit)?;
            match bit {
                0 => r.text_into(d, &mut v.kind),
                1 => r.text_into(d, &mut v.principal_id),
                2 => r.text_into(d, &mut v.arn),
                3 => r.text_into(d, &mut v.account_id),
                4 => r.text_into(d, &mut v.user_name),
                5 => r.text_into(d, &mut v.invoked_by),
                _ => r.lenient(d, &mut v.session_context, Reader::session_context),
            }
        })
    }

    fn session_context(&mut self, depth: u32, v: &mut SessionContext<'a>) -> Option<()> {
        let mut seen: Seen = 0;
        self.object(depth, |r, key, d| {
            let bit = match key {
                "sessionIssuer" => 0,
                "attributes" => 1,
                "sourceIdentity" => 2,
                "webIdFederationData" => 3,
                _ => return r.skip(d),
            };
            first(&mut seen, bit)?;
            match bit {
                0 => r.lenient(
                    d,
                    &mut v.session_issuer,
                    |r, d, s: &mut SessionIssuer<'a>| {
                        r.texts(
                            d,
                            &["type", "arn", "principalId", "userName"],
                            &mut [
                                &mut s.kind,
                                &mut s.arn,
                                &mut s.principal_id,
                                &mut s.user_name,
                            ],
                        )
                    },
                ),
                1 => r.lenient(
                    d,
                    &mut v.attributes,
                    |r, d, a: &mut SessionAttributes<'a>| {
                        r.texts(
                            d,
                            &["mfaAuthenticated", "creationDate"],
                            &mut [&mut a.mfa_authenticated, &mut a.creation_date],
                        )
                    },
                ),
                2 => r.text_into(d, &mut v.source_identity),
                _ => r.lenient(
                    d,
                    &mut v.web_id_federation_data,
                    |r, d, w: &mut WebIdFederation<'a>| {
                        r.texts(d, &["federatedProvider"], &mut [&mut w.federated_provider])
                    },
                ),
            }
        })
    }

    fn parameters(&mut self, depth: u32, p: &mut Parameters<'a>) -> Option<()> {
        self.texts(
            depth,
            &[
                "bucketName",
                "key",
                "versionId",
                "tableName",
                "functionName",
                "keyId",
                "topicArn",
                "targetArn",
                "queueUrl",
                "queueName",
                "userName",
                "roleName",
                "groupName",
                "policyArn",
                "roleArn",
                "secretId",
                "logGroupName",
                "logStreamName",
                "instanceProfileName",
            ],
            &mut [
                &mut p.bucket_name,
                &mut p.key,
                &mut p.version_id,
                &mut p.table_name,
                &mut p.function_name,
                &mut p.key_id,
                &mut p.topic_arn,
                &mut p.target_arn,
                &mut p.queue_url,
                &mut p.queue_name,
                &mut p.user_name,
                &mut p.role_name,
                &mut p.group_name,
                &mut p.policy_arn,
                &mut p.role_arn,
                &mut p.secret_id,
                &mut p.log_group_name,
                &mut p.log_stream_name,
                &mut p.instance_profile_name,
            ],
        )
    }

    /// `tlsDetails`: `Option` inside `lenient`, so `null` is `None` and an object `Some`.
    fn tls_details(&mut self, depth: u32) -> Option<Option<TlsDetails<'a>>> {
        match self.peek()? {
            b'n' => self.word("null").map(|()| None),
            b'{' => {
                let mut t = TlsDetails::default();
                self.texts(depth, &["tlsVersion"], &mut [&mut t.tls_version])?;
                Some(Some(t))
            }
            _ => None,
        }
    }

    /// `resources[]` into `out` (empty): `null` is none; each element must be an object.
    fn resources(&mut self, depth: u32, out: &mut Vec<ResourceRef<'a>>) -> Option<()> {
        match self.peek()? {
            b'n' => self.word("null"),
            b'[' => self.array(depth, |r, d| {
                out.push(ResourceRef::default());
                let x = out.last_mut()?;
                r.texts(
                    d,
                    &["ARN", "accountId", "type"],
                    &mut [&mut x.arn, &mut x.account_id, &mut x.kind],
                )
            }),
            _ => None,
        }
    }

    /// A log file's `Records` into `out` (`None`): `null` is `None`; each element must be an
    /// object. With a `sink`, the elements go there and `out` is an empty `Some`.
    fn records(
        &mut self,
        depth: u32,
        out: &mut Option<Vec<Record<'a>>>,
        sink: Option<&mut Vec<Record<'a>>>,
    ) -> Option<()> {
        match self.peek()? {
            b'n' => self.word("null"),
            b'[' => {
                let records = out.insert(Vec::new());
                let into = sink.unwrap_or(records);
                self.array(depth, |r, d| {
                    if r.peek()? != b'{' {
                        return None;
                    }
                    into.push(Record::default());
                    let item = into.last_mut()?;
                    r.record(d, item, None)
                })
            }
            _ => None,
        }
    }

    /// An EventBridge event's `detail`: `null` is `None`.
    fn detail(&mut self, depth: u32) -> Option<Option<Box<Record<'a>>>> {
        match self.peek()? {
            b'n' => self.word("null").map(|()| None),
            b'{' => {
                let mut d = Box::<Record<'a>>::default();
                self.record(depth, &mut d, None)?;
                Some(Some(d))
            }
            _ => None,
        }
    }
}

/// A string's contents with its escapes (already checked by [`Reader::string_span`]) undone;
/// `None` for a lone surrogate, which serde refuses.
fn unescape(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find('\\') {
        out.push_str(rest.get(..i)?);
        let tail = rest.get(i + 1..)?;
        let (c, used) = match tail.as_bytes().first()? {
            b'"' => ('"', 1),
            b'\\' => ('\\', 1),
            b'/' => ('/', 1),
            b'b' => ('\u{8}', 1),
            b'f' => ('\u{c}', 1),
            b'n' => ('\n', 1),
            b'r' => ('\r', 1),
            b't' => ('\t', 1),
            b'u' => {
                let high = hex4(tail.get(1..5)?)?;
                if (0xD800..0xDC00).contains(&high) {
                    // A pair: `\uD83D\uDE00`.
                    let low = tail.get(5..11)?.strip_prefix("\\u").and_then(hex4)?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return None;
                    }
                    let c = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                    (char::from_u32(c)?, 11)
                } else {
                    (char::from_u32(high)?, 5)
                }
            }
            _ => return None,
        };
        out.push(c);
        rest = tail.get(used..)?;
    }
    out.push_str(rest);
    Some(out)
}

fn hex4(s: &str) -> Option<u32> {
    if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::super::record::{parse_with_serde, recycle, Record};
    use super::read_into;

    fn read(text: &str) -> Option<Vec<Record<'_>>> {
        let mut out = Vec::new();
        read_into(text, &mut out).map(|()| out)
    }

    #[test]
    fn special_finds_the_first_quote_backslash_or_line_feed() {
        for len in 0..80 {
            for at in 0..=len {
                for byte in [b'"', b'\\', b'\n'] {
                    // Bytes just past the specials (`#` is `"` + 1, `]` is `\\` + 1) and
                    // high bytes, where a carry would show.
                    let mut text: Vec<u8> = (0..len)
                        .map(|i| [b'#', b']', 0x0b, 0xff, b'a'][i % 5])
                        .collect();
                    if let Some(b) = text.get_mut(at) {
                        *b = byte;
                    }
                    if let Some(b) = text.get_mut(at + 1) {
                        *b = b'"';
                    }
                    let want = text.iter().position(|b| matches!(b, b'"' | b'\\' | b'\n'));
                    assert_eq!(super::special(&text), want, "{len} {at} {byte}");
                }
            }
        }
    }

    #[test]
    fn recycling_keeps_the_allocation() {
        let text = String::from(r#"{"Records": [{"eventName": "A"}, {"eventName": "B"}]}"#);
        let mut records = Vec::with_capacity(100);
        assert!(read_into(&text, &mut records).is_some());
        assert_eq!(records.len(), 2);
        let at = records.as_ptr() as usize;
        let spare: Vec<Record<'static>> = recycle(records);
        drop(text);
        assert!(spare.is_empty() && spare.capacity() >= 100);
        assert_eq!(spare.as_ptr() as usize, at);
    }

    const FIXTURES: [&str; 3] = [
        include_str!("../../../corpus/cloudtrail/records/identity-types.json"),
        include_str!("../../../corpus/cloudtrail/records/eventbridge.ndjson"),
        include_str!("../../../corpus/cloudtrail/records/lake-export.ndjson"),
    ];

    /// `Some` from the reader only where serde reads the same records.
    fn agrees(text: &str) -> bool {
        match read(text) {
            None => false,
            Some(fast) => {
                let slow = parse_with_serde(text);
                assert_eq!(
                    Ok(format!("{fast:?}")),
                    slow.map(|r| format!("{r:?}")),
                    "the reader and serde disagree on {text:?}"
                );
                true
            }
        }
    }

    #[test]
    fn the_reader_reads_the_fixtures_as_serde_reads() {
        for text in FIXTURES {
            // The fixtures are compact or pretty JSON; pretty ones hold no tab or CR.
            let compact: String = text.lines().map(str::trim).collect::<Vec<_>>().join("\n");
            assert!(agrees(&compact) || read(&compact).is_none());
            assert!(agrees(text), "the reader left a fixture to serde");
        }
    }

    #[test]
    fn the_reader_reads_as_serde_reads() {
        // Mutations of each fixture: a byte deleted, or one of JSON's significant bytes
        // inserted, at positions from a fixed xorshift sequence.
        let inserts: &[&str] = &[
            "\"",
            "\\",
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            "0",
            "-",
            "1e5",
            "null",
            "true",
            " ",
            "\n",
            "\t",
            "\\u00e9",
            "\\ud83d\\ude00",
            "\\ud83d",
            "\"eventName\":\"X\",",
            "\"userIdentity\":null,",
            "\"resources\":[{}],",
            "\"Records\":null,",
        ];
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let (mut tried, mut read_fast) = (0, 0);
        for text in FIXTURES {
            for _ in 0..1500 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let at = (x as usize) % text.len();
                if !text.is_char_boundary(at) {
                    continue;
                }
                let (head, tail) = text.split_at(at);
                let mutated = if x.is_multiple_of(3) {
                    let mut t = tail.chars();
                    t.next();
                    format!("{head}{}", t.as_str())
                } else {
                    let ins = inserts.get((x >> 32) as usize % inserts.len()).copied();
                    format!("{head}{}{tail}", ins.unwrap_or(""))
                };
                tried += 1;
                if agrees(&mutated) {
                    read_fast += 1;
                }
            }
        }
        // Many mutations still read (inside strings, skipped values): the check is not empty.
        assert!(
            read_fast * 10 > tried,
            "{read_fast} of {tried} mutations read fast"
        );
    }
}
