//! Copying files' content into the open zip entry while computing their SHA-256.
//!
//! One [`Copier`] serves a whole build. Content of at least [`PARALLEL_FROM`] bytes is hashed
//! on a helper thread (started once per build, on first need), fed the same buffers the zip
//! writer gets: SHA-256 and the copy (reading, CRC-32, deflate or plain writing) overlap, so a
//! large document costs about the longer of the two instead of their sum. The copier never
//! waits for a digest while it copies: the digests are collected once, after the last file
//! ([`Copier::digests`]), so the hasher still busy with one document does not hold up the copy
//! of the next. The buffers are reused from file to file.
//!
//! When the copy is cheaper than SHA-256 (content in memory, or files in the page cache on an
//! idle machine), the hasher is the slower of the two and the copier would finish early and
//! wait for it. Instead, a document that starts while the hasher still has at least
//! [`INLINE_FROM`] bytes queued is hashed on the copying thread, each piece right after it is
//! read: the two threads share the hashing, document by document (a document's SHA-256 is one
//! chain, so it is computed by one thread, over exactly the bytes written to the zip, in
//! order).
//!
//! Content is read and handed to the hasher in [`BATCH`]-sized buffers (fewer system calls and
//! thread hand-overs), and reaches the zip writer in whole [`CHUNK`]-sized pieces (the last one
//! shorter) however a reader splits its data, because the deflate encoder's output depends on
//! how its input is split: the bundle is the same whether the content came from memory, a file
//! or a reader.

use std::io::{Read, Seek, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, channel, sync_channel};
use std::thread::{Scope, ScopedJoinHandle};

use aws_lc_rs::digest::{Context, SHA256};

use crate::bundle::zip_error;
use crate::error::{Error, Result};
use crate::xades::sha256;

/// Size of the pieces content is written to the zip in.
const CHUNK: usize = 128 * 1024;
/// Size of the pieces content is read and hashed in: a whole number of CHUNKs.
const BATCH: usize = 4 * CHUNK;
/// Most buffers in use at once (queued for the hasher, being hashed, being filled): 2 MiB.
const BUFFERS: usize = 4;
/// Content at least this long is hashed on the helper thread (below it, handing buffers over
/// costs more than it saves).
const PARALLEL_FROM: usize = 2 * CHUNK;
/// The first read into a fresh buffer asks for this much; see [`fill`].
const FIRST_READ: usize = 64 * 1024;
/// A document that starts while the hasher has at least this many bytes still to hash is
/// hashed on the copying thread instead: the hasher is busy for a while yet, and the copier
/// would otherwise wait for it at the end.
const INLINE_FROM: u64 = BATCH as u64;

type Zip<W> = zip::ZipWriter<W>;

/// What the copier sends the hasher.
enum ToHasher<'a> {
    Batch(Arc<Vec<u8>>),
    /// Content the caller holds in memory (it outlives the build's thread scope).
    Slice(&'a [u8]),
    /// File number `.0` is complete: send its digest and start the next.
    End(usize),
}

/// What the hasher sends back.
enum FromHasher {
    /// A buffer it is done with, for reuse.
    Buffer(Arc<Vec<u8>>),
    /// The digest of file number `.0`.
    Digest(usize, [u8; 32]),
}

struct Hasher<'scope, 'a> {
    to: SyncSender<ToHasher<'a>>,
    from: Receiver<FromHasher>,
    thread: ScopedJoinHandle<'scope, ()>,
    /// Bytes sent to the hasher so far.
    sent: u64,
    /// Bytes the hasher has hashed so far (it adds after each piece).
    hashed: Arc<AtomicU64>,
}

