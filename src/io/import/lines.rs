//! Physical line numbers for CSV records, from their byte offsets.
//!
//! The csv crate's own line count drifts in files with CRLF endings and quoted line breaks
//! (UCDP source texts, ACLED notes): a bad row on line 96 was reported on line 95. An editor's
//! "go to line" counts `\n` bytes, so this does too: the reader is wrapped, the bytes it hands
//! the CSV parser are kept until the records before them are numbered, and a record's line is
//! 1 plus the newlines before its first byte.

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

/// The bytes read but not yet numbered, and the newlines counted before them.
#[derive(Default)]
pub(super) struct LineIndex {
    /// Blocks as read, each with the offset of its first byte.
    blocks: VecDeque<(u64, Vec<u8>)>,
    /// Offset up to which newlines have been counted.
    counted_to: u64,
    newlines: u64,
}

impl LineIndex {
    fn push(&mut self, bytes: &[u8]) {
        let start = self
            .blocks
            .back()
            .map_or(self.counted_to, |(start, block)| start + block.len() as u64);
        self.blocks.push_back((start, bytes.to_vec()));
    }

    /// The 1-based line of the record starting at `offset`. Offsets are asked in increasing
    /// order (records in file order); one behind the last asked is answered with the last line
    /// counted. The csv crate ends a record at the `\r` of a CRLF and starts the next one at
    /// its `\n`: a record starting on a newline starts on the line after it.
    pub(super) fn line_at(&mut self, offset: u64) -> u64 {
        let offset = if self.byte_at(offset) == Some(b'\n') {
            offset + 1
        } else {
            offset
        };
        while self.counted_to < offset {
            let Some((start, block)) = self.blocks.front() else {
                break;
            };
            let end = start + block.len() as u64;
            let from = (self.counted_to - start) as usize;
            let to = (offset.min(end) - start) as usize;
            self.newlines += memchr::memchr_iter(b'\n', &block[from..to]).count() as u64;
            self.counted_to = offset.min(end);
            if self.counted_to == end {
                self.blocks.pop_front();
            }
        }
        1 + self.newlines
    }

    fn byte_at(&self, offset: u64) -> Option<u8> {
        self.blocks
            .iter()
            .find(|(start, block)| (*start..start + block.len() as u64).contains(&offset))
            .map(|(start, block)| block[(offset - start) as usize])
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
