//! The layer order written at the top of `src/lib.rs` is the code's: every `crate::…` path (and
//! `super::` where it leaves its folder) in `src/` points to the same layer or one below, and the
//! files inside one folder use each other without a circle. The map cannot drift from the code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The order in `src/lib.rs`: lines `//! N. [`name`] — …`, top first.
fn layers(lib: &str) -> Vec<String> {
    lib.lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("//! ")?;
            let (num, rest) = rest.split_once(". [`")?;
            num.parse::<u32>().ok()?;
            Some(rest.split_once('`')?.0.to_owned())
        })
        .collect()
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rs_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without comments (doc links name modules without using them) and without
/// the text of string literals.
fn code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let (mut in_str, mut escaped) = (false, false);
    while let Some(c) = chars.next() {
        if in_str {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
                out.push('"');
            }
            continue;
        }
        match c {
            '"' if !out.ends_with('\'') => {
                in_str = true;
                out.push('"');
            }
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// The first segments of every path that starts with `prefix` (`crate::`, `super::`), with the
/// `{a, b::c}` groups of a `use` expanded to their first names.
fn uses(code: &str, prefix: &str) -> Vec<(String, Option<String>)> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(prefix) {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let end = group
                .char_indices()
                .find(|&(_, c)| {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => return true,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    false
                })
                .map_or(group.len(), |(i, _)| i);
            let mut depth = 0;
            let mut item = String::new();
            for c in group[..end].chars().chain([',']) {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        let mut parts = item.trim().split("::").map(|s| s.trim().to_owned());
                        if let Some(first) = parts.next().filter(|s| !s.is_empty()) {
                            let second = parts.next().filter(|s| s.chars().all(|c| c.is_alphanumeric() || c == '_'));
                            found.push((first, second));
                        }
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
        } else {
            let ident = |s: &str| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>();
            let first = ident(rest);
            let second = rest[first.len()..].strip_prefix("::").map(ident).filter(|s| !s.is_empty());
            if !first.is_empty() {
                found.push((first, second));
            }
        }
    }
    found
}

/// Where a file sits: its layer and its name inside the layer's folder (`None` for `mod.rs` or a
/// layer that is one file).
fn place(src: &Path, file: &Path) -> (String, Option<String>, usize) {
    let rel: Vec<String> =
        file.strip_prefix(src).unwrap().with_extension("").iter().map(|s| s.to_string_lossy().into_owned()).collect();
    let layer = rel[0].clone();
    let inner = rel.get(1).filter(|s| *s != "mod").cloned();
    // How many folders `super::` climbs before it leaves the layer.
    let depth = rel.len() - usize::from(rel.last().is_some_and(|s| s == "mod"));
    (layer, inner, depth)
}

struct Edges {
    /// (from layer, to layer) -> the files that make the edge.
    layers: BTreeMap<(String, String), BTreeSet<String>>,
    /// layer -> (from file, to file) inside it.
    inner: BTreeMap<String, BTreeSet<(String, String)>>,
}

fn edges(src: &Path) -> Edges {
    let mut files = Vec::new();
    rs_files(src, &mut files);
    let mut edges = Edges { layers: BTreeMap::new(), inner: BTreeMap::new() };
    for file in files {
        let (layer, inner, depth) = place(src, &file);
        if layer == "lib" || layer == "main" {
            continue;
        }
        let text = code(&std::fs::read_to_string(&file).unwrap());
        let shown = file.strip_prefix(src).unwrap().display().to_string();
        let mut targets = uses(&text, "crate::");
        // `super::x` from a file directly in the layer's folder is a sibling; from the layer's
        // own mod.rs or one file, it is the crate root.
        for (first, second) in uses(&text, "super::") {
            match depth {
                1 => targets.push((first, second)),
                2 => targets.push((layer.clone(), Some(first))),
                _ => {}
            }
        }
        for (to, sub) in targets {
            if matches!(to.as_str(), "self" | "super") {
                continue;
            }
            if to != layer {
                edges.layers.entry((layer.clone(), to)).or_default().insert(shown.clone());
                continue;
            }
            let (Some(from), Some(sub)) = (&inner, sub) else { continue };
            let dir = src.join(&layer);
            if *from != sub && (dir.join(format!("{sub}.rs")).exists() || dir.join(&sub).is_dir()) {
                edges.inner.entry(layer.clone()).or_default().insert((from.clone(), sub));
            }
        }
    }
    edges
}

