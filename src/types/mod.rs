//! Plain data that every layer passes around, at the bottom of the layers: it imports nothing
//! of rolecall's but `util` and `config`.

pub mod ask;
pub mod credentials;
pub mod notice;

pub use ask::{Ask, Asker};
pub use credentials::Credentials;
pub use notice::{Notice, Notify};
