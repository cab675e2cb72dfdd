//! Standard output that remembers its first write error, so that every command's report is
//! checked in one place: after an error, further writes fail the same way without touching the
//! stream, and `main` turns the error into exit 3 (or a quiet end for a closed pipe).

use std::io::Write;

pub struct Output<W> {
    inner: W,
    pub error: Option<std::io::Error>,
    /// How many bytes were written: a JSON failure document is written only on an empty stdout.
    pub written: usize,
}

impl<W: Write> Output<W> {
    pub fn new(inner: W) -> Self {
        Output {
            inner,
            error: None,
            written: 0,
        }
    }

    fn check<T>(&mut self, result: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &result
            && e.kind() != std::io::ErrorKind::Interrupted
            && self.error.is_none()
        {
            self.error = Some(std::io::Error::new(e.kind(), e.to_string()));
        }
        result
    }

    fn failed(&self) -> Option<std::io::Error> {
        self.error
            .as_ref()
            .map(|e| std::io::Error::new(e.kind(), e.to_string()))
    }
}

impl<W: Write> Write for Output<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some(e) = self.failed() {
            return Err(e);
        }
        let result = self.inner.write(buf);
        if let Ok(n) = result {
            self.written += n;
        }
        self.check(result)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if let Some(e) = self.failed() {
            return Err(e);
        }
        let result = self.inner.flush();
        self.check(result)
    }
}
