//! Writing a file atomically: a reader sees the old file or the new one, never a part of it.
//!
//! A file that exists is replaced through a temporary file in the same folder
//! (`.handoff-tmp-*`) and a rename, and keeps its permissions. A new file is created with the
//! permissions any new file gets (0666 less the umask). On Linux a new file is created unnamed
//! (`O_TMPFILE`), written, and linked into place: one directory operation instead of two (a
//! temporary name, then a rename), which is most of what writing 10,000 small files costs on
//! ext4, and nothing is left behind if the process dies before the link. It is linked by its
//! descriptor where the kernel allows that (Linux 6.10 and later, or with `CAP_DAC_READ_SEARCH`),
//! else through `/proc/self/fd`. Where the file system or the system allows neither (no
//! `O_TMPFILE`, no `/proc`), the temporary name is used.

use std::fs::Permissions;
use std::io::Write as _;
use std::path::Path;

/// Temporary files are named with this prefix, so leftovers of an interrupted run are
/// recognisable; the next `generate` removes them.
pub const TMP_PREFIX: &str = ".handoff-tmp-";

/// Writes `content` to `path` atomically, creating its folder if needed. The error says which
/// file could not be written and why; the file is then as it was.
pub fn write_atomic(path: &Path, content: &str) -> Result<(), String> {
    let existing = std::fs::metadata(path).ok().map(|m| m.permissions());
    write_with(path, content, existing)
}

/// [`write_atomic`] for a file found missing a moment ago (not looked up again; should it have
/// appeared meanwhile, it is replaced, as [`write_atomic`] would).
pub(super) fn write_new(path: &Path, content: &str) -> Result<(), String> {
    write_with(path, content, None)
}

fn write_with(path: &Path, content: &str, existing: Option<Permissions>) -> Result<(), String> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if existing.is_none() {
        match create_new(dir, path, content.as_bytes()) {
            Created::Done => return Ok(()),
            Created::Failed(e) => return Err(format!("cannot write {}: {e}", path.display())),
            Created::NoFolder => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                if let Created::Done = create_new(dir, path, content.as_bytes()) {
                    return Ok(());
                }
            }
            Created::Unsupported => {}
        }
    }
    if existing.is_none() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    replace(dir, path, content, existing)
}

/// Through a temporary name and a rename; the file keeps `permissions` when it had some.
fn replace(
    dir: &Path,
    path: &Path,
    content: &str,
    permissions: Option<Permissions>,
) -> Result<(), String> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(TMP_PREFIX);
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
    let written = tmp
        .write_all(content.as_bytes())
        .and_then(|()| match permissions {
            Some(p) => tmp.as_file().set_permissions(p),
            None => Ok(()),
        });
    written.map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| format!("cannot write {}: {}", path.display(), e.error))?;
    Ok(())
}

/// What creating a new file without a temporary name gave.
enum Created {
    Done,
    /// Writing failed: nothing was created.
    Failed(std::io::Error),
    /// The folder does not exist.
    NoFolder,
    /// Not possible here (or the file appeared meanwhile): use a temporary name.
    Unsupported,
}

#[cfg(target_os = "linux")]
fn create_new(dir: &Path, path: &Path, content: &[u8]) -> Created {
    use rustix::fs::{CWD, Mode, OFlags, openat};
    use rustix::io::Errno;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// Set once linking by descriptor was refused: not tried again for every file.
    static BY_DESCRIPTOR_REFUSED: AtomicBool = AtomicBool::new(false);

    let flags = OFlags::WRONLY | OFlags::TMPFILE | OFlags::CLOEXEC;
    let fd = match openat(CWD, dir, flags, Mode::from_raw_mode(0o666)) {
        Ok(fd) => fd,
        Err(Errno::NOENT) => return Created::NoFolder,
        Err(_) => return Created::Unsupported,
    };
    let mut file = std::fs::File::from(fd);
    if let Err(e) = file.write_all(content) {
        return Created::Failed(e);
    }
    if !BY_DESCRIPTOR_REFUSED.load(Ordering::Relaxed) {
        match link_by_descriptor(&file, path) {
            Ok(()) => return Created::Done,
            Err(Errno::EXIST) => return Created::Unsupported,
            Err(_) => BY_DESCRIPTOR_REFUSED.store(true, Ordering::Relaxed),
        }
    }
    match link_by_proc(&file, path) {
        Ok(()) => Created::Done,
        Err(_) => Created::Unsupported,
    }
}

