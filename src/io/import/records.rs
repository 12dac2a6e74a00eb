//! CSV records tokenised with their physical line numbers, in chunks that threads can take.
//!
//! A big file is cut into chunks after a newline that RFC 4180 quote parity (counted from the
//! chunk's start) puts outside quotes, and each chunk is tokenised on its own thread. The cut
//! is a guess: a file with a stray quote can put it inside a quoted field. A guess is checked,
//! never trusted: a chunk that starts on a record boundary ends on one exactly when its
//! tokeniser is between records at its last byte ([`Tokeniser::is_between_records`]); the
//! first chunk starts after the header, so in file order every chunk is known to start right
//! or is read again, from the unfinished record of the chunk before, by one tokeniser fed
//! the following chunks until it is between records again.
//!
//! The tokeniser is csv-core, the engine of the csv crate, with the csv crate's defaults
//! (double quotes, `""` escapes, `\r`, `\n` and `\r\n` end a record, blank lines skipped), so
//! every record reads as the csv crate read it. Before it, a record of the plain shape
//! (unquoted fields without quotes or carriage returns, quoted fields closed right before a
//! delimiter or the line's end) is split with memchr's vector search, byte runs at a time
//! where csv-core steps byte by byte (its state machine was a third of a big load's
//! workers' time); any other record, or one the input holds only part of, goes to csv-core. Lines are what an editor's "go to line"
//! counts: 1 plus the `\n` bytes before the record's first byte, quoted line breaks (UCDP
//! source texts, ACLED notes) included.

use csv_core::ReadRecordResult;

/// One record's fields, end to end in one buffer (no allocation per row once grown): filled
/// by the tokeniser, and by the Parquet, Arrow and GeoJSON readers through
/// [`Record::clear`] and [`Record::push_field`]. The bytes may run past the last field's end
/// (the tokeniser's room for the next record).
#[derive(Clone, Debug, Default)]
pub struct Record {
    bytes: Vec<u8>,
    /// The end of each field in `bytes`.
    ends: Vec<usize>,
}

impl Record {
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
    }

    pub fn push_field(&mut self, field: &[u8]) {
        self.bytes.extend_from_slice(field);
        self.ends.push(self.bytes.len());
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn get(&self, index: usize) -> Option<&[u8]> {
        let end = *self.ends.get(index)?;
        let start = index.checked_sub(1).map_or(0, |before| self.ends[before]);
        Some(&self.bytes[start..end])
    }

    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.len()).filter_map(|index| self.get(index))
    }
}

/// Reads records from bytes given in pieces, keeping its place between them.
pub struct Tokeniser {
    core: csv_core::Reader,
    /// The bytes that end an unquoted field's plain run (the delimiter, a quote, `\r`, `\n`),
    /// where the plain-record path can split on the delimiter (not a quote or a line end).
    plain_stops: Option<Box<Stops>>,
    record: Record,
    /// Bytes of the record being read written so far (`record.bytes` is grown ahead).
    written: usize,
    /// Field ends of the record being read found so far.
    ended: usize,
    /// Whether a record has begun and not ended.
    in_record: bool,
    /// The line of the next byte to read.
    line: u64,
    /// The line the record being read began on.
    record_line: u64,
}

impl Tokeniser {
    /// A tokeniser whose first byte is on `line`, between records.
    pub fn new(delimiter: u8, line: u64) -> Self {
        Self {
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            plain_stops: (!matches!(delimiter, b'"' | b'\n' | b'\r')).then(|| {
                let mut stops = Stops {
                    delimiter,
                    table: [false; 256],
                };
                for byte in [delimiter, b'"', b'\n', b'\r'] {
                    stops.table[usize::from(byte)] = true;
                }
                Box::new(stops)
            }),
            record: Record {
                bytes: vec![0; 4096],
                ends: vec![0; 64],
            },
            written: 0,
            ended: 0,
            in_record: false,
            line,
            record_line: line,
        }
    }

    /// The same tokeniser reading every record with csv-core, to test the plain path against.
    #[cfg(test)]
    fn csv_core_only(mut self) -> Self {
        self.plain_stops = None;
        self
    }

    /// Whether the bytes read so far end between two records: after a chunk, whether the
    /// next chunk starts on a record boundary.
    pub fn is_between_records(&self) -> bool {
        !self.in_record
    }

