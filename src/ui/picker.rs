//! The profile picker: a fuzzy list drawn on the terminal (stderr, keys from /dev/tty), so it
//! works inside `$(...)` while stdout stays shell code.
//!
//! Not skim: skim installs mimalloc as the global allocator of any binary that links it, which
//! doubles the start-up time of every rolecall command (the cached `assume` and the prompt
//! among them); this picker is a few hundred lines on crossterm. Rows are drawn only for what
//! is on screen, so 10,000 profiles cost one pass to build the list and one to filter it.

use anyhow::{Context, Result};
use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use crossterm::style::{Attribute, Print, SetAttribute};
use crossterm::terminal::{self, ClearType};
use crossterm::{cursor, queue};
use std::io::Write;

/// One row: the profile name and what is shown beside it; why it cannot be chosen, if so.
#[derive(Clone, Debug, Default)]
pub struct Item {
    pub name: String,
    pub detail: String,
    pub unusable: Option<String>,
}

/// The picker's rows for every profile: most recently used first, then file order; kind, region,
/// account and the time left of cached credentials beside each name.
pub fn profile_items(cfg: &crate::config::Config, files: &crate::files::AwsFiles) -> Vec<Item> {
    use crate::files::catalog::Kind;
    let set = &files.profiles;
    let now = cfg.now();
    let expiries: std::collections::HashMap<String, i64> = crate::creds::recent::expiries(cfg).into_iter().collect();
    let item = |p: crate::files::merge::Section| {
        let account = crate::files::catalog::account_id(p).unwrap_or("");
        let left = match expiries.get(p.name()) {
            Some(t) if *t > now => crate::util::time::human_left(t - now),
            _ => String::new(),
        };
        let region = p.get(crate::files::Key::Region).unwrap_or("");
        // The rule `list` and `doctor` use: a profile that gives no credentials says so here too,
        // and Enter on it says why instead of choosing it.
        let (left, unusable) = match crate::files::chain::resolve_credentials(set, p) {
            Ok(_) => (left, None),
            Err(e) => ("unusable: see rolecall doctor".to_owned(), Some(e.to_string())),
        };
        Item {
            name: p.name().to_owned(),
            detail: format!("{:<11} {:<15} {:<12} {left}", Kind::of(p).as_str(), region, account),
            unusable,
        }
    };
    let recent = crate::creds::recent::recent(cfg);
    let mut items: Vec<Item> = recent.iter().filter_map(|n| set.profile(n)).map(item).collect();
    items.extend(set.profiles().filter(|p| !recent.iter().any(|r| r == p.name())).map(item));
    items
}

/// Whether a picker can be shown: a terminal to draw on and to read keys from.
pub fn available() -> bool {
    crate::ui::tty::interactive()
}

/// Fuzzy score of `query` in `text` (both compared case-insensitively): `None` when the query's
/// characters do not all appear in order. Higher is better: consecutive characters, a match at
/// the start or after a separator, and shorter texts score more.
pub fn score(query: &str, text: &str) -> Option<i64> {
    if query.is_empty() {
        return Some(0);
    }
    let mut score = 0i64;
    let mut q = query.chars().flat_map(char::to_lowercase).peekable();
    let mut prev_match = false;
    let mut prev: Option<char> = None;
    for c in text.chars().flat_map(char::to_lowercase) {
        let Some(&want) = q.peek() else { break };
        if c == want {
            q.next();
            score += 1;
            if prev_match {
                score += 4;
            }
            if prev.is_none_or(|p| matches!(p, '-' | '_' | '/' | '.' | ' ' | ':')) {
                score += 3;
            }
            prev_match = true;
        } else {
            prev_match = false;
        }
        prev = Some(c);
    }
    if q.peek().is_some() {
        return None;
    }
    Some(score * 100 - text.len() as i64)
}

/// Indices of the items matching `query`, best first (ties keep the list's order).
pub fn filter(items: &[Item], query: &str) -> Vec<usize> {
    if query.is_empty() {
        return (0..items.len()).collect();
    }
    let mut hits: Vec<(i64, usize)> =
        items.iter().enumerate().filter_map(|(i, it)| Some((score(query, &it.name)?, i))).collect();
    hits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    hits.into_iter().map(|(_, i)| i).collect()
}