/// Links an unnamed file by its descriptor (`AT_EMPTY_PATH`): allowed to anyone since Linux
/// 6.10, before that only with `CAP_DAC_READ_SEARCH`. The cheaper of the two ways.
#[cfg(target_os = "linux")]
fn link_by_descriptor(file: &std::fs::File, path: &Path) -> rustix::io::Result<()> {
    use rustix::fs::{AtFlags, CWD, linkat};
    linkat(file, "", CWD, path, AtFlags::EMPTY_PATH)
}

/// Links an unnamed file through its `/proc/self/fd` link, which needs no privilege but `/proc`.
#[cfg(target_os = "linux")]
fn link_by_proc(file: &std::fs::File, path: &Path) -> rustix::io::Result<()> {
    use rustix::fs::{AtFlags, CWD, linkat};
    use std::os::fd::AsRawFd as _;
    let by_proc = format!("/proc/self/fd/{}", file.as_raw_fd());
    linkat(CWD, by_proc.as_str(), CWD, path, AtFlags::SYMLINK_FOLLOW)
}

#[cfg(not(target_os = "linux"))]
fn create_new(_: &Path, _: &Path, _: &[u8]) -> Created {
    Created::Unsupported
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_new_file_gets_the_permissions_of_any_new_file() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("sub/dir/a.json");
        write_atomic(&path, "{}\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{}\n");
        // Created by std the usual way, in the same process (same umask).
        let usual = d.path().join("usual");
        std::fs::File::create(&usual).unwrap();
        assert_eq!(mode(&path), mode(&usual));
        assert_eq!(names(&d.path().join("sub/dir")), ["a.json"]);
    }

    #[test]
    fn a_replaced_file_keeps_its_permissions_and_no_temporary_file_is_left() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("a.py");
        std::fs::write(&path, "old\n").unwrap();
        std::fs::set_permissions(&path, Permissions::from_mode(0o640)).unwrap();
        write_atomic(&path, "new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        assert_eq!(mode(&path), 0o640);
        assert_eq!(names(d.path()), ["a.py"]);
    }

    #[test]
    fn a_folder_that_cannot_be_created_is_named() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("file"), "").unwrap();
        let err = write_atomic(&d.path().join("file/x.json"), "{}").unwrap_err();
        assert!(err.contains("cannot create"), "{err}");
    }

    /// Both ways of linking an unnamed file work where they are allowed, and neither replaces a
    /// file that exists.
    #[cfg(target_os = "linux")]
    #[test]
    fn an_unnamed_file_is_linked_by_descriptor_or_through_proc() {
        use rustix::fs::{CWD, Mode, OFlags, openat};
        let d = tempfile::tempdir().unwrap();
        let unnamed = |text: &[u8]| {
            let flags = OFlags::WRONLY | OFlags::TMPFILE | OFlags::CLOEXEC;
            let fd = openat(CWD, d.path(), flags, Mode::from_raw_mode(0o666)).unwrap();
            let mut f = std::fs::File::from(fd);
            f.write_all(text).unwrap();
            f
        };
        let by_proc = d.path().join("by-proc");
        link_by_proc(&unnamed(b"p"), &by_proc).unwrap();
        assert_eq!(std::fs::read_to_string(&by_proc).unwrap(), "p");
        assert!(link_by_proc(&unnamed(b"q"), &by_proc).is_err());
        let by_descriptor = d.path().join("by-descriptor");
        // Refused on kernels before 6.10 to a process without CAP_DAC_READ_SEARCH: then
        // `create_new` links through /proc (above).
        if link_by_descriptor(&unnamed(b"d"), &by_descriptor).is_ok() {
            assert_eq!(std::fs::read_to_string(&by_descriptor).unwrap(), "d");
            assert!(link_by_descriptor(&unnamed(b"e"), &by_descriptor).is_err());
        }
        assert_eq!(std::fs::read_to_string(&by_proc).unwrap(), "p");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn on_linux_a_new_file_is_linked_into_place() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("b.json");
        assert!(matches!(create_new(d.path(), &path, b"[]"), Created::Done));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "[]");
        // It does not replace a file that appeared meanwhile.
        assert!(matches!(
            create_new(d.path(), &path, b"{}"),
            Created::Unsupported
        ));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "[]");
        assert!(matches!(
            create_new(&d.path().join("none"), &d.path().join("none/c"), b""),
            Created::NoFolder
        ));
    }
}