/// Copies and hashes the files of one build; see the module documentation.
pub(crate) struct Copier<'scope, 'env: 'scope, 'a: 'env> {
    scope: &'scope Scope<'scope, 'env>,
    hasher: Option<Hasher<'scope, 'a>>,
    /// One per file copied, in order; `None` until the hasher answers.
    digests: Vec<Option<[u8; 32]>>,
    spare: Vec<Vec<u8>>,
    allocated: usize,
    /// [`INLINE_FROM`]; tests set other values to take one path or the other for certain.
    inline_from: u64,
}

impl<'scope, 'env: 'scope, 'a: 'env> Copier<'scope, 'env, 'a> {
    pub(crate) fn new(scope: &'scope Scope<'scope, 'env>) -> Self {
        Self {
            scope,
            hasher: None,
            digests: Vec::new(),
            spare: Vec::new(),
            allocated: 0,
            inline_from: INLINE_FROM,
        }
    }

    /// Writes `bytes` into the open entry as the next file; its digest comes from
    /// [`Self::digests`].
    pub(crate) fn copy_bytes<W: Write + Seek>(
        &mut self,
        bytes: &'a [u8],
        zip: &mut Zip<W>,
    ) -> Result<()> {
        if bytes.len() < PARALLEL_FROM || self.hasher_busy() {
            let mut digest = Context::new(&SHA256);
            for piece in bytes.chunks(BATCH) {
                digest.update(piece);
                write_pieces(piece, zip)?;
            }
            self.digests.push(Some(to_array(digest)));
            return Ok(());
        }
        self.send(ToHasher::Slice(bytes))?;
        write_pieces(bytes, zip)?;
        self.end_file()
    }

    /// Copies `reader` to its end into the open entry as the next file; the digest of what
    /// it read comes from [`Self::digests`].
    pub(crate) fn copy_reader<W: Write + Seek>(
        &mut self,
        mut reader: impl Read,
        zip: &mut Zip<W>,
        read_error: impl Fn(std::io::Error) -> Error,
    ) -> Result<()> {
        let mut buffer = self.buffer()?;
        let mut filled = fill(&mut reader, &mut buffer, &read_error)?;
        if filled < PARALLEL_FROM {
            // Short content (`fill` stops short only at the end): hashed here.
            write_pieces(&buffer[..filled], zip)?;
            self.digests.push(Some(sha256(&buffer[..filled])));
            self.spare.push(buffer);
            return Ok(());
        }
        if self.hasher_busy() {
            let mut digest = Context::new(&SHA256);
            loop {
                digest.update(&buffer[..filled]);
                write_pieces(&buffer[..filled], zip)?;
                if filled < BATCH {
                    break;
                }
                filled = fill(&mut reader, &mut buffer, &read_error)?;
                if filled == 0 {
                    break;
                }
            }
            self.spare.push(buffer);
            self.digests.push(Some(to_array(digest)));
            return Ok(());
        }
        // On an error below the hasher keeps a partial digest; the build stops there anyway.
        loop {
            buffer.truncate(filled);
            let batch = Arc::new(buffer);
            self.send(ToHasher::Batch(Arc::clone(&batch)))?;
            write_pieces(&batch, zip)?;
            if let Ok(unused) = Arc::try_unwrap(batch) {
                self.spare.push(unused);
            }
            if filled < BATCH {
                break;
            }
            buffer = self.buffer()?;
            filled = fill(&mut reader, &mut buffer, &read_error)?;
            if filled == 0 {
                self.spare.push(buffer);
                break;
            }
        }
        self.end_file()
    }

    /// The SHA-256 of every file copied, in order, once the hasher has answered.
    pub(crate) fn digests(mut self) -> Result<Vec<[u8; 32]>> {
        while self.digests.iter().any(Option::is_none) {
            self.receive()?;
        }
        Ok(self.digests.into_iter().flatten().collect())
    }

    /// Whether the hasher has at least [`INLINE_FROM`] bytes still to hash.
    fn hasher_busy(&self) -> bool {
        self.hasher.as_ref().is_some_and(|h| {
            h.sent.saturating_sub(h.hashed.load(Ordering::Relaxed)) >= self.inline_from
        })
    }

