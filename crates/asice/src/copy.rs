//! Copying files' content into the open zip entry while computing their SHA-256.
//!
//! One [`Copier`] serves a whole build. Content of at least [`PARALLEL_FROM`] bytes is hashed
//! on a helper thread (started once per build, on first need), fed the same chunks the zip
//! writer gets: SHA-256 and the copy (CRC-32, deflate or plain writing) overlap, so a large
//! document costs about the longer of the two instead of their sum. The chunk buffers are
//! reused from file to file.
//!
//! Input reaches the zip writer in whole [`CHUNK`]-sized pieces (the last one shorter) however
//! a reader splits its data, because the deflate encoder's output depends on how its input is
//! split: the bundle is the same whether the content came from memory, a file or a reader.

use std::io::{Read, Seek, Write};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, channel, sync_channel};
use std::thread::{Scope, ScopedJoinHandle};

use aws_lc_rs::digest::{Context, SHA256};

use crate::bundle::zip_error;
use crate::error::{Error, Result};
use crate::xades::sha256;

/// Size of the pieces content is read and written in.
const CHUNK: usize = 128 * 1024;
/// Most chunk buffers in use at once (queued for the hasher, being hashed, being filled).
const BUFFERS: usize = 4;
/// Content at least this long is hashed on the helper thread (below it, handing chunks over
/// costs more than it saves).
const PARALLEL_FROM: usize = 2 * CHUNK;

type Zip<W> = zip::ZipWriter<W>;

/// What the copier sends the hasher.
enum ToHasher<'a> {
    Chunk(Arc<Vec<u8>>),
    /// Content the caller holds in memory (it outlives the build's thread scope).
    Slice(&'a [u8]),
    /// The current file is complete: send its digest and start the next.
    End,
}

/// What the hasher sends back.
enum FromHasher {
    /// A chunk it is done with, for reuse.
    Buffer(Arc<Vec<u8>>),
    Digest([u8; 32]),
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
    spare: Vec<Vec<u8>>,
    allocated: usize,
}

impl<'scope, 'env: 'scope, 'a: 'env> Copier<'scope, 'env, 'a> {
    pub(crate) fn new(scope: &'scope Scope<'scope, 'env>) -> Self {
        Self {
            scope,
            hasher: None,
            spare: Vec::new(),
            allocated: 0,
        }
    }

    /// Writes `bytes` into the open entry; their SHA-256.
    pub(crate) fn copy_bytes<W: Write + Seek>(
        &mut self,
        bytes: &'a [u8],
        zip: &mut Zip<W>,
    ) -> Result<[u8; 32]> {
        let write = |zip: &mut Zip<W>| -> Result<()> {
            for piece in bytes.chunks(CHUNK) {
                zip.write_all(piece).map_err(zip_error)?;
            }
            Ok(())
        };
        if bytes.len() < PARALLEL_FROM {
            write(zip)?;
            return Ok(sha256(bytes));
        }
        let hasher = self.hasher.get_or_insert_with(|| start_hasher(self.scope));
        if hasher.to.send(ToHasher::Slice(bytes)).is_err() {
            return Err(self.hasher_failed());
        }
        write(zip)?;
        self.finish_hash()
    }

    /// Copies `reader` to its end into the open entry; the SHA-256 of what it read.
    pub(crate) fn copy_reader<W: Write + Seek>(
        &mut self,
        mut reader: impl Read,
        zip: &mut Zip<W>,
        read_error: impl Fn(std::io::Error) -> Error,
    ) -> Result<[u8; 32]> {
        let mut buffer = self.buffer(false);
        let mut filled = fill(&mut reader, &mut buffer, &read_error)?;
        if filled < CHUNK {
            // Short content: one piece, hashed here.
            zip.write_all(&buffer[..filled]).map_err(zip_error)?;
            let digest = sha256(&buffer[..filled]);
            self.spare.push(buffer);
            return Ok(digest);
        }
        // On an error below the hasher keeps a partial digest; the build stops there anyway.
        loop {
            buffer.truncate(filled);
            let chunk = Arc::new(buffer);
            let hasher = self.hasher.get_or_insert_with(|| start_hasher(self.scope));
            if hasher.to.send(ToHasher::Chunk(Arc::clone(&chunk))).is_err() {
                return Err(self.hasher_failed());
            }
            zip.write_all(&chunk).map_err(zip_error)?;
            if let Ok(unused) = Arc::try_unwrap(chunk) {
                self.spare.push(unused);
            }
            if filled < CHUNK {
                break;
            }
            buffer = self.buffer(true);
            filled = fill(&mut reader, &mut buffer, &read_error)?;
            if filled == 0 {
                self.spare.push(buffer);
                break;
            }
        }
        self.finish_hash()
    }

    /// Ends the current file at the hasher and waits for its digest.
    fn finish_hash(&mut self) -> Result<[u8; 32]> {
        if let Some(hasher) = &self.hasher
            && hasher.to.send(ToHasher::End).is_ok()
        {
            while let Ok(answer) = hasher.from.recv() {
                match answer {
                    FromHasher::Buffer(used) => recycle(&mut self.spare, used),
                    FromHasher::Digest(digest) => return Ok(digest),
                }
            }
        }
        Err(self.hasher_failed())
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

    /// A CHUNK-sized buffer: a spare one, one the hasher is done with, a new one (up to
    /// BUFFERS), or, with `may_wait`, the next one the hasher returns.
    fn buffer(&mut self, may_wait: bool) -> Vec<u8> {
        if let Some(hasher) = &self.hasher {
            while let Ok(answer) = hasher.from.try_recv() {
                if let FromHasher::Buffer(used) = answer {
                    recycle(&mut self.spare, used);
                }
            }
            if self.spare.is_empty()
                && self.allocated >= BUFFERS
                && may_wait
                && let Ok(FromHasher::Buffer(used)) = hasher.from.recv()
            {
                recycle(&mut self.spare, used);
            }
        }
        let mut buffer = self.spare.pop().unwrap_or_else(|| {
            self.allocated += 1;
            Vec::with_capacity(CHUNK)
        });
        // Zeroes only what was never written (a new buffer, or the tail of a short chunk).
        buffer.resize(CHUNK, 0);
        buffer
    }
}

fn recycle(spare: &mut Vec<Vec<u8>>, used: Arc<Vec<u8>>) {
    if let Ok(buffer) = Arc::try_unwrap(used) {
        spare.push(buffer);
    }
}

fn start_hasher<'scope, 'env: 'scope, 'a: 'env>(
    scope: &'scope Scope<'scope, 'env>,
) -> Hasher<'scope, 'a> {
    // Two chunks may wait while one is hashed and the copier fills the next.
    let (to, chunks) = sync_channel::<ToHasher<'a>>(2);
    let (back, from) = channel::<FromHasher>();
    let thread = scope.spawn(move || {
        let mut digest = Context::new(&SHA256);
        for message in chunks {
            let answer = match message {
                ToHasher::Chunk(chunk) => {
                    digest.update(&chunk);
                    FromHasher::Buffer(chunk)
                }
                ToHasher::Slice(bytes) => {
                    digest.update(bytes);
                    continue;
                }
                ToHasher::End => FromHasher::Digest(to_array(std::mem::replace(
                    &mut digest,
                    Context::new(&SHA256),
                ))),
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
