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
//! Content is read and handed to the hasher in [`BATCH`]-sized buffers (fewer system calls and
//! thread hand-overs), and reaches the zip writer in whole [`CHUNK`]-sized pieces (the last one
//! shorter) however a reader splits its data, because the deflate encoder's output depends on
//! how its input is split: the bundle is the same whether the content came from memory, a file
//! or a reader.

use std::io::{Read, Seek, Write};
use std::sync::Arc;
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
}

/// Copies and hashes the files of one build; see the module documentation.
pub(crate) struct Copier<'scope, 'env: 'scope, 'a: 'env> {
    scope: &'scope Scope<'scope, 'env>,
    hasher: Option<Hasher<'scope, 'a>>,
    /// One per file copied, in order; `None` until the hasher answers.
    digests: Vec<Option<[u8; 32]>>,
    spare: Vec<Vec<u8>>,
    allocated: usize,
}

impl<'scope, 'env: 'scope, 'a: 'env> Copier<'scope, 'env, 'a> {
    pub(crate) fn new(scope: &'scope Scope<'scope, 'env>) -> Self {
        Self {
            scope,
            hasher: None,
            digests: Vec::new(),
            spare: Vec::new(),
            allocated: 0,
        }
    }

    /// Writes `bytes` into the open entry as the next file; its digest comes from
    /// [`Self::digests`].
    pub(crate) fn copy_bytes<W: Write + Seek>(
        &mut self,
        bytes: &'a [u8],
        zip: &mut Zip<W>,
    ) -> Result<()> {
        if bytes.len() < PARALLEL_FROM {
            write_pieces(bytes, zip)?;
            self.digests.push(Some(sha256(bytes)));
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

    fn send(&mut self, message: ToHasher<'a>) -> Result<()> {
        let hasher = self.hasher.get_or_insert_with(|| start_hasher(self.scope));
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
        let mut buffer = self.spare.pop().unwrap_or_else(|| {
            self.allocated += 1;
            Vec::with_capacity(BATCH)
        });
        // Zeroes only what was never written (a new buffer, or the tail of a short one).
        buffer.resize(BATCH, 0);
        Ok(buffer)
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
    let thread = scope.spawn(move || {
        let mut digest = Context::new(&SHA256);
        for message in batches {
            let answer = match message {
                ToHasher::Batch(batch) => {
                    digest.update(&batch);
                    FromHasher::Buffer(batch)
                }
                ToHasher::Slice(bytes) => {
                    digest.update(bytes);
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
    Hasher { to, from, thread }
}

fn to_array(context: Context) -> [u8; 32] {
    let mut out = [0; 32];
    out.copy_from_slice(context.finish().as_ref());
    out
}

/// Reads until `buffer` is full or the reader ends; how many bytes were read.
fn fill(
    reader: &mut impl Read,
    buffer: &mut [u8],
    read_error: &impl Fn(std::io::Error) -> Error,
) -> Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(read_error(e)),
        }
    }
    Ok(filled)
}
