//! Which files of the source tree are audited: a sorted walk with include and exclude globs.
//! Hidden folders and `__pycache__` are never entered.

use std::path::{Path, PathBuf};

/// The audited files under `root`, as paths relative to it with `/` separators, sorted.
pub fn walk(root: &Path, include: &[String], exclude: &[String]) -> std::io::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stack: Vec<(PathBuf, String)> = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, rel)) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&dir)?.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries.into_iter().rev() {
            let name = e.file_name().to_string_lossy().to_string();
            let path = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let Ok(ty) = e.file_type() else { continue };
            if ty.is_dir() {
                if !name.starts_with('.') && name != "__pycache__" {
                    stack.push((e.path(), path));
                }
            } else if (ty.is_file() || ty.is_symlink())
                && include.iter().any(|g| glob_match(g, &path))
                && !exclude.iter().any(|g| glob_match(g, &path))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Matches a `/`-separated path against a glob: `*` and `?` stay within one segment, `**`
/// matches any number of segments.
pub fn glob_match(pattern: &str, path: &str) -> bool {
    let p: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
    let s: Vec<&str> = path.split('/').collect();
    segments(&p, &s)
}

fn segments(p: &[&str], s: &[&str]) -> bool {
    match p.split_first() {
        None => s.is_empty(),
        Some((&"**", rest)) => (0..=s.len()).any(|i| segments(rest, &s[i..])),
        Some((first, rest)) => {
            !s.is_empty() && segment(first.as_bytes(), s[0].as_bytes()) && segments(rest, &s[1..])
        }
    }
}

fn segment(p: &[u8], s: &[u8]) -> bool {
    // Iterative wildcard matching with backtracking to the last `*`.
    let (mut pi, mut si, mut star, mut mark) = (0, 0, None, 0);
    while si < s.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        assert!(glob_match("**/*.py", "a.py"));
        assert!(glob_match("**/*.py", "api/routers/repos.py"));
        assert!(!glob_match("**/*.py", "api/routers/repos.pyc"));
        assert!(glob_match("api/**", "api/routers/repos.py"));
        assert!(!glob_match("api/*.py", "api/routers/repos.py"));
        assert!(glob_match("tests/test_?.py", "tests/test_a.py"));
    }
}