    /// The line of the next byte to read.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The next whole record in `input[*at..]`, with its line; `None` when the input is used
    /// up first (a record begun stays begun for the next input). `*at` moves past what was
    /// read.
    pub fn next<'t>(&'t mut self, input: &[u8], at: &mut usize) -> Option<(u64, &'t Record)> {
        loop {
            if !self.in_record {
                // Blank lines and the `\n` of a `\r\n` come before a record's first byte, as
                // csv-core skips them too.
                let skipped = input[*at..]
                    .iter()
                    .position(|&byte| byte != b'\n' && byte != b'\r')
                    .unwrap_or(input.len() - *at);
                self.line += count_newlines(&input[*at..*at + skipped]);
                *at += skipped;
                if *at == input.len() {
                    return None;
                }
                if let Some(stops) = &self.plain_stops
                    && let Some((read, newlines)) =
                        plain_record(&input[*at..], stops, &mut self.record)
                {
                    let line = self.line;
                    self.line += newlines;
                    *at += read;
                    return Some((line, &self.record));
                }
                self.in_record = true;
                self.record_line = self.line;
            }
            let (result, read) = self.read(&input[*at..]);
            self.line += count_newlines(&input[*at..*at + read]);
            *at += read;
            match result {
                ReadRecordResult::Record => return Some(self.take_record()),
                ReadRecordResult::InputEmpty | ReadRecordResult::End => return None,
                ReadRecordResult::OutputFull | ReadRecordResult::OutputEndsFull => {}
            }
        }
    }

    /// The record the input ended in, if any: the end of the file ends it, as the csv crate
    /// ends a last line with no line break or an unclosed quote.
    pub fn finish(&mut self) -> Option<(u64, &Record)> {
        if !self.in_record {
            return None;
        }
        loop {
            match self.read(&[]).0 {
                ReadRecordResult::Record => return Some(self.take_record()),
                ReadRecordResult::OutputFull | ReadRecordResult::OutputEndsFull => {}
                ReadRecordResult::InputEmpty | ReadRecordResult::End => {
                    self.in_record = false;
                    return None;
                }
            }
        }
    }

    /// One step of csv-core, growing the buffers it fills; how it ended and the bytes read.
    fn read(&mut self, input: &[u8]) -> (ReadRecordResult, usize) {
        let record = &mut self.record;
        if self.written == record.bytes.len() {
            record.bytes.resize((record.bytes.len() * 2).max(4096), 0);
        }
        if self.ended == record.ends.len() {
            record.ends.resize((record.ends.len() * 2).max(64), 0);
        }
        let (result, read, written, ended) = self.core.read_record(
            input,
            &mut record.bytes[self.written..],
            &mut record.ends[self.ended..],
        );
        self.written += written;
        self.ended += ended;
        (result, read)
    }

    /// The record just ended; the next one is written over it.
    fn take_record(&mut self) -> (u64, &Record) {
        self.in_record = false;
        self.written = 0;
        // Its field ends cut to its fields; the bytes keep their room (fields end inside).
        self.record.ends.truncate(std::mem::take(&mut self.ended));
        (self.record_line, &self.record)
    }
}

/// The delimiter, and which bytes end an unquoted field's run of plain bytes.
struct Stops {
    delimiter: u8,
    table: [bool; 256],
}