    fn send(&mut self, message: ToHasher<'a>) -> Result<()> {
        let hasher = self.hasher.get_or_insert_with(|| start_hasher(self.scope));
        hasher.sent += match &message {
            ToHasher::Batch(batch) => batch.len() as u64,
            ToHasher::Slice(bytes) => bytes.len() as u64,
            ToHasher::End(_) => 0,
        };
        if hasher.to.send(message).is_err() {
            return Err(self.hasher_failed());
        }
        Ok(())
    }

    /// Ends the current file at the hasher; its digest is collected later.
    fn end_file(&mut self) -> Result<()> {
        let number = self.digests.len();
        self.digests.push(None);
        self.send(ToHasher::End(number))
    }

    /// Waits for one answer from the hasher and files it.
    fn receive(&mut self) -> Result<()> {
        match self.hasher.as_ref().map(|h| h.from.recv()) {
            Some(Ok(answer)) => {
                self.file(answer);
                Ok(())
            }
            _ => Err(self.hasher_failed()),
        }
    }

    fn file(&mut self, answer: FromHasher) {
        match answer {
            FromHasher::Buffer(used) => {
                if let Ok(buffer) = Arc::try_unwrap(used) {
                    self.spare.push(buffer);
                }
            }
            FromHasher::Digest(number, digest) => {
                if let Some(slot) = self.digests.get_mut(number) {
                    *slot = Some(digest);
                }
            }
        }
    }

    /// The hasher thread is gone, which only a panic does: passes the panic on.
    fn hasher_failed(&mut self) -> Error {
        if let Some(hasher) = self.hasher.take() {
            drop(hasher.to);
            hasher
                .thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        }
        Error::Signing
    }

    /// A BATCH-sized buffer: a spare one, one the hasher is done with, a new one (up to
    /// BUFFERS), or the next one the hasher returns. With every buffer allocated and none
    /// spare, the others are all with the hasher (the copier holds none while it asks), so one
    /// comes back.
    fn buffer(&mut self) -> Result<Vec<u8>> {
        while let Some(Ok(answer)) = self.hasher.as_ref().map(|h| h.from.try_recv()) {
            self.file(answer);
        }
        while self.spare.is_empty() && self.allocated >= BUFFERS {
            self.receive()?;
        }
        // `fill` grows it to BATCH as content arrives.
        Ok(self.spare.pop().unwrap_or_else(|| {
            self.allocated += 1;
            Vec::with_capacity(BATCH)
        }))
    }
}

/// Writes `bytes` into the open entry in CHUNK-sized pieces.
fn write_pieces<W: Write + Seek>(bytes: &[u8], zip: &mut Zip<W>) -> Result<()> {
    for piece in bytes.chunks(CHUNK) {
        zip.write_all(piece).map_err(zip_error)?;
    }
    Ok(())
}

fn start_hasher<'scope, 'env: 'scope, 'a: 'env>(
    scope: &'scope Scope<'scope, 'env>,
) -> Hasher<'scope, 'a> {
    // Room for every buffer: the copier waits for the hasher only when all are in use.
    let (to, batches) = sync_channel::<ToHasher<'a>>(BUFFERS);
    let (back, from) = channel::<FromHasher>();
    let hashed = Arc::new(AtomicU64::new(0));
    let progress = Arc::clone(&hashed);
    let thread = scope.spawn(move || {
        let mut digest = Context::new(&SHA256);
        for message in batches {
            let answer = match message {
                ToHasher::Batch(batch) => {
                    digest.update(&batch);
                    progress.fetch_add(batch.len() as u64, Ordering::Relaxed);
                    FromHasher::Buffer(batch)
                }
                ToHasher::Slice(bytes) => {
                    for piece in bytes.chunks(BATCH) {
                        digest.update(piece);
                        progress.fetch_add(piece.len() as u64, Ordering::Relaxed);
                    }
                    continue;
                }
                ToHasher::End(number) => FromHasher::Digest(
                    number,
                    to_array(std::mem::replace(&mut digest, Context::new(&SHA256))),
                ),
            };
            if back.send(answer).is_err() {
                return;
            }
        }
    });
    Hasher {
        to,
        from,
        thread,
        sent: 0,
        hashed,
    }
}

