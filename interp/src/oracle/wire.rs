//! Both sides of op-program's preimage protocol on fds 3-6 (cannon-spec §8.5), written once:
//! the VM side ([`super::HostProcess`]) sends hint frames and keys, the host side
//! (`cannonball serve-preimages`, the benchmark harness serving qemu-user and native guests)
//! answers them with [`serve_hints`] and [`serve_preimages`].
//!
//! * Hints: `u32` big-endian length, then the hint bytes; answered with one [`HINT_ACK`] byte.
//! * Preimages: a 32-byte key; answered with a `u64` big-endian length, then the bytes.

use std::io::{self, Read, Write};

/// The byte a host answers each hint with.
pub const HINT_ACK: u8 = 0;

/// A hint as sent on the wire.
pub fn hint_frame(hint: &[u8]) -> Vec<u8> {
    let mut frame = Vec::with_capacity(4 + hint.len());
    frame.extend_from_slice(&(hint.len() as u32).to_be_bytes());
    frame.extend_from_slice(hint);
    frame
}

/// A preimage answer as sent on the wire.
pub fn preimage_frame(data: &[u8]) -> Vec<u8> {
    let mut frame = Vec::with_capacity(8 + data.len());
    frame.extend_from_slice(&(data.len() as u64).to_be_bytes());
    frame.extend_from_slice(data);
    frame
}

/// Fills `buf`; `Ok(false)` if the stream ended before its first byte (a clean end), an
/// `UnexpectedEof` error if it ended inside it.
pub fn read_frame(r: &mut impl Read, buf: &mut [u8]) -> io::Result<bool> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) if got == 0 => return Ok(false),
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "truncated frame",
                ))
            }
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

/// Host side: the next hint, or `None` when the VM closed the channel.
pub fn read_hint(r: &mut impl Read) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 4];
    if !read_frame(r, &mut len)? {
        return Ok(None);
    }
    let mut hint = vec![0u8; u32::from_be_bytes(len) as usize];
    if !read_frame(r, &mut hint)? && !hint.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "truncated hint",
        ));
    }
    Ok(Some(hint))
}

/// Host side: the next preimage key, or `None` when the VM closed the channel.
pub fn read_key(r: &mut impl Read) -> io::Result<Option<[u8; 32]>> {
    let mut key = [0u8; 32];
    Ok(read_frame(r, &mut key)?.then_some(key))
}

/// Why a host stopped serving.
#[derive(Debug)]
pub enum ServeError<E> {
    /// Reading a request failed (not a clean end of the channel).
    Read(io::Error),
    /// Writing an answer failed (the VM is gone).
    Write(io::Error),
    /// The preimage lookup failed.
    Lookup(E),
}

/// Host side: acknowledges every hint read from `r` on `w` until the VM closes the channel.
/// Returns the number of hints acknowledged, and how serving ended.
pub fn serve_hints(
    r: &mut impl Read,
    w: &mut impl Write,
) -> (u64, Result<(), ServeError<io::Error>>) {
    let mut n = 0;
    loop {
        match read_hint(r) {
            Ok(Some(_)) => {}
            Ok(None) => return (n, Ok(())),
            Err(e) => return (n, Err(ServeError::Read(e))),
        }
        if let Err(e) = w.write_all(&[HINT_ACK]) {
            return (n, Err(ServeError::Write(e)));
        }
        n += 1;
    }
}

/// Host side: answers every key read from `r` with `lookup`'s preimage on `w` until the VM
/// closes the channel. Returns the number of preimages served, and how serving ended.
pub fn serve_preimages<E>(
    r: &mut impl Read,
    w: &mut impl Write,
    mut lookup: impl FnMut(&[u8; 32]) -> Result<Vec<u8>, E>,
) -> (u64, Result<(), ServeError<E>>) {
    let mut n = 0;
    loop {
        let key = match read_key(r) {
            Ok(Some(k)) => k,
            Ok(None) => return (n, Ok(())),
            Err(e) => return (n, Err(ServeError::Read(e))),
        };
        let data = match lookup(&key) {
            Ok(d) => d,
            Err(e) => return (n, Err(ServeError::Lookup(e))),
        };
        if let Err(e) = w.write_all(&preimage_frame(&data)) {
            return (n, Err(ServeError::Write(e)));
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A VM-side conversation answered by the host side, through in-memory pipes.
    #[test]
    fn both_sides_agree() {
        let mut to_host = Vec::new();
        to_host.extend_from_slice(&hint_frame(b"l1-block-header 0x01"));
        to_host.extend_from_slice(&hint_frame(b""));
        let mut acks = Vec::new();
        let (n, r) = serve_hints(&mut &to_host[..], &mut acks);
        assert!(r.is_ok());
        assert_eq!(n, 2, "two hints");
        assert_eq!(acks, [HINT_ACK, HINT_ACK]);
        let keys = [[1u8; 32], [2u8; 32]].concat();
        let mut answers = Vec::new();
        let (served, r) = serve_preimages(&mut &keys[..], &mut answers, |k| {
            Ok::<_, ()>(vec![k[0]; k[0] as usize])
        });
        assert!(r.is_ok());
        assert_eq!(served, 2);
        assert_eq!(
            answers,
            [preimage_frame(&[1]), preimage_frame(&[2, 2])].concat()
        );
        // a truncated request is an error, not a clean end
        let short = [0u8, 0, 0, 5, b'x'];
        assert!(matches!(
            serve_hints(&mut &short[..], &mut Vec::new()),
            (0, Err(ServeError::Read(_)))
        ));
    }
}
