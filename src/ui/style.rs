//! Colour for people, plain text for pipes: [`Config::color`] decides (a terminal, `NO_COLOR`,
//! `CLICOLOR`, `CLICOLOR_FORCE`), anstyle writes the codes.

use crate::config::Config;
use anstyle::{AnsiColor, Effects};
use std::io::IsTerminal;

#[derive(Clone, Copy, Debug)]
pub struct Style {
    color: bool,
}

impl Style {
    pub fn for_stdout(cfg: &Config) -> Style {
        Style { color: cfg.color(std::io::stdout().is_terminal()) }
    }

    fn paint(self, style: anstyle::Style, text: &str) -> String {
        if self.color { format!("{}{text}{}", style.render(), style.render_reset()) } else { text.to_owned() }
    }

    pub fn bold(self, text: &str) -> String {
        self.paint(anstyle::Style::new().effects(Effects::BOLD), text)
    }

    pub fn dim(self, text: &str) -> String {
        self.paint(anstyle::Style::new().effects(Effects::DIMMED), text)
    }

    pub fn red(self, text: &str) -> String {
        self.paint(AnsiColor::Red.on_default(), text)
    }

    pub fn yellow(self, text: &str) -> String {
        self.paint(AnsiColor::Yellow.on_default(), text)
    }
}

pub use crate::util::text::printable;
