//! The terminal: the one place that opens `/dev/tty` (so stdout stays shell code even inside
//! `$(...)`), reads a line from a person, and puts the terminal in raw mode. Whatever happens,
//! the terminal is given back as it was: on drop, and from the panic hook (with `panic = "abort"`
//! no destructor runs).

use anyhow::{Context, Result, anyhow};
use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use std::fs::{File, OpenOptions};
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU8, Ordering};

/// What rolecall has changed on the terminal (bits), for the panic hook.
static STATE: AtomicU8 = AtomicU8::new(0);
const RAW: u8 = 1;
const ALTERNATE: u8 = 2;

/// The controlling terminal, open for reading and writing.
pub struct Tty {
    file: File,
}

/// The person at this process's terminal, for the layers below that need to ask (opened when
/// asked, never before: a cached `assume` does not touch the terminal).
pub struct Person;

impl crate::types::Ask for Person {
    fn available(&self) -> bool {
        Tty::open().is_some()
    }

    fn line(&self, prompt: &str, hidden: bool) -> Result<String> {
        let echo = if hidden { Echo::Hidden } else { Echo::Plain };
        Tty::require("nobody to ask")?.read_line(prompt, echo)
    }

    fn say(&self, text: &str) -> Result<()> {
        Tty::require("nobody to tell")?.write(text)
    }
}

/// The person at the terminal, as the layers below take it.
pub fn person() -> crate::types::Asker {
    crate::types::Asker::new(Person)
}

/// How a typed line is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Echo {
    /// As typed.
    Plain,
    /// Not at all (a secret).
    Hidden,
}

impl Tty {
    /// The terminal, if this process has one.
    pub fn open() -> Option<Tty> {
        OpenOptions::new().read(true).write(true).open("/dev/tty").ok().map(|file| Tty { file })
    }

    /// The terminal, or an error that says what to pass instead (`--mfa-code`, `--yes`, …).
    pub fn require(instead: &str) -> Result<Tty> {
        Tty::open().ok_or_else(|| anyhow!("no terminal to ask on: {instead}"))
    }

    pub fn write(&self, text: &str) -> Result<()> {
        let mut out = &self.file;
        out.write_all(text.as_bytes()).and_then(|()| out.flush()).context("cannot write to the terminal")
    }

    /// One line typed by the person after `prompt`, read key by key in raw mode: Enter ends it,
    /// Backspace and Ctrl-U edit it, a paste arrives as keys. Esc, Ctrl-C and Ctrl-D cancel (the
    /// line is ended on the terminal, so the next prompt starts on its own line): the error is
    /// [`crate::error::Cancelled`].
    pub fn read_line(&self, prompt: &str, echo: Echo) -> Result<String> {
        self.write(prompt)?;
        let raw = Raw::enter()?;
        #[cfg(feature = "test-hooks")]
        if std::env::var_os("ROLECALL_TEST_PANIC").is_some_and(|v| v == "prompt") {
            // As with `panic = "abort"`: no destructor puts the terminal back, only the hook.
            std::mem::forget(raw);
            panic!("test panic at a prompt");
        }
        let mut typed = String::new();
        let result = loop {
            let Event::Key(key) = event::read().context("cannot read the terminal")? else { continue };
            if key.kind == KeyEventKind::Release {
                continue;
            }
            let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
            match key.code {
                // Ctrl-J is a line feed: what scripts and some terminals send for Enter.
                KeyCode::Enter => break Ok(typed),
                KeyCode::Char('j') if ctrl => break Ok(typed),
                KeyCode::Esc => break Err(anyhow!(crate::error::Cancelled)),
                KeyCode::Char('c' | 'd') if ctrl => break Err(anyhow!(crate::error::Cancelled)),
                KeyCode::Char('u') if ctrl => {
                    if echo == Echo::Plain {
                        self.write(&"\u{8} \u{8}".repeat(typed.chars().count()))?;
                    }
                    typed.clear();
                }
                KeyCode::Backspace if typed.pop().is_some() && echo == Echo::Plain => self.write("\u{8} \u{8}")?,
                KeyCode::Char(c) if !ctrl => {
                    typed.push(c);
                    if echo == Echo::Plain {
                        self.write(c.encode_utf8(&mut [0; 4]))?;
                    }
                }
                _ => {}
            }
        };
        drop(raw);
        self.write("\r\n")?;
        result
    }

    /// A yes/no question; anything but y/yes is no.
    pub fn confirm(&self, question: &str) -> Result<bool> {
        let answer = self.read_line(&format!("{question} [y/N] "), Echo::Plain)?;
        Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
    }
}

/// Whether a full-screen picker can be shown: a terminal to draw on (stderr) and to read from.
pub fn interactive() -> bool {
    std::io::stderr().is_terminal() && Tty::open().is_some()
}

/// Raw mode while this lives.
pub struct Raw(());

impl Raw {
    pub fn enter() -> Result<Raw> {
        crossterm::terminal::enable_raw_mode().context("cannot set up the terminal")?;
        STATE.fetch_or(RAW, Ordering::SeqCst);
        Ok(Raw(()))
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        let _ = crossterm::terminal::disable_raw_mode();
        STATE.fetch_and(!RAW, Ordering::SeqCst);
    }
}

/// The alternate screen (on stderr) and a hidden cursor while this lives, in raw mode.
pub struct Screen {
    _raw: Raw,
}

impl Screen {
    pub fn enter() -> Result<Screen> {
        let raw = Raw::enter()?;
        let mut err = std::io::stderr();
        crossterm::queue!(err, crossterm::terminal::EnterAlternateScreen)?;
        STATE.fetch_or(ALTERNATE, Ordering::SeqCst);
        Ok(Screen { _raw: raw })
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        leave_alternate();
    }
}

fn leave_alternate() {
    let mut err = std::io::stderr();
    let _ = crossterm::queue!(err, crossterm::terminal::LeaveAlternateScreen, crossterm::cursor::Show);
    let _ = err.flush();
    STATE.fetch_and(!ALTERNATE, Ordering::SeqCst);
}

/// Put the terminal back before the panic message is printed (and the process aborts).
pub fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        default(info);
    }));
}

/// Undo whatever rolecall did to the terminal.
pub fn restore() {
    let state = STATE.load(Ordering::SeqCst);
    if state & ALTERNATE != 0 {
        leave_alternate();
    }
    if state & RAW != 0 {
        let _ = crossterm::terminal::disable_raw_mode();
        STATE.fetch_and(!RAW, Ordering::SeqCst);
    }
}

/// A yes/no question on the terminal; no terminal is an error that names `flag`.
pub fn confirm(question: &str, flag: &str) -> anyhow::Result<bool> {
    Tty::require(&format!("pass {flag}"))?.confirm(question)
}