/// A whole record of the plain shape at the start of `input` into `record`: the bytes read
/// (its line end included) and the newlines among them. `None`, with `record` to be written
/// over, for any other record and where the input ends first: csv-core reads those. For the
/// records it takes, the fields are exactly csv-core's (tested against the csv crate).
/// Unquoted fields are short (codes, names, numbers): a byte loop over a table finds their
/// end; quoted ones (notes, sources) are long: memchr finds their quotes.
fn plain_record(input: &[u8], stops: &Stops, record: &mut Record) -> Option<(usize, u64)> {
    let delimiter = stops.delimiter;
    let mut written = 0;
    let mut newlines = 0;
    record.ends.clear();
    // The tokeniser's buffer is written over in place, as csv-core writes it.
    let push = |record: &mut Record, written: &mut usize, part: &[u8]| {
        let end = *written + part.len();
        if end > record.bytes.len() {
            record.bytes.resize(end.max(record.bytes.len() * 2), 0);
        }
        record.bytes[*written..end].copy_from_slice(part);
        *written = end;
    };
    // What may follow a field: another field, or the record's end (`\n` or `\r\n`).
    let ends_record = |at: usize| match input.get(at) {
        Some(b'\n') => Some(at + 1),
        Some(b'\r') if input.get(at + 1) == Some(&b'\n') => Some(at + 2),
        _ => None,
    };
    let mut at = 0;
    loop {
        if input.get(at) == Some(&b'"') {
            // Quoted: up to the quote not doubled; `""` is a quote.
            let mut from = at + 1;
            loop {
                let quote = from + memchr::memchr(b'"', &input[from..])?;
                let part = &input[from..quote];
                newlines += count_newlines(part);
                push(record, &mut written, part);
                if input.get(quote + 1) == Some(&b'"') {
                    push(record, &mut written, b"\"");
                    from = quote + 2;
                } else {
                    at = quote + 1;
                    break;
                }
            }
            record.ends.push(written);
            if input.get(at) == Some(&delimiter) {
                at += 1;
                continue;
            }
            let read = ends_record(at)?;
            return Some((read, newlines + 1));
        }
        let stop = at
            + input[at..]
                .iter()
                .position(|&byte| stops.table[usize::from(byte)])?;
        let field = &input[at..stop];
        let read = match input[stop] {
            byte if byte == delimiter => None,
            b'\n' => Some(stop + 1),
            b'\r' if input.get(stop + 1) == Some(&b'\n') => Some(stop + 2),
            // A quote inside an unquoted field, or a lone carriage return (csv-core ends a
            // record there), is csv-core's to read.
            _ => return None,
        };
        push(record, &mut written, field);
        record.ends.push(written);
        if let Some(read) = read {
            return Some((read, newlines + 1));
        }
        at = stop + 1;
    }
}

fn count_newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

