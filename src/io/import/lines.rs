//! Physical line numbers for CSV records, from their byte offsets.
//!
//! The csv crate's own line count drifts in files with CRLF endings and quoted line breaks
//! (UCDP source texts, ACLED notes): a bad row on line 96 was reported on line 95. An editor's
//! "go to line" counts `\n` bytes, so this does too: the reader is wrapped, the newlines it
//! hands the CSV parser are noted until the records before them are numbered, and a record's
//! line is 1 plus the newlines before its first byte. Only the offsets of the newlines not yet
//! passed are kept (a few thousand for the csv reader's buffer), not the bytes.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::Read;
use std::rc::Rc;

/// A reader that keeps what it reads for [`LineIndex::line_at`].
pub(super) struct LineCounting<R> {
    inner: R,
    index: Rc<RefCell<LineIndex>>,
}

impl<R: Read> LineCounting<R> {
    pub(super) fn new(inner: R) -> (Self, Rc<RefCell<LineIndex>>) {
        let index = Rc::new(RefCell::new(LineIndex::default()));
        (
            Self {
                inner,
                index: Rc::clone(&index),
            },
            index,
        )
    }
}

impl<R: Read> Read for LineCounting<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buffer)?;
        if read > 0 {
            self.index.borrow_mut().push(&buffer[..read]);
        }
        Ok(read)
    }
}

/// The newlines read but not yet passed, and the count of those passed.
#[derive(Default)]
pub(super) struct LineIndex {
    /// Offsets of the newlines read beyond the last record numbered, in order.
    newlines_ahead: VecDeque<u64>,
    /// Bytes read so far.
    read: u64,
    /// Newlines before the last record numbered.
    newlines: u64,
}

impl LineIndex {
    fn push(&mut self, bytes: &[u8]) {
        let start = self.read;
        self.newlines_ahead
            .extend(memchr::memchr_iter(b'\n', bytes).map(|at| start + at as u64));
        self.read += bytes.len() as u64;
    }

    /// The 1-based line of the record starting at `offset`. Offsets are asked in increasing
    /// order (records in file order); one behind the last asked is answered with the last line
    /// counted. The csv crate ends a record at the `\r` of a CRLF and starts the next one at
    /// its `\n`: a record starting on a newline starts on the line after it.
    pub(super) fn line_at(&mut self, offset: u64) -> u64 {
        while self
            .newlines_ahead
            .front()
            .is_some_and(|&newline| newline <= offset)
        {
            self.newlines_ahead.pop_front();
            self.newlines += 1;
        }
        1 + self.newlines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_newlines_before_the_offset_across_blocks() {
        let text = b"a\r\nb\r\n\"c\r\nd\"\r\ne\n";
        // Read in blocks of three bytes, as a buffered reader might.
        let (mut reader, index) = LineCounting::new(&text[..]);
        let mut block = [0u8; 3];
        while reader.read(&mut block).unwrap() > 0 {}
        let mut index = index.borrow_mut();
        assert_eq!(index.line_at(0), 1);
        assert_eq!(index.line_at(3), 2, "after a CRLF");
        assert_eq!(index.line_at(6), 3, "the quoted record starts on line 3");
        assert_eq!(
            index.line_at(14),
            5,
            "the record after the quoted line break"
        );
        assert_eq!(
            index.line_at(2),
            5,
            "an earlier offset keeps the line reached"
        );
        assert_eq!(
            index.line_at(13),
            5,
            "a record the csv crate starts on the \\n of a CRLF starts on the next line"
        );
    }
}
