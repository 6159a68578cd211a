//! Files rolecall writes: private directories (never through a symlink), the one atomic writer
//! (a temporary file with a random name beside the target, created exclusively, flushed, then
//! renamed; mode and owner kept; stale ones removed), files written as a pair, and the one lock.

use anyhow::{Context, Result, anyhow, bail};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// 16 random hex digits, from the kernel.
pub fn random_hex() -> String {
    crate::util::random::hex::<8>().unwrap_or_else(|_| {
        // No /dev/urandom: the time and the pid still make a collision unlikely, and the file
        // is created exclusively anyway.
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
        hex::encode(((nanos as u64) ^ (u64::from(std::process::id()) << 32)).to_le_bytes())
    })
}

/// This process's effective user.
pub fn euid() -> u32 {
    // SAFETY: geteuid cannot fail and touches no memory.
    unsafe { libc::geteuid() }
}

/// Create `dir` (and parents) with mode 0700, or check an existing one: a symlink is refused
/// (rolecall never follows a link it did not make into a private directory), one that is not
/// the user's is refused, and one others can read is made private.
pub fn ensure_private_dir(dir: &Path) -> Result<()> {
    match fs::symlink_metadata(dir) {
        Ok(meta) if meta.file_type().is_symlink() => {
            bail!("{} is a symbolic link: rolecall keeps private files only in a directory of its own", dir.display())
        }
        Ok(meta) if meta.is_dir() => {
            if meta.uid() != euid() {
                bail!("{} belongs to another user (uid {}): not used", dir.display(), meta.uid());
            }
            if meta.permissions().mode() & 0o077 != 0 {
                fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
                    .with_context(|| format!("cannot make {} private", dir.display()))?;
            }
            Ok(())
        }
        Ok(_) => bail!("{} is not a directory", dir.display()),
        Err(_) => fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("cannot create {}", dir.display())),
    }
}

/// How a file is written.
#[derive(Clone, Copy, Debug)]
pub struct Mode<'a> {
    /// Permission bits of a new file (an existing file keeps its own when `keep` is set).
    pub bits: u32,
    /// Keep the mode, owner and group of the file being replaced (the AWS files: `sudo rolecall
    /// configure` must not hand the user's credentials to root).
    pub keep: bool,
    /// Give the file the owner and group of this one (a backup of the file it backs up).
    pub owner_of: Option<&'a Path>,
    /// Flush the file and the rename to the disk (fsync) before returning: what must survive a
    /// crash. Notes that can be lost (the recent list) are only atomic.
    pub durable: bool,
}

impl Mode<'_> {
    pub const PRIVATE: Mode<'static> = Mode { bits: 0o600, keep: false, owner_of: None, durable: true };
    pub const KEEP: Mode<'static> = Mode { bits: 0o600, keep: true, owner_of: None, durable: true };
    /// Private, atomic, not flushed: rolecall's own notes, rebuilt when lost.
    pub const NOTE: Mode<'static> = Mode { bits: 0o600, keep: false, owner_of: None, durable: false };
}

const TMP_MARK: &str = ".rolecall-";

/// The temporary name beside `target`: `.NAME.rolecall-PID-RANDOM.tmp`.
fn temp_path(target: &Path) -> PathBuf {
    let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    dir.join(format!(".{name}{TMP_MARK}{}-{}.tmp", std::process::id(), random_hex()))
}

/// Temporary files of `target` that writers killed mid-write left behind (their process is gone,
/// or they are more than an hour old).
pub fn remove_stale_temps(target: &Path) {
    let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let Some(name) = target.file_name().and_then(|n| n.to_str()) else { return };
    let prefix = format!(".{name}{TMP_MARK}");
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let file = entry.file_name();
        let Some(rest) = file.to_str().and_then(|f| f.strip_prefix(&prefix)).and_then(|r| r.strip_suffix(".tmp"))
        else {
            continue;
        };
        let pid = rest.split('-').next().and_then(|p| p.parse::<i32>().ok());
        let old = entry
            .metadata()
            .ok()
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > Duration::from_secs(3600));
        let ours = entry.metadata().is_ok_and(|m| m.uid() == euid());
        if ours && (old || pid.is_some_and(|p| !alive(p))) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether a process with this id exists.
pub fn alive(pid: i32) -> bool {
    // SAFETY: kill with signal 0 only asks whether the process exists.
    unsafe { libc::kill(pid, 0) == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH) }
}

/// A file written beside its target and flushed, not yet in place.
pub struct Staged {
    tmp: PathBuf,
    target: PathBuf,
    durable: bool,
}