/// Where to cut `bytes`, which start on a record boundary, so that the first part ends on one:
/// after the last newline with an even number of quotes before it, else after the last
/// newline (a guess the tokeniser checks); `None` without a newline. Also the newlines
/// before the cut.
pub fn cut(bytes: &[u8]) -> Option<(usize, u64)> {
    let (mut quotes, mut newlines) = (0u64, 0u64);
    let (mut even_cut, mut last_cut) = (None, None);
    for at in memchr::memchr2_iter(b'"', b'\n', bytes) {
        if bytes[at] == b'"' {
            quotes += 1;
        } else {
            newlines += 1;
            last_cut = Some((at + 1, newlines));
            if quotes % 2 == 0 {
                even_cut = last_cut;
            }
        }
    }
    even_cut.or(last_cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record of `text` fed in pieces of `piece` bytes, as (line, fields).
    fn records(text: &[u8], piece: usize) -> Vec<(u64, Vec<String>)> {
        records_read_by(Tokeniser::new(b',', 1), text, piece)
    }

    fn records_read_by(
        mut tokeniser: Tokeniser,
        text: &[u8],
        piece: usize,
    ) -> Vec<(u64, Vec<String>)> {
        let mut out = Vec::new();
        let mut keep = |(line, record): (u64, &Record)| {
            let fields = record
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            out.push((line, fields));
        };
        for part in text.chunks(piece) {
            let mut at = 0;
            while let Some(found) = tokeniser.next(part, &mut at) {
                keep(found);
            }
        }
        if let Some(found) = tokeniser.finish() {
            keep(found);
        }
        out
    }

    /// The fields of every record of `text` as the csv crate reads them.
    fn csv_crate_fields(text: &[u8]) -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text)
            .byte_records()
            .map(|r| {
                r.unwrap()
                    .iter()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn records_read_as_the_csv_crate_reads_them_with_their_lines() {
        let text = b"a,b\r\nb,\"x\"\"y\"\r\n\r\n\"c\r\nd\",e\r\nf,\"open\n";
        let expected = csv_crate_fields(text);
        for piece in [1, 2, 3, 5, 100] {
            let read = records(text, piece);
            let fields: Vec<Vec<String>> = read.iter().map(|(_, f)| f.clone()).collect();
            assert_eq!(fields, expected, "in pieces of {piece}");
            let lines: Vec<u64> = read.iter().map(|(line, _)| *line).collect();
            assert_eq!(lines, [1, 2, 4, 6], "in pieces of {piece}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]
        /// Random text of the bytes that matter to CSV: the plain path and csv-core read the
        /// same records with the same lines, whatever the pieces, and as the csv crate does.
        #[test]
        fn the_plain_path_reads_every_record_as_csv_core_does(
            text in proptest::collection::vec(
                proptest::sample::select(&b"ab,\"\n\r "[..]), 0..400),
            piece in 1usize..80,
        ) {
            for piece in [piece, text.len().max(1)] {
                let plain = records(&text, piece);
                let core = records_read_by(Tokeniser::new(b',', 1).csv_core_only(), &text, piece);
                proptest::prop_assert_eq!(&plain, &core);
            }
            let expected = csv_crate_fields(&text);
            let read: Vec<Vec<String>> =
                records(&text, text.len().max(1)).into_iter().map(|(_, f)| f).collect();
            proptest::prop_assert_eq!(read, expected);
        }
    }

    #[test]
    fn plain_records_are_split_without_csv_core_and_others_are_left_to_it() {
        let mut record = Record::default();
        let text = b"a,\"b,\"\"c\"\"\nd\",,e\r\nnext";
        let stops = Tokeniser::new(b',', 1).plain_stops.unwrap();
        let (read, newlines) = plain_record(text, &stops, &mut record).unwrap();
        assert_eq!((read, newlines), (text.len() - 4, 2));
        let fields: Vec<&[u8]> = record.iter().collect();
        assert_eq!(fields, [&b"a"[..], b"b,\"c\"\nd", b"", b"e"]);
        // A quote inside an unquoted field, a lone carriage return, a quote closed before
        // other text, a record the input ends inside: csv-core's.
        for other in [
            &b"a\"b,c\n"[..],
            b"a\rb\n",
            b"\"a\"b,c\n",
            b"a,b",
            b"\"a\nb",
        ] {
            assert!(
                plain_record(other, &stops, &mut record).is_none(),
                "{other:?}"
            );
        }
    }

    #[test]
    fn a_record_longer_than_the_buffers_grows_them() {
        let long = "x".repeat(10_000);
        let fields = vec!["f"; 200].join(",");
        let text = format!("{long},{fields}\nnext\n");
        let read = records(text.as_bytes(), 777);
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].1.len(), 201);
        assert_eq!(read[0].1[0], long);
        assert_eq!(read[1], (2, vec!["next".to_owned()]));
    }

    #[test]
    fn a_cut_inside_quotes_is_found_out() {
        // The stray quote on line 1 is text to csv-core (it is not at a field's start), but it
        // makes quote parity put the cut after line 2, inside the quoted field "q\nr".
        let text = b"x,y\"z\n\"q\nr\",s\nt,u\n";
        let (at_cut, newlines) = cut(text).unwrap();
        assert_eq!((&text[..at_cut], newlines), (&b"x,y\"z\n\"q\n"[..], 2));
        // The first part does not end between records: that is how the reader knows the cut
        // was wrong and reads on with the same tokeniser.
        let mut tokeniser = Tokeniser::new(b',', 1);
        let mut at = 0;
        assert_eq!(tokeniser.next(&text[..at_cut], &mut at).unwrap().0, 1);
        assert!(tokeniser.next(&text[..at_cut], &mut at).is_none());
        assert!(!tokeniser.is_between_records());
        let mut at = 0;
        let (line, record) = tokeniser.next(&text[at_cut..], &mut at).unwrap();
        assert_eq!((line, record.get(0)), (2, Some(&b"q\nr"[..])));
        assert_eq!(tokeniser.next(&text[at_cut..], &mut at).unwrap().0, 4);
        assert!(tokeniser.is_between_records());
    }

    #[test]
    fn a_cut_follows_quote_parity() {
        let text = b"a,\"b\nc\"\nd\n\"e\n";
        // After "d": two quotes before it. After the last newline: three, inside a quote.
        assert_eq!(cut(text), Some((10, 3)));
        assert_eq!(cut(b"no newline"), None);
        // No newline with even parity: the last newline, for the tokeniser to check.
        assert_eq!(cut(b"\"a\nb\n"), Some((5, 2)));
    }
}