/// A circle through `start` in `graph`, if there is one.
fn circle(graph: &BTreeSet<(String, String)>, start: &str) -> Option<Vec<String>> {
    fn walk(graph: &BTreeSet<(String, String)>, path: &mut Vec<String>, start: &str) -> bool {
        let last = path.last().unwrap().clone();
        for (_, to) in graph.iter().filter(|(from, _)| *from == last) {
            if to == start {
                path.push(to.clone());
                return true;
            }
            if !path.contains(to) {
                path.push(to.clone());
                if walk(graph, path, start) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_owned()];
    walk(graph, &mut path, start).then_some(path)
}

/// Every layer edge and circle that breaks the order; empty when the code keeps it.
fn breaks(src: &Path) -> Vec<String> {
    let order = layers(&std::fs::read_to_string(src.join("lib.rs")).unwrap());
    let rank = |m: &str| order.iter().position(|l| l == m);
    let edges = edges(src);
    let mut out = Vec::new();
    for ((from, to), files) in &edges.layers {
        let files = files.iter().cloned().collect::<Vec<_>>().join(", ");
        match (rank(from), rank(to)) {
            (None, _) => out.push(format!("`{from}` is not in the map in src/lib.rs ({files})")),
            (_, None) => out.push(format!("`{from}` uses `{to}`, which is not in the map in src/lib.rs ({files})")),
            (Some(f), Some(t)) if t < f => out.push(format!("`{from}` uses `{to}`, a layer above it ({files})")),
            _ => {}
        }
    }
    for (layer, graph) in &edges.inner {
        let mut seen = BTreeSet::new();
        for (from, _) in graph {
            if let Some(c) =
                circle(graph, from).filter(|c| seen.insert(c.iter().skip(1).cloned().collect::<BTreeSet<_>>()))
            {
                out.push(format!("{layer}/: {} go in a circle", c.join(" -> ")));
            }
        }
    }
    out
}

#[test]
fn every_edge_points_down_the_map_in_lib_rs() {
    let src = src();
    let order = layers(&std::fs::read_to_string(src.join("lib.rs")).unwrap());
    assert!(order.len() >= 10, "src/lib.rs lists the layers as `//! N. [`name`] …`: {order:?}");
    let mut on_disk: Vec<String> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().path().with_extension("").file_name().unwrap().to_string_lossy().into_owned())
        .filter(|m| m != "lib" && m != "main")
        .collect();
    on_disk.sort();
    let mut listed = order.clone();
    listed.sort();
    assert_eq!(listed, on_disk, "the map in src/lib.rs lists every module of src/ once");
    let breaks = breaks(&src);
    assert!(breaks.is_empty(), "the code leaves the layer order:\n{}", breaks.join("\n"));
}

/// The check itself: an upward `use` and a circle in a copy of the tree are found.
#[test]
fn an_upward_use_or_a_circle_fails_the_check() {
    let dir = crate::common::TempHome::new();
    let copy = dir.path.join("src");
    copy_tree(&src(), &copy);
    assert!(breaks(&copy).is_empty());
    let file = copy.join("util/mod.rs");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\nuse crate::cmd::run as _up;\n")).unwrap();
    let found = breaks(&copy);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("`util` uses `cmd`, a layer above it (util/mod.rs"), "{found:?}");
    std::fs::write(&file, text).unwrap();
    // A circle: creds/options.rs (used by creds/steps.rs) using steps.
    let file = copy.join("creds/options.rs");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\n// a comment about crate::cmd is not a use\nuse super::steps as _back;\n"))
        .unwrap();
    let found = breaks(&copy);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("creds/:") && found[0].contains("options") && found[0].contains("steps"), "{found:?}");
}