impl Staged {
    /// Write `bytes` to a new temporary file beside `target`.
    pub fn new(target: &Path, bytes: &[u8], mode: Mode) -> Result<Staged> {
        remove_stale_temps(target);
        let tmp = temp_path(target);
        let existing = fs::metadata(target).ok().filter(|_| mode.keep);
        let owner = mode.owner_of.and_then(|p| fs::metadata(p).ok()).or_else(|| existing.clone());
        let result = (|| -> std::io::Result<()> {
            let mut f = OpenOptions::new()
                .write(true)
                .create_new(true)
                .custom_flags(libc::O_NOFOLLOW)
                .mode(0o600)
                .open(&tmp)?;
            // The mode asked for at creation is reduced by the umask: set the file's own exactly.
            let bits = existing.as_ref().map_or(mode.bits, |m| m.permissions().mode() & 0o7777);
            if let Some(meta) = &owner
                && (meta.uid() != euid() || meta.gid() != f.metadata()?.gid())
            {
                // Only root can give a file away; for anyone else this fails, and the file is
                // the writer's own anyway.
                let _ = std::os::unix::fs::fchown(&f, Some(meta.uid()), Some(meta.gid()));
            }
            f.set_permissions(fs::Permissions::from_mode(bits))?;
            f.write_all(bytes)?;
            if mode.durable { f.sync_all() } else { Ok(()) }
        })();
        if let Err(e) = result {
            let _ = fs::remove_file(&tmp);
            return Err(e).with_context(|| format!("cannot write {}", target.display()));
        }
        Ok(Staged { tmp, target: target.to_owned(), durable: mode.durable })
    }

    /// Put it in place (atomically), and make the rename reach the disk.
    pub fn commit(self) -> Result<()> {
        fs::rename(&self.tmp, &self.target)
            .and_then(|()| if self.durable { sync_dir(&self.target) } else { Ok(()) })
            .with_context(|| format!("cannot write {}", self.target.display()))
    }

    pub fn temp(&self) -> &Path {
        &self.tmp
    }
}

/// A staged file that is not put in place (an error in between) is removed.
impl Drop for Staged {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.tmp);
    }
}

fn sync_dir(target: &Path) -> std::io::Result<()> {
    let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    File::open(dir)?.sync_all()
}

/// Write `bytes` to `path` atomically: readers see the old content or the new, never part.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: Mode) -> Result<()> {
    Staged::new(path, bytes, mode)?.commit()
}

/// [`write_atomic`] with mode 0600.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic(path, bytes, Mode::PRIVATE)
}

/// Read a private file: refused (an error) when it is a symlink, is not the user's, or others can
/// read or change it.
pub fn read_private(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut file = OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW).open(path)?;
    let meta = file.metadata()?;
    if meta.uid() != euid() || meta.permissions().mode() & 0o077 != 0 {
        return Err(std::io::Error::new(std::io::ErrorKind::PermissionDenied, NotPrivate));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// A private file that is not: another user's, or readable by others.
#[derive(Debug)]
pub struct NotPrivate;

impl std::fmt::Display for NotPrivate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not private (another user's, or readable by others)")
    }
}

impl std::error::Error for NotPrivate {}

/// Held while a process does what the lock names; released on drop (also by the kernel when the
/// process dies).
pub struct Lock {
    file: File,
}

impl Lock {
    /// Say what the holder is doing, for those who wait (`mfa`: asking for a code).
    pub fn note(&self, what: &str) {
        let mut file = &self.file;
        let _ = file.set_len(0);
        let _ = writeln!(file, "{what} {}", std::process::id());
    }
}

/// How to wait for a lock another process holds.
pub enum Wait<'a> {
    /// Until it is free; `on_wait` is told once what the holder noted.
    Always(&'a dyn Fn(&str)),
    /// At most `bound`, then an error; `on_wait` is told once what the holder noted.
    Bounded(Duration, &'a dyn Fn(&str)),
    /// Not at all: `Ok(None)` when it is held.
    Never,
}

/// Take the lock at `path` (a file made 0600 if needed).
pub fn lock(path: &Path, wait: Wait) -> Result<Option<Lock>> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOFOLLOW)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot open lock file {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => return Ok(Some(Lock { file })),
        Err(fs::TryLockError::WouldBlock) => {}
        Err(fs::TryLockError::Error(e)) => return Err(e).with_context(|| format!("cannot lock {}", path.display())),
    }
    let note = || fs::read_to_string(path).unwrap_or_default().trim().to_owned();
    match wait {
        Wait::Never => Ok(None),
        Wait::Always(on_wait) => {
            on_wait(&note());
            file.lock().with_context(|| format!("cannot lock {}", path.display()))?;
            Ok(Some(Lock { file }))
        }
        Wait::Bounded(bound, on_wait) => {
            on_wait(&note());
            let deadline = Instant::now() + bound;
            loop {
                std::thread::sleep(Duration::from_millis(50));
                match file.try_lock() {
                    Ok(()) => return Ok(Some(Lock { file })),
                    Err(fs::TryLockError::WouldBlock) if Instant::now() < deadline => {}
                    Err(fs::TryLockError::WouldBlock) => {
                        return Err(anyhow!(Timeout(bound)));
                    }
                    Err(fs::TryLockError::Error(e)) => {
                        return Err(e).with_context(|| format!("cannot lock {}", path.display()));
                    }
                }
            }
        }
    }
}

/// What the holder of the lock at `path` noted it is doing (`mfa …`, `fetching …`).
pub fn lock_note(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_default().trim().to_owned()
}

/// A bounded wait for a lock ran out.
#[derive(Debug)]
pub struct Timeout(pub Duration);

impl std::fmt::Display for Timeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "gave up after {} s", self.0.as_secs())
    }
}

impl std::error::Error for Timeout {}