/// Show the picker; the chosen name, or `None` when cancelled (Esc, Ctrl-C, Ctrl-G).
pub fn pick(items: &[Item], prompt: &str) -> Result<Option<String>> {
    let _screen = crate::ui::tty::Screen::enter().context("cannot use the terminal for the picker")?;
    let mut err = std::io::stderr();
    let mut query = String::new();
    let mut matches = filter(items, &query);
    let (mut selected, mut top) = (0usize, 0usize);
    // What Enter could not do, shown on the status line until the next key.
    let mut notice: Option<String> = None;
    loop {
        let (width, height) = terminal::size().unwrap_or((80, 24));
        let rows = usize::from(height.saturating_sub(2)).max(1);
        if selected < top {
            top = selected;
        } else if selected >= top + rows {
            top = selected + 1 - rows;
        }
        let frame =
            Frame { query: &query, prompt, selected, top, rows, width: usize::from(width), notice: notice.as_deref() };
        draw(&mut err, items, &matches, &frame)?;
        // For scripts/bench-shell (the time to the first frame, without a person to press Esc)
        // and the test of a panic on the alternate screen; not in release builds.
        #[cfg(feature = "test-hooks")]
        {
            if std::env::var_os("ROLECALL_PICKER_EXIT_AFTER_FIRST_FRAME").is_some() {
                return Ok(None);
            }
            if std::env::var_os("ROLECALL_TEST_PANIC").is_some_and(|v| v == "picker") {
                // As with `panic = "abort"`: no destructor puts the terminal back, only the hook.
                std::mem::forget(_screen);
                panic!("test panic in the picker");
            }
        }
        let Event::Key(KeyEvent { code, modifiers, kind, .. }) = event::read()? else { continue };
        if kind == KeyEventKind::Release {
            continue;
        }
        let ctrl = modifiers.contains(KeyModifiers::CONTROL);
        notice = None;
        match code {
            KeyCode::Esc => return Ok(None),
            KeyCode::Char('c' | 'g' | 'd') if ctrl => return Ok(None),
            KeyCode::Enter => match matches.get(selected).map(|&i| &items[i]) {
                None => notice = Some(format!("no {prompt} matches `{query}`")),
                Some(Item { name, unusable: Some(why), .. }) => {
                    notice = Some(format!("`{name}` cannot be used: {why}"))
                }
                Some(item) => return Ok(Some(item.name.clone())),
            },
            KeyCode::Up => selected = selected.saturating_sub(1),
            KeyCode::Char('p' | 'k') if ctrl => selected = selected.saturating_sub(1),
            KeyCode::Down | KeyCode::Tab => selected = (selected + 1).min(matches.len().saturating_sub(1)),
            KeyCode::Char('n' | 'j') if ctrl => selected = (selected + 1).min(matches.len().saturating_sub(1)),
            KeyCode::PageUp => selected = selected.saturating_sub(rows),
            KeyCode::PageDown => selected = (selected + rows).min(matches.len().saturating_sub(1)),
            KeyCode::Char('u') if ctrl => {
                query.clear();
                (matches, selected, top) = (filter(items, &query), 0, 0);
            }
            KeyCode::Backspace => {
                query.pop();
                (matches, selected, top) = (filter(items, &query), 0, 0);
            }
            KeyCode::Char(c) if !ctrl => {
                query.push(c);
                (matches, selected, top) = (filter(items, &query), 0, 0);
            }
            _ => {}
        }
    }
}

/// What one frame shows besides the rows.
struct Frame<'a> {
    query: &'a str,
    prompt: &'a str,
    selected: usize,
    top: usize,
    rows: usize,
    width: usize,
    notice: Option<&'a str>,
}

fn draw(out: &mut impl Write, items: &[Item], matches: &[usize], frame: &Frame) -> Result<()> {
    let Frame { query, prompt, selected, top, rows, width, notice } = *frame;
    queue!(out, cursor::MoveTo(0, 0), terminal::Clear(ClearType::All))?;
    // At most the screen's width (a name may be longer than any formatting width).
    let name_width =
        matches[top..].iter().take(rows).map(|&i| items[i].name.chars().count()).max().unwrap_or(0).min(width);
    for (row, &i) in matches.iter().enumerate().skip(top).take(rows) {
        let item = &items[i];
        let name: String = item.name.chars().take(name_width).collect();
        let padding = " ".repeat(name_width - name.chars().count());
        let line = format!("{name}{padding}  {}", crate::util::text::printable(&item.detail));
        let line: String = line.chars().take(width.saturating_sub(2)).collect();
        queue!(out, cursor::MoveTo(0, (row - top) as u16))?;
        if row == selected {
            queue!(out, SetAttribute(Attribute::Reverse), Print(format!("> {line}")), SetAttribute(Attribute::Reset))?;
        } else {
            queue!(out, Print(format!("  {line}")))?;
        }
    }
    let status = match notice {
        Some(text) => {
            let text: String = crate::util::text::printable(text).chars().take(width.saturating_sub(2)).collect();
            format!("  {text}")
        }
        None => format!("  {}/{}", matches.len(), items.len()),
    };
    queue!(out, cursor::MoveTo(0, rows as u16), Print(status))?;
    queue!(out, cursor::MoveTo(0, rows as u16 + 1), Print(format!("{prompt}> {query}")))?;
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzzy_order() {
        let items: Vec<Item> = ["prod-admin", "admin", "dev-readonly", "a-d-m-i-n-x", "ops"]
            .iter()
            .map(|n| Item { name: n.to_string(), ..Item::default() })
            .collect();
        let names = |q: &str| filter(&items, q).into_iter().map(|i| items[i].name.as_str()).collect::<Vec<_>>();
        assert_eq!(names("admin"), ["admin", "prod-admin", "a-d-m-i-n-x"]);
        assert_eq!(names("ADM")[0], "admin");
        assert_eq!(names("zz"), Vec::<&str>::new());
        assert_eq!(names("").len(), 5);
        assert_eq!(names("dr"), ["dev-readonly"]);
    }
}