/// Only `cmd` and `ui` (the layers above `serve` in the map) print or open the terminal: below
/// them a notice is a value handed up, and an output a string the command writes.
#[test]
fn nothing_below_cmd_and_ui_prints_or_opens_the_terminal() {
    let src = src();
    let order = layers(&std::fs::read_to_string(src.join("lib.rs")).unwrap());
    let talking = ["cmd", "ui"];
    assert_eq!(&order[..2], talking, "cmd and ui head the map");
    let mut files = Vec::new();
    rs_files(&src, &mut files);
    let mut found = Vec::new();
    for file in files {
        let (layer, _, _) = place(&src, &file);
        if talking.contains(&layer.as_str()) || layer == "main" || layer == "lib" {
            continue;
        }
        let raw = std::fs::read_to_string(&file).unwrap();
        // Unit tests may print.
        let raw = raw.split("#[cfg(test)]").next().unwrap();
        let text = code(raw);
        let shown = file.strip_prefix(&src).unwrap().display().to_string();
        for what in
            ["println!", "print!", "eprintln!", "eprint!", "dbg!", "stderr()", "stdout()", "IsTerminal", "isatty"]
        {
            if text.contains(what) {
                found.push(format!("{shown}: {what}"));
            }
        }
        if raw.lines().any(|l| !l.trim_start().starts_with("//") && l.contains("/dev/tty")) {
            found.push(format!("{shown}: /dev/tty"));
        }
    }
    assert!(found.is_empty(), "printing or the terminal below cmd/ and ui/:\n{}", found.join("\n"));
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let dest = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_tree(&path, &dest);
        } else {
            std::fs::copy(&path, &dest).unwrap();
        }
    }
}

#[test]
fn paths_are_read_as_the_compiler_reads_them() {
    let text =
        code("use crate::{a::b, c, d::{e, f}};\n// crate::g\nlet s = \"crate::h\"; crate::i::j(); x::crate::k;\n");
    let found: Vec<_> =
        uses(&text, "crate::").into_iter().map(|(a, b)| format!("{a}/{}", b.unwrap_or_default())).collect();
    assert_eq!(found, ["a/b", "c/", "d/", "i/j"]);
}

/// Functions of `text` longer than `max` lines: (name, lines). A function starts at a line whose
/// first word (after `pub`, `pub(…)`, `async`) is `fn` and ends at the `}` of its indentation.
fn long_functions(text: &str, max: usize) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let indent = &line[..line.len() - line.trim_start().len()];
        let mut words = line.trim_start();
        for prefix in ["pub(crate) ", "pub(super) ", "pub ", "async "] {
            words = words.strip_prefix(prefix).unwrap_or(words);
        }
        let Some(rest) = words.strip_prefix("fn ") else { continue };
        if line.trim_end().ends_with('}') || line.trim_end().ends_with(';') {
            continue;
        }
        let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        let close = format!("{indent}}}");
        let end = lines[i..].iter().position(|l| *l == close).map_or(lines.len() - i, |n| n + 1);
        if end > max {
            found.push((name, end));
        }
    }
    found
}

/// `cmd/` is argument handling: no function there over 50 lines; no file in `src/` over 600.
#[test]
fn cmd_stays_thin_and_files_stay_small() {
    let src = src();
    let mut files = Vec::new();
    rs_files(&src, &mut files);
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let shown = file.strip_prefix(&src).unwrap().display().to_string();
        if text.lines().count() > 600 {
            found.push(format!("{shown}: {} lines", text.lines().count()));
        }
        if shown.starts_with("cmd/") {
            for (name, n) in long_functions(&text, 50) {
                found.push(format!("{shown}: fn {name} is {n} lines"));
            }
        }
    }
    assert!(found.is_empty(), "split these:\n{}", found.join("\n"));
    // The reader finds what it should.
    let long = format!("pub fn big() {{\n{}}}\nfn small() {{\n}}\n", "    x();\n".repeat(60));
    assert_eq!(long_functions(&long, 50), [("big".to_owned(), 62)]);
}
