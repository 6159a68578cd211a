//! A person to ask, handed down by `cmd`: what the layers below need from someone (an MFA code, a
//! vault passphrase) without opening the terminal themselves. The terminal's own implementation
//! is [`crate::ui::tty::Person`]; a command without one passes none.

use anyhow::Result;
use std::sync::Arc;

pub trait Ask: Send + Sync {
    /// Whether there is someone to ask (a terminal).
    fn available(&self) -> bool;
    /// Ask `prompt` and read one line, not echoed when `hidden`.
    fn line(&self, prompt: &str, hidden: bool) -> Result<String>;
    /// Say one line where the person types.
    fn say(&self, text: &str) -> Result<()>;
}

/// An [`Ask`] that can be kept in options and cloned.
#[derive(Clone)]
pub struct Asker(pub Arc<dyn Ask>);

impl Asker {
    pub fn new(ask: impl Ask + 'static) -> Asker {
        Asker(Arc::new(ask))
    }

    /// The person, when there is one to ask.
    pub fn present(asker: Option<&Asker>) -> Option<&dyn Ask> {
        asker.map(|a| a.0.as_ref()).filter(|a| a.available())
    }
}

impl std::fmt::Debug for Asker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Asker")
    }
}