fn to_array(context: Context) -> [u8; 32] {
    let mut out = [0; 32];
    out.copy_from_slice(context.finish().as_ref());
    out
}

/// Reads until `buffer` holds BATCH bytes or the reader ends; how many bytes were read (the
/// buffer's first bytes; its length may be larger). The buffer is lengthened (zeroed) only as
/// content arrives, starting at [`FIRST_READ`]: a short document does not touch, and so does not
/// fault in, a whole batch of fresh memory.
fn fill(
    reader: &mut impl Read,
    buffer: &mut Vec<u8>,
    read_error: &impl Fn(std::io::Error) -> Error,
) -> Result<usize> {
    let mut filled = 0;
    loop {
        if filled == buffer.len() {
            if filled >= BATCH {
                break;
            }
            buffer.resize((2 * filled).clamp(FIRST_READ, BATCH), 0);
        }
        match reader.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(read_error(e)),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use signering_testkit::pdf_like;
    use zip::CompressionMethod;
    use zip::write::SimpleFileOptions;

    use super::*;

    /// Copies `documents` into a zip (stored and deflated in turn) as bytes or as readers, with
    /// the given threshold; the zip and the digests.
    fn copy_all(
        documents: &[Vec<u8>],
        inline_from: u64,
        readers: bool,
    ) -> (Vec<u8>, Vec<[u8; 32]>) {
        std::thread::scope(|scope| {
            let mut copier = Copier::new(scope);
            copier.inline_from = inline_from;
            let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
            for (i, document) in documents.iter().enumerate() {
                let method = if i % 2 == 0 {
                    CompressionMethod::Stored
                } else {
                    CompressionMethod::Deflated
                };
                let options = SimpleFileOptions::default().compression_method(method);
                zip.start_file(format!("f{i}"), options).unwrap();
                if readers {
                    let read_error = |source| Error::ReadContent {
                        name: format!("f{i}"),
                        source,
                    };
                    copier
                        .copy_reader(&document[..], &mut zip, read_error)
                        .unwrap();
                } else {
                    copier.copy_bytes(document, &mut zip).unwrap();
                }
            }
            let digests = copier.digests().unwrap();
            (zip.finish().unwrap().into_inner(), digests)
        })
    }

    #[test]
    fn hashing_here_or_on_the_helper_gives_the_same_zip_and_digests() {
        // Several batches, one batch exactly, one byte short of it, below PARALLEL_FROM, tiny.
        let sizes = [
            3 * BATCH + 17,
            700_000,
            BATCH,
            BATCH - 1,
            600_000,
            100_000,
            1,
        ];
        let documents: Vec<Vec<u8>> = sizes
            .iter()
            .zip(1..)
            .map(|(&len, seed)| pdf_like(seed, len))
            .collect();
        let expected: Vec<[u8; 32]> = documents.iter().map(|d| sha256(d)).collect();
        // u64::MAX: every large document goes to the hasher; 0: all but the first are hashed
        // on the copying thread (the hasher, once started, always counts as busy).
        let reference = copy_all(&documents, u64::MAX, false);
        assert_eq!(reference.1, expected);
        for (inline_from, readers) in [(u64::MAX, true), (0, false), (0, true), (INLINE_FROM, true)]
        {
            let (zip, digests) = copy_all(&documents, inline_from, readers);
            assert_eq!(
                digests, expected,
                "inline_from {inline_from}, readers {readers}"
            );
            assert!(
                zip == reference.0,
                "same zip bytes: inline_from {inline_from}, readers {readers}"
            );
        }
    }
}
